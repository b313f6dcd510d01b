from celery import shared_task

from portfolio.core.services import worker_heartbeat_record


@shared_task(name="core.heartbeat", ignore_result=True)
def heartbeat() -> None:
    worker_heartbeat_record()
