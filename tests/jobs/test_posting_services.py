"""Posting jobs: what the services accept, what they refuse with which reason, and that a refusal writes nothing."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from common.errors import ApplicationError, Conflict, PermissionDenied
from portfolio.creators.models import Video
from portfolio.jobs.models import Job, ScreeningQuestion
from portfolio.jobs.services import jobs as job_services
from tests.jobs.conftest import job_fields, make_employer, org_videos

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"kind": "yes_no", "prompt": "Can you start in January?", "required": True, "choices": [], "prefill_from": ""},
    {
        "kind": "single_choice",
        "prompt": "How many years of motion design?",
        "required": False,
        "choices": ["Under 2", "2 to 5", "More than 5"],
        "prefill_from": "",
    },
    {"kind": "short_text", "prompt": "Where do you live?", "required": True, "choices": [], "prefill_from": "location"},
]


def create(organization, actor, video, questions=(), **overrides):
    return job_services.job_create(
        organization=organization, actor=actor, video=video, fields=job_fields(**overrides), questions=questions
    )


def test_a_member_creates_a_draft_with_its_questions_and_a_readable_unique_slug(organization, member, videos):
    job = create(organization, member, videos[0], QUESTIONS)
    assert job.status == Job.Status.DRAFT
    assert job.created_by == member
    assert job.slug.startswith("motion-designer-for-launch-videos-")
    assert [q.prompt for q in job.questions.all()] == [q["prompt"] for q in QUESTIONS]
    assert job.questions.get(kind="single_choice").choices == ["Under 2", "2 to 5", "More than 5"]
    other = create(organization, member, videos[1])
    assert other.slug != job.slug


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"closes_on": date.today() - timedelta(days=1)}, "closes_on", "is in the past; choose today or a later day"),
        ({"pay_min": 90, "pay_max": 40}, "pay_max", r"pay range is upside down: the highest pay \(40\) is lower"),
        ({"pay_min": None, "pay_max": 40}, "pay_min", "Give the lowest pay too"),
        ({"pay_currency": "EURO"}, "pay_currency", "three-letter code"),
        ({"pay_currency": ""}, "pay_currency", "Give the pay's currency"),
        ({"pay_unit": ""}, "pay_unit", "Say what the pay is for"),
        ({"remote_countries": []}, "remote_countries", "A remote job names the countries applicants may live in"),
        ({"remote_countries": ["DE", "XX"]}, "remote_countries", "Not country codes: XX"),
        ({"workplace": "on_site", "locality": "", "country": "DE"}, "locality", "needs the city"),
        ({"workplace": "hybrid", "locality": "Berlin", "country": ""}, "country", "needs the country"),
        ({"workplace": "on_site", "locality": "Berlin", "country": "QQ"}, "country", "QQ is not a country code"),
        ({"employment_type": "GIG"}, "employment_type", "Choose the employment type"),
        ({"title": "  "}, "title", "Give the job a title"),
    ],
)
def test_bad_job_fields_are_refused_with_the_reason_and_nothing_is_written(
    organization, member, videos, overrides, field, message
):
    with pytest.raises(ApplicationError, match=message) as caught:
        create(organization, member, videos[0], QUESTIONS, **overrides)
    assert field in caught.value.field_errors
    assert not Job.objects.exists()
    assert not ScreeningQuestion.objects.exists()


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ({"kind": "single_choice", "prompt": "Pick one", "choices": ["Only"]}, "needs at least two different choices"),
        ({"kind": "single_choice", "prompt": "Pick one", "choices": ["Same", "Same"]}, "at least two different"),
        ({"kind": "essay", "prompt": "Tell us"}, "choose its kind"),
        ({"kind": "short_text", "prompt": ""}, "write the question"),
        ({"kind": "short_text", "prompt": "Your rate?", "prefill_from": "password"}, "only from the profile's"),
    ],
)
def test_a_bad_screening_question_refuses_the_whole_job(organization, member, videos, question, message):
    with pytest.raises(ApplicationError, match=f"Question 2: .*{message}") as caught:
        create(organization, member, videos[0], [QUESTIONS[0], question])
    assert "questions" in caught.value.field_errors
    assert not Job.objects.exists()
    assert not ScreeningQuestion.objects.exists()


def test_a_video_of_another_organization_or_a_removed_one_is_refused(organization, member, videos):
    rival = make_employer("boss@rival.example", "Rita Rival", "Rival Reels").organizations.get()
    [rival_video] = org_videos(rival, 1, prefix="rival")
    with pytest.raises(ApplicationError, match="This video is not Northwind Studio's"):
        create(organization, member, rival_video)
    Video.objects.filter(pk=videos[0].pk).update(status=Video.Status.REMOVED)
    videos[0].refresh_from_db()
    with pytest.raises(ApplicationError, match="This video was removed"):
        create(organization, member, videos[0])
    assert not Job.objects.exists()


def test_a_creator_video_is_not_the_organizations(organization, member, videos, applicant):
    creator_video = Video.objects.create(owner=applicant, platform="sandbox-video", platform_video_id="casey-1")
    with pytest.raises(ApplicationError, match="is not Northwind Studio's"):
        create(organization, member, creator_video)


def test_someone_who_is_not_a_member_cannot_post_change_publish_or_close(organization, member, videos, applicant):
    outsider = make_employer("boss@rival.example", "Rita Rival", "Rival Reels")
    with pytest.raises(PermissionDenied, match="Only members of Northwind Studio"):
        create(organization, outsider, videos[0])
    job = create(organization, member, videos[0])
    for call in (
        lambda: job_services.job_update(job=job, actor=outsider, fields={"title": "Hijacked"}),
        lambda: job_services.job_publish(job=job, actor=outsider),
        lambda: job_services.job_close(job=job, actor=applicant),
    ):
        with pytest.raises(PermissionDenied, match="Only members of Northwind Studio"):
            call()
    job.refresh_from_db()
    assert (job.title, job.status) == ("Motion designer for launch videos", Job.Status.DRAFT)


def test_unknown_fields_are_refused(organization, member, videos):
    with pytest.raises(ApplicationError, match="Unknown job field 'status'"):
        job_services.job_create(
            organization=organization, actor=member, video=videos[0], fields={**job_fields(), "status": "published"}
        )


def test_pay_may_be_one_amount_or_nothing(organization, member, videos):
    amount = create(organization, member, videos[0], pay_max=None)
    assert (amount.pay_min, amount.pay_max) == (50, None)
    unpaid = create(organization, member, videos[1], pay_min=None, pay_max=None, pay_currency="", pay_unit="")
    assert (unpaid.pay_min, unpaid.pay_currency, unpaid.pay_unit) == (None, "", "")


def test_an_update_changes_fields_and_questions_keeping_the_ids_of_questions_kept(organization, member, videos):
    job = create(organization, member, videos[0], QUESTIONS)
    kept = job.questions.get(position=1)
    job_services.job_update(
        job=job,
        actor=member,
        fields={"title": "Senior motion designer", "remote_countries": ["de", "fr"]},
        questions=[{**QUESTIONS[0], "id": kept.pk, "prompt": "Can you start in February?"}],
    )
    job.refresh_from_db()
    assert job.title == "Senior motion designer"
    assert job.remote_countries == ["DE", "FR"]
    assert list(job.questions.values_list("pk", "prompt")) == [(kept.pk, "Can you start in February?")]


def test_a_bad_update_changes_nothing(organization, member, videos):
    job = create(organization, member, videos[0], QUESTIONS)
    with pytest.raises(ApplicationError, match="upside down"):
        job_services.job_update(
            job=job, actor=member, fields={"title": "Changed", "pay_max": 10}, questions=[QUESTIONS[0]]
        )
    job.refresh_from_db()
    assert job.title == "Motion designer for launch videos"
    assert job.questions.count() == 3


def test_publish_then_close(organization, member, videos):
    job = create(organization, member, videos[0])
    job_services.job_publish(job=job, actor=member)
    job.refresh_from_db()
    assert job.status == Job.Status.PUBLISHED and job.published_at is not None and job.is_open
    with pytest.raises(Conflict, match="already published"):
        job_services.job_publish(job=job, actor=member)
    job_services.job_close(job=job, actor=member)
    job.refresh_from_db()
    assert job.status == Job.Status.CLOSED and job.closed_at is not None
    with pytest.raises(Conflict, match="already closed"):
        job_services.job_close(job=job, actor=member)


def test_a_draft_cannot_be_closed(organization, member, videos):
    job = create(organization, member, videos[0])
    with pytest.raises(ApplicationError, match="never published"):
        job_services.job_close(job=job, actor=member)


def test_a_second_published_job_on_one_video_is_refused_with_a_clear_message(organization, member, employer, videos):
    first = create(organization, member, videos[0], title="Editor")
    job_services.job_publish(job=first, actor=member)
    second = create(organization, employer, videos[0], title="Animator")
    with pytest.raises(Conflict, match="This video already carries the published job “Editor”; close that one first"):
        job_services.job_publish(job=second, actor=employer)
    second.refresh_from_db()
    assert second.status == Job.Status.DRAFT
    job_services.job_close(job=first, actor=member)
    job_services.job_publish(job=second, actor=employer)


def test_the_database_keeps_one_published_job_per_video_even_without_the_service(organization, member, videos):
    job = create(organization, member, videos[0])
    job_services.job_publish(job=job, actor=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(
            organization=organization, video=videos[0], slug="raw-1", status=Job.Status.PUBLISHED,
            **job_fields(pay_min=None, pay_max=None),
        )


def test_a_job_past_its_closing_date_counts_as_closed_and_the_sweep_closes_it(organization, member, videos):
    job = create(organization, member, videos[0])
    job_services.job_publish(job=job, actor=member)
    Job.objects.filter(pk=job.pk).update(closes_on=date.today() - timedelta(days=1))
    job.refresh_from_db()
    assert job.status == Job.Status.PUBLISHED
    assert job.effective_status == Job.Status.CLOSED and not job.is_open
    with pytest.raises(ApplicationError, match="has passed; set a later one, then publish"):
        job_services.job_publish(job=job, actor=member)

    assert job_services.jobs_expire() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.CLOSED and job.closed_at is not None
    assert job_services.jobs_expire() == 0


def test_an_expired_job_not_yet_swept_does_not_hold_its_video(organization, member, videos):
    old = create(organization, member, videos[0], title="Old")
    job_services.job_publish(job=old, actor=member)
    Job.objects.filter(pk=old.pk).update(closes_on=date.today() - timedelta(days=1))
    new = create(organization, member, videos[0], title="New")
    job_services.job_publish(job=new, actor=member)
    old.refresh_from_db()
    assert old.status == Job.Status.CLOSED


def test_a_closed_job_can_be_published_again_with_a_later_closing_date(organization, member, videos):
    job = create(organization, member, videos[0])
    job_services.job_publish(job=job, actor=member)
    job_services.job_close(job=job, actor=member)
    job_services.job_publish(job=job, actor=member)
    job.refresh_from_db()
    assert job.status == Job.Status.PUBLISHED and job.closed_at is None


def test_editing_an_expired_job_keeps_its_past_closing_date_but_refuses_a_new_past_one(organization, member, videos):
    job = create(organization, member, videos[0])
    past = date.today() - timedelta(days=3)
    Job.objects.filter(pk=job.pk).update(closes_on=past)
    job_services.job_update(job=job, actor=member, fields={**job_fields(), "closes_on": past, "title": "Typo fixed"})
    with pytest.raises(ApplicationError, match="is in the past"):
        job_services.job_update(job=job, actor=member, fields={"closes_on": past - timedelta(days=1)})
