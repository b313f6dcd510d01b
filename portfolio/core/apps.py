from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "portfolio.core"
    label = "core"
    verbose_name = "Operations"

    def ready(self):
        from functools import partial

        from common import metrics
        from portfolio.core.selectors import worker_heartbeat_age_seconds

        metrics.register_gauge(
            "reelfolio_worker_heartbeat_age_seconds",
            "Seconds since a Celery worker last ran the periodic heartbeat task.",
            worker_heartbeat_age_seconds,
        )
        metrics.register_gauge(
            "reelfolio_clicks_last_fold_age_seconds",
            "Seconds since a fold of the click counters last finished (recorded in the database by the worker).",
            partial(worker_heartbeat_age_seconds, "clicks_fold"),
        )
