"""Moving applications through their statuses, their history and private notes, and the emails that
tell the applicant (after commit, with a sweep for lost tasks) and the organization (batched)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from common.errors import ApplicationError, Conflict, NotFound
from portfolio.accounts.services import organization_api_key_create
from portfolio.jobs import tasks
from portfolio.jobs.models import Application, ApplicationNote, ApplicationStatusChange
from portfolio.jobs.services import applications as application_services
from portfolio.jobs.services import notifications
from portfolio.jobs.services import review as services
from tests.jobs.conftest import make_applicant, make_employer, org_videos
from tests.jobs.review_support import application_for, published_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(organization, employer, videos):
    return published_job(organization=organization, actor=employer, video=videos[0])


@pytest.fixture
def application(job, applicant):
    return application_for(job, applicant)


def test_a_member_moves_an_application_and_the_history_says_who_when_and_why(
    application, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        moved = services.application_status_change(
            application=application, actor=member, status="interview", note="Strong reel"
        )
    assert moved.status == "interview"
    change = ApplicationStatusChange.objects.filter(application=application).last()
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (
        "new", "interview", member, "Strong reel"
    )
    assert change.created_at is not None
    assert mail.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1  # on commit: the email's task is enqueued; here it runs as the worker would
    tasks.application_status_email.apply(args=[change.pk])
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["jordan@example.com"]
    assert email.subject == (
        "Northwind Studio: your application for Motion designer for launch videos is now “Interview”"
    )
    assert "They would like to talk with you" in email.body
    assert "Strong reel" not in email.body  # the note stays with the organization
    change.refresh_from_db()
    assert change.applicant_notified_at is not None


def test_members_cannot_withdraw_for_the_applicant(application, member):
    with pytest.raises(ApplicationError, match="Only the applicant can withdraw an application."):
        services.application_status_change(application=application, actor=member, status="withdrawn")
    with pytest.raises(ApplicationError, match="Unknown status 'archived'"):
        services.application_status_change(application=application, actor=member, status="archived")
    application.refresh_from_db()
    assert application.status == "new"
    assert application.status_changes.count() == 1


def test_a_withdrawn_application_cannot_move(application, applicant, member):
    application_services.application_withdraw(application=application, actor=applicant)
    with pytest.raises(Conflict, match="The applicant withdrew this application: it cannot move any more."):
        services.application_status_change(application=application, actor=member, status="reviewing")
    application.refresh_from_db()
    assert application.status == "withdrawn"


def test_an_anonymized_application_cannot_move(application, member):
    Application.objects.filter(pk=application.pk).update(applicant=None, anonymized_at=timezone.now(), snapshot={})
    with pytest.raises(Conflict, match="erased their account"):
        services.application_status_change(application=application, actor=member, status="reviewing")


def test_moving_to_the_status_it_has_is_a_clear_conflict_and_writes_nothing(application, member):
    with pytest.raises(Conflict, match="This application is already at “New”; nothing changed."):
        services.application_status_change(application=application, actor=member, status="new", note="again")
    assert application.status_changes.count() == 1


def test_someone_outside_the_organization_cannot_move_or_annotate(application, applicant):
    outsider = make_employer("eve@elsewhere.example", "Eve", "Elsewhere")
    with pytest.raises(NotFound, match="This application does not exist."):
        services.application_status_change(application=application, actor=outsider, status="reviewing")
    with pytest.raises(NotFound, match="This application does not exist."):
        services.application_note_add(application=application, author=applicant, body="I am great")
    assert not ApplicationNote.objects.exists()
    application.refresh_from_db()
    assert application.status == "new"


def test_a_key_of_the_organization_moves_it_and_the_history_names_the_key(application, organization, employer):
    api_key, _ = organization_api_key_create(
        organization=organization, actor=employer, scopes=["applications:write"], name="ATS"
    )
    services.application_status_change(application=application, actor=None, status="offer", api_key=api_key)
    change = application.status_changes.last()
    assert (change.changed_by, change.api_key) == (None, api_key)

    other = make_employer("eve@elsewhere.example", "Eve", "Elsewhere").organizations.get()
    foreign_key, _ = organization_api_key_create(organization=other, actor=None, scopes=["applications:write"])
    with pytest.raises(NotFound):
        services.application_status_change(application=application, actor=None, status="hired", api_key=foreign_key)


def test_private_notes_are_kept_with_their_author_and_an_empty_one_is_refused(application, member):
    note = services.application_note_add(application=application, author=member, body="  Call on Tuesday  ")
    assert (note.body, note.author) == ("Call on Tuesday", member)
    with pytest.raises(ApplicationError, match="Write something in the note."):
        services.application_note_add(application=application, author=member, body="   ")
    with pytest.raises(ApplicationError, match="A note is at most 5000 characters; this one has 5001."):
        services.application_note_add(application=application, author=member, body="x" * 5001)
    assert ApplicationNote.objects.count() == 1


def test_a_status_email_lost_with_its_task_is_sent_by_the_sweep_once(application, member):
    # No on-commit callbacks run here: the task never reached the broker.
    services.application_status_change(application=application, actor=member, status="reviewing")
    change = application.status_changes.last()
    assert change.applicant_notified_at is None
    assert services.application_status_emails_sweep() == 0  # younger than a minute: its task may still come
    ApplicationStatusChange.objects.filter(pk=change.pk).update(created_at=timezone.now() - timedelta(minutes=2))

    assert services.application_status_emails_sweep() == 1
    assert [m.subject for m in mail.outbox] == [
        "Northwind Studio: your application for Motion designer for launch videos is now “Reviewing”"
    ]
    # The task arriving late, and the next sweep, send nothing more.
    assert services.application_status_email_send(status_change_id=change.pk) is False
    assert services.application_status_emails_sweep() == 0
    assert len(mail.outbox) == 1


def test_an_email_that_fails_to_send_is_left_for_the_sweep(application, member, settings):
    settings.EMAIL_BACKEND = "tests.jobs.review_support_failing_mail.FailingBackend"
    services.application_status_change(application=application, actor=member, status="reviewing")
    change = application.status_changes.last()
    with pytest.raises(ConnectionRefusedError):
        services.application_status_email_send(status_change_id=change.pk)
    change.refresh_from_db()
    assert change.applicant_notified_at is None


def test_three_applications_make_one_email_to_the_organizations_members(job, member, employer):
    applicants = [make_applicant(f"a{n}@example.com", f"Applicant {n}", subject=f"sbx-f-{n}") for n in range(3)]
    for person in applicants:
        application_for(job, person)
    assert notifications.applications_notify_employers() == 3
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert sorted(email.to) == ["mo@northwind.example", "owner@northwind.example"]
    assert email.subject == "3 new applications to Northwind Studio's jobs"
    for n in range(3):
        assert f"Applicant {n}, Video editor" in email.body
    assert f"/jobs/manage/{job.pk}/applications/" in email.body
    assert not Application.objects.filter(employer_notified_at__isnull=True).exists()

    # Nothing new: no email. One more: one more email, about that one only.
    assert notifications.applications_notify_employers() == 0
    application_for(job, make_applicant("late@example.com", "Late Applicant", subject="sbx-f-late"))
    assert notifications.applications_notify_employers() == 1
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == "1 new application to Northwind Studio's jobs"
    assert "Applicant 0" not in mail.outbox[1].body


def test_each_organization_gets_its_own_email_about_its_own_applications(job, applicant):
    other_owner = make_employer("boss@elsewhere.example", "Bo Boss", "Elsewhere")
    other = other_owner.organizations.get()
    other_job = published_job(organization=other, actor=other_owner, video=org_videos(other, 1, prefix="else")[0])
    application_for(job, applicant)
    application_for(other_job, applicant)
    assert notifications.applications_notify_employers() == 2
    by_recipient = {tuple(m.to): m for m in mail.outbox}
    assert set(by_recipient) == {("owner@northwind.example",), ("boss@elsewhere.example",)}
    assert "Elsewhere" not in by_recipient[("owner@northwind.example",)].body


def test_a_failed_organization_email_marks_nothing_and_goes_out_next_time(job, applicant, settings):
    application_for(job, applicant)
    settings.EMAIL_BACKEND = "tests.jobs.review_support_failing_mail.FailingBackend"
    assert notifications.applications_notify_employers() == 0
    assert Application.objects.filter(employer_notified_at__isnull=True).count() == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.applications_notify_employers() == 1
    assert len(mail.outbox) == 1
