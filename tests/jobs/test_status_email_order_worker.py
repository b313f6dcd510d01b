"""An application's status emails go out in the order of its history, on real workers, and the console
email (the embedded run's) is text a person reads.

Before, two worker processes took the emails of two quick moves side by side and "Interview, then
Reviewing" reached the applicant as Reviewing, then Interview; and the worker's console emails came out as
escaped JSON log lines with MIME-encoded subjects.
"""

import io
import os
import subprocess
import sys

import pytest
from django.core.mail import EmailMessage

from common.mail import ConsoleEmailBackend
from portfolio.jobs.models import ApplicationStatusChange
from portfolio.jobs.services import review as review_services
from tests.conftest import ROOT, database_url_for_subprocesses, wait_until
from tests.jobs.review_support import application_for, published_job
from tests.processes import celery_worker_running

MOVES = ["reviewing", "interview", "offer", "not_selected", "reviewing", "interview"]


@pytest.fixture
def second_worker(celery_worker_process, live_server, tmp_path):
    """A worker of two processes, as `./dev up` runs it, beside the suite's: three consumers take the tasks."""
    log_path = tmp_path / "worker.log"
    env = dict(
        os.environ, DATABASE_URL=database_url_for_subprocesses(), PYTHONUNBUFFERED="1", SITE_URL=live_server.url,
        EMAIL_URL="consolemail://",
    )
    options = ["--pool", "prefork", "--concurrency", "2", "--without-gossip", "--without-mingle"]
    with celery_worker_running(*options, env=env, log_path=log_path):
        yield log_path


def _printed_subjects(printed: str) -> list[str]:
    return [line.removeprefix("Subject: ") for line in printed.splitlines() if line.startswith("Subject: ")]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_quick_moves_are_emailed_in_the_order_of_the_history(
    celery_worker_process, second_worker, organization, employer, member, videos, applicant
):
    suite_log = celery_worker_process.log_path
    already_printed = suite_log.stat().st_size  # what earlier tests' emails left in the suite's worker log
    job = published_job(organization=organization, actor=employer, video=videos[0])
    application = application_for(job, applicant)
    for status in MOVES:  # each move commits and enqueues its email at once
        application = review_services.application_status_change(application=application, actor=member, status=status)

    changes = ApplicationStatusChange.objects.filter(application=application).exclude(to_status="new")
    wait_until(lambda: not changes.filter(applicant_notified_at__isnull=True).exists(), timeout=60,
               message="the workers to send every status email")
    history = list(changes.order_by("created_at", "id"))
    assert [change.to_status for change in history] == MOVES
    sent_order = sorted(history, key=lambda change: change.applicant_notified_at)
    assert [change.pk for change in sent_order] == [change.pk for change in history]
    assert len({change.applicant_notified_at for change in history}) == len(history)  # one after the other

    # Printed as text by both workers, with their subjects as written (“ and ” are not MIME-encoded).
    printed = suite_log.read_bytes()[already_printed:].decode() + second_worker.read_text()
    subjects = _printed_subjects(printed)
    labels = [f"is now “{label}”" for label in ("Reviewing", "Interview", "Offer", "Not selected", "Reviewing",
                                                "Interview")]
    assert sorted(subjects) == sorted(f"Northwind Studio: your application for {job.title} {label}"
                                      for label in labels)
    assert "=?utf-8?" not in printed
    assert "Northwind Studio moved your application for “" in printed
    assert '\\"Subject' not in printed and '"message": "Subject' not in printed  # not JSON log lines


def test_the_console_email_is_text_a_person_reads():
    stream = io.StringIO()
    message = EmailMessage(
        subject="Northwind Studio: your application for Motion design is now “Interview” — café",
        body="Hello Jordan,\n\n" + "A long line of the body that quoted-printable would have folded. " * 3,
        from_email="Reelfolio <no-reply@reelfolio.localhost>",
        to=["jordan@example.com"],
    )
    assert ConsoleEmailBackend(stream=stream).send_messages([message]) == 1
    printed = stream.getvalue()
    assert printed.startswith(
        "From: Reelfolio <no-reply@reelfolio.localhost>\nTo: jordan@example.com\n"
        "Subject: Northwind Studio: your application for Motion design is now “Interview” — café\n\nHello Jordan,\n"
    )
    assert "A long line of the body that quoted-printable would have folded. " * 3 in printed
    assert "=?utf-8?" not in printed and "=\n" not in printed


def test_the_embedded_run_uses_the_readable_console(settings):
    """EMAIL_URL's default, consolemail://, is the readable console (the tests' own outbox aside)."""
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
         "print(settings.EMAIL_BACKEND)"],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "portfolio.settings", "EMAIL_URL": "consolemail://"},
        capture_output=True, text=True, timeout=60,
    )
    assert result.stdout.strip() == "common.mail.ConsoleEmailBackend", result.stderr
