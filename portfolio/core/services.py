from django.utils import timezone

from portfolio.core.models import WorkerHeartbeat


def worker_heartbeat_record(*, name: str = "worker") -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})
    return heartbeat
