"""The Celery application: configured from Django settings under the CELERY_ namespace.

On the embedded filesystem broker the app creates the broker's folders when it is configured, in
whichever process that is (the web server sending a task, a worker, beat); beat creates its schedule's
folder when it starts. Nothing is created when the settings are imported.
"""

import os
from pathlib import Path
from typing import Any

from celery import Celery
from celery.beat import PersistentScheduler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")

app = Celery("reelfolio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

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
