"""On PostgreSQL, with real concurrency: two beat runs at once never email an organization twice about the
same applications, and the task and the sweep racing for one status email send it once."""

import threading

import pytest
from django.core import mail
from django.db import connection

from portfolio.jobs.models import ApplicationStatusChange
from portfolio.jobs.services import notifications
from portfolio.jobs.services import review as review_services
from tests.jobs.conftest import make_applicant
from tests.jobs.review_support import application_for, published_job

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RUNS = 4


def _at_once(function) -> list[str]:
    start = threading.Barrier(RUNS)
    errors: list[str] = []

    def run():
        try:
            start.wait()
            function()
        except Exception as exc:  # reported below, with the others
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors



@pytest.mark.parametrize("round_", range(3))
def test_simultaneous_beat_runs_send_one_email_per_batch(organization, employer, videos, round_):
    # Enough applications that runs scanning them at the same moment would split them between two emails,
    # were each run to lock only the applications it reached first.
    job = published_job(organization=organization, actor=employer, video=videos[0])
    for n in range(30):
        application_for(job, make_applicant(f"r{n}@example.com", f"Racer {n}", subject=f"sbx-f-r{n}"))
    assert _at_once(notifications.applications_notify_employers) == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "30 new applications to Northwind Studio's jobs"


def test_the_task_and_the_sweep_racing_send_a_status_email_once(organization, employer, member, videos, applicant):
    job = published_job(organization=organization, actor=employer, video=videos[0])
    application = application_for(job, applicant)
    review_services.application_status_change(application=application, actor=member, status="offer")
    change = ApplicationStatusChange.objects.get(to_status="offer")
    assert _at_once(lambda: review_services.application_status_email_send(status_change_id=change.pk)) == []
    change.refresh_from_db()
    assert change.applicant_notified_at is not None
    # The change's own task, enqueued when it was made, may reach a Celery worker that the suite started on
    # the same broker before these threads do; that worker sends the email from its own process. Either way
    # exactly one email went out, and none of these threads sent a second.
    assert [m.to for m in mail.outbox] in ([], [["jordan@example.com"]])
