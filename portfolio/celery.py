"""The Celery application: configured from Django settings under the CELERY_ namespace.

On the embedded filesystem broker the app creates the broker's folders when it is configured, in
whichever process that is (the web server sending a task, a worker, beat); beat creates its schedule's
folder when it starts. Nothing is created when the settings are imported.
"""

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import celery
from celery import Celery, bootsteps
from celery.beat import PersistentScheduler
from celery.signals import (
    task_failure,
    task_retry,
    task_success,
    worker_init,
    worker_process_init,
    worker_process_shutdown,
)
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")

# After a publish fails, this process skips publishing for this long: every task Reelfolio enqueues stands
# for a row that a beat sweep enqueues again, so a request pays for one failed publish (a connect or read
# timeout of the broker) at most, not one per task it enqueues, nor one per request.
BROKER_DOWN_PAUSE_SECONDS = 5.0
_broker_down_until = 0.0


class BrokerAway(OperationalError):
    """Not published: the broker failed a publish of this process moments ago."""


class Task(celery.Task):
    """Celery's task, whose publishing gives up at once while the broker is known to be away."""

    def apply_async(self, *args: Any, **kwargs: Any) -> Any:
        global _broker_down_until
        if time.monotonic() < _broker_down_until:
            raise BrokerAway(f"The broker failed moments ago; {self.name} is left to the sweeps.")
        try:
            return super().apply_async(*args, **kwargs)
        except OperationalError:
            _broker_down_until = time.monotonic() + BROKER_DOWN_PAUSE_SECONDS
            raise


def broker_pause_forget() -> None:
    """Publishing is tried again at once (tests that switch brokers)."""
    global _broker_down_until
    _broker_down_until = 0.0


app = Celery("reelfolio", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# How often a consuming worker touches its liveness file.
LIVENESS_TOUCH_SECONDS = 5.0


class LivenessFile(bootsteps.StartStopStep):
    """Touches settings.WORKER_LIVENESS_FILE every few seconds while the worker's consumer runs: from when it
    is connected to the broker and consuming until it loses the broker (the consumer's steps stop, and start
    again once it has reconnected). A file that stops changing means a worker that is gone, stuck, or that
    has not got its broker back: its supervisor restarts it (common/supervision.py)."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.timer_entry: Any = None
        self.path: Path | None = None

    def start(self, parent: Any) -> None:
        from django.conf import settings

        if not settings.WORKER_LIVENESS_FILE:
            return
        self.path = Path(settings.WORKER_LIVENESS_FILE)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.touch()
        self.timer_entry = parent.timer.call_repeatedly(LIVENESS_TOUCH_SECONDS, self.touch, priority=10)

    def touch(self) -> None:
        if self.path is not None:
            self.path.touch()

    def stop(self, parent: Any) -> None:
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None


app.steps["consumer"].add(LivenessFile)

FILESYSTEM_FOLDER_OPTIONS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


def broker_folders_create(*, broker_url: str, transport_options: dict[str, Any]) -> None:
    """Creates the folders of kombu's filesystem transport; other brokers need none."""
    if not broker_url.startswith("filesystem://"):
        return
    for option in FILESYSTEM_FOLDER_OPTIONS:
        if transport_options.get(option):
            Path(transport_options[option]).mkdir(parents=True, exist_ok=True)


@app.on_after_configure.connect
def _broker_folders_on_configure(sender: Celery, source: Any, **kwargs: Any) -> None:
    broker_folders_create(broker_url=source.broker_url or "", transport_options=source.broker_transport_options or {})


class FileScheduler(PersistentScheduler):
    """Celery's own file-backed beat schedule, whose folder (REELFOLIO_VAR_DIR) beat creates first."""

    def setup_schedule(self) -> None:
        Path(self.schedule_filename).parent.mkdir(parents=True, exist_ok=True)
        super().setup_schedule()


def _count_task(outcome: str) -> Callable[..., None]:
    def count(sender: Any = None, **kwargs: Any) -> None:
        from common import metrics

        metrics.WORKER_TASKS.labels(task=getattr(sender, "name", None) or "unknown", outcome=outcome).inc()

    return count


# The worker's tasks by outcome, for GET /metrics (each pool process writes its own counts under
# PROMETHEUS_MULTIPROC_DIR when it is set).
for _outcome, _signal in (("success", task_success), ("failure", task_failure), ("retry", task_retry)):
    _signal.connect(_count_task(_outcome), weak=False)


@worker_process_init.connect
def _tracing_in_pool_process(**kwargs: Any) -> None:
    """Each forked pool process starts its own tracing (a tracer's export thread does not survive a fork)."""
    from portfolio.core.tracing import tracing_start

    tracing_start()


@worker_process_shutdown.connect
def _metrics_of_exited_pool_process(pid: int | None = None, **kwargs: Any) -> None:
    """A pool process that ends drops its live gauges from PROMETHEUS_MULTIPROC_DIR (its counts stay)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())


@worker_init.connect
def _tracing_in_worker(sender: Any = None, **kwargs: Any) -> None:
    """A worker whose pool does not fork (solo, threads) runs its tasks itself: it starts tracing here."""
    pool = getattr(sender, "pool_cls", "")
    if "prefork" not in f"{getattr(pool, '__module__', '')}{pool}".lower():
        from portfolio.core.tracing import tracing_start

        tracing_start()
