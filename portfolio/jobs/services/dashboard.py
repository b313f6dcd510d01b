"""The employer's home page: remembering their visits, so that what came in since the last one shows as new."""

from datetime import datetime

from django.utils import timezone

from portfolio.jobs.models import EmployerHomeVisit


def employer_home_visit_record(*, user) -> datetime | None:
    """Records that `user` opened their home page now; returns when they had opened it before (None: never)."""
    now = timezone.now()
    visit, created = EmployerHomeVisit.objects.get_or_create(user=user, defaults={"seen_at": now})
    if created:
        return None
    previous = visit.seen_at
    EmployerHomeVisit.objects.filter(pk=visit.pk).update(seen_at=now)
    return previous
