"""Posting pages (members only) and the public job page with its JSON-LD JobPosting."""

import json
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from portfolio.accounts.models import Organization
from portfolio.celery import app as celery_app
from portfolio.jobs.models import Job
from portfolio.jobs.services import jobs as job_services
from tests.integrations.oauth.helpers import page_text
from tests.jobs.conftest import job_fields, make_employer
from tests.social import card_image, near, og_images, pixel, social_tags, solid_png

pytestmark = pytest.mark.django_db


def post_job(organization, member, video, *, publish=True, questions=(), **overrides):
    job = job_services.job_create(
        organization=organization, actor=member, video=video, fields=job_fields(**overrides), questions=questions
    )
    if publish:
        job_services.job_publish(job=job, actor=member)
    job.refresh_from_db()
    return job


def json_ld(response) -> dict:
    html = response.content.decode()
    [payload] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(payload)


# --- The public job page and its JSON-LD -------------------------------------------------------------


def test_a_remote_job_with_a_pay_range(client, organization, member, videos):
    Organization.objects.filter(pk=organization.pk).update(website="https://northwind.example")
    job = post_job(organization, member, videos[0])

    response = client.get(reverse("jobs:job_page", args=[job.slug]))

    assert response.status_code == 200
    text = page_text(response)
    assert "Motion designer for launch videos" in text and "Northwind Studio" in text
    assert "Remote from Germany or Portugal" in text  # one way to write places, here and on the manage page
    assert "€50–€80 per hour" in text
    assert "Watch the video" in text
    data = json_ld(response)
    assert data["@context"] == "https://schema.org/" and data["@type"] == "JobPosting"
    assert data["title"] == job.title
    assert data["description"] == "<p>Animate our product launch in six short videos.</p>"
    assert data["datePosted"] == job.published_at.date().isoformat()
    assert data["validThrough"] == f"{job.closes_on.isoformat()}T23:59:59+00:00"
    assert data["employmentType"] == "CONTRACTOR"
    assert data["hiringOrganization"] == {
        "@type": "Organization", "name": "Northwind Studio", "sameAs": "https://northwind.example"
    }
    assert data["jobLocationType"] == "TELECOMMUTE"
    assert data["applicantLocationRequirements"] == [
        {"@type": "Country", "name": "Germany"}, {"@type": "Country", "name": "Portugal"}
    ]
    assert "jobLocation" not in data
    assert data["directApply"] is True
    assert data["identifier"] == {"@type": "PropertyValue", "name": "Northwind Studio", "value": str(job.pk)}
    assert data["baseSalary"] == {
        "@type": "MonetaryAmount",
        "currency": "EUR",
        "value": {"@type": "QuantitativeValue", "minValue": 50, "maxValue": 80, "unitText": "HOUR"},
    }
    assert data["url"] == f"http://127.0.0.1:8000/jobs/{job.slug}/"
    html = response.content.decode()
    assert f'<meta property="og:title" content="{job.title} at Northwind Studio">' in html
    assert '<img src="https://cdn.video.example/job-v-1.jpg"' in html  # the video on the page, the card in og:image


def test_an_on_site_job_with_one_amount_and_one_without_pay(client, organization, member, videos):
    on_site = dict(
        workplace="on_site", remote_countries=[], street_address="Torstraße 1", locality="Berlin",
        postal_code="10119", country="de", employment_type="FULL_TIME",
    )
    paid = post_job(organization, member, videos[0], pay_max=None, pay_min="4500", pay_unit="MONTH", **on_site)
    unpaid = post_job(
        organization, member, videos[1], pay_min=None, pay_max=None, pay_currency="", pay_unit="", **on_site
    )

    data = json_ld(client.get(reverse("jobs:job_page", args=[paid.slug])))
    assert data["jobLocation"] == {
        "@type": "Place",
        "address": {
            "@type": "PostalAddress", "streetAddress": "Torstraße 1", "addressLocality": "Berlin",
            "postalCode": "10119", "addressCountry": "DE",
        },
    }
    assert "jobLocationType" not in data and "applicantLocationRequirements" not in data
    assert data["employmentType"] == "FULL_TIME"
    assert data["baseSalary"]["value"] == {"@type": "QuantitativeValue", "value": 4500, "unitText": "MONTH"}
    assert "sameAs" not in data["hiringOrganization"]  # no website given

    assert "baseSalary" not in json_ld(client.get(reverse("jobs:job_page", args=[unpaid.slug])))
    text = page_text(client.get(reverse("jobs:job_page", args=[paid.slug])))
    assert "€4,500 per month" in text and "On-site in Torstraße 1, 10119 Berlin, Germany" in text


def test_link_previews_of_a_job_get_its_own_wide_png_card(client, organization, member, videos):
    """Regression: the job page's first og:image was its video's cover, an SVG in the demo, which X, Facebook
    and LinkedIn do not show."""
    job = post_job(organization, member, videos[0])
    html = client.get(reverse("jobs:job_page", args=[job.slug])).content.decode()
    tags = social_tags(html)
    assert og_images(html) == [tags["og:image"]]
    assert tags["og:image"].startswith(f"http://127.0.0.1:8000/jobs/{job.slug}/card.png?v=")
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["twitter:card"] == "summary_large_image" and tags["twitter:image"] == tags["og:image"]
    card = card_image(client, tags["og:image"])
    assert (card.format, card.size) == ("PNG", (1200, 630))


@pytest.fixture
def eager_celery():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


COVER = (230, 120, 20)


def test_the_card_shows_the_video_cover_drawn_when_the_job_is_published(
    client, organization, member, videos, picture_server, eager_celery, django_capture_on_commit_callbacks
):
    """A task enqueued when the job is published fetches its video's cover and draws the card with it on the
    right; the page and the card never fetch it."""
    picture_server.answers["/cover.png"] = (200, {"Content-Type": "image/png"}, solid_png(COVER, (72, 128)))
    videos[0].cover_image_url = picture_server.url("/cover.png")
    videos[0].save(update_fields=["cover_image_url"])
    with django_capture_on_commit_callbacks(execute=True):
        job = post_job(organization, member, videos[0])
    assert picture_server.seen == ["/cover.png"]
    address = social_tags(client.get(reverse("jobs:job_page", args=[job.slug])).content.decode())["og:image"]
    assert client.get(address.removeprefix("http://127.0.0.1:8000"))["Cache-Control"] == "public, max-age=86400"
    card = card_image(client, address)
    assert near(pixel(card, (1200 - 220, 300)), COVER) and near(pixel(card, (1199, 100)), COVER)
    assert not near(pixel(card, (700, 300)), COVER)  # the text's side
    assert picture_server.seen == ["/cover.png"]


def test_one_apply_button_comes_before_the_description(client, organization, member, videos):
    job = post_job(organization, member, videos[0])
    html = client.get(reverse("jobs:job_page", args=[job.slug])).content.decode()
    assert html.count("<button") == 1 and "Continue with Sandbox Freelance" in html
    assert html.index("Continue with Sandbox Freelance") < html.index('<div class="job-description">')


def test_a_closed_job_says_so_takes_no_applications_and_drops_direct_apply(client, organization, member, videos):
    job = post_job(organization, member, videos[0])
    job_services.job_close(job=job, actor=member)

    response = client.get(reverse("jobs:job_page", args=[job.slug]))

    assert response.status_code == 200
    assert "This job is closed. It no longer takes applications" in page_text(response)
    assert 'class="apply-panel"' not in response.content.decode()
    assert "directApply" not in json_ld(response)


def test_a_job_past_its_closing_date_is_shown_closed_before_the_sweep(client, organization, member, videos):
    job = post_job(organization, member, videos[0])
    Job.objects.filter(pk=job.pk).update(closes_on=date.today() - timedelta(days=1))
    response = client.get(reverse("jobs:job_page", args=[job.slug]))
    assert "This job is closed." in page_text(response)
    assert "directApply" not in json_ld(response)


def test_text_that_could_end_the_script_element_is_escaped(client, organization, member, videos):
    job = post_job(organization, member, videos[0], title="Editor </script><script>alert(1)</script>")
    response = client.get(reverse("jobs:job_page", args=[job.slug]))
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert json_ld(response)["title"] == "Editor </script><script>alert(1)</script>"


def test_drafts_and_unknown_slugs_are_404(client, organization, member, videos):
    draft = post_job(organization, member, videos[0], publish=False)
    assert client.get(reverse("jobs:job_page", args=[draft.slug])).status_code == 404
    assert client.get(reverse("jobs:job_page", args=["no-such-job"])).status_code == 404
    assert client.get(reverse("jobs:job_card", args=[draft.slug])).status_code == 404


def test_the_job_page_costs_one_query(client, organization, member, videos, django_assert_num_queries):
    job = post_job(organization, member, videos[0], questions=[{"kind": "yes_no", "prompt": "Ready?"}])
    with django_assert_num_queries(1):
        assert client.get(reverse("jobs:job_page", args=[job.slug])).status_code == 200


# --- Posting pages: permissions -------------------------------------------------------------------


def member_pages(organization, job):
    return [
        ("get", reverse("jobs:job_list", args=[organization.slug])),
        ("get", reverse("jobs:job_create", args=[organization.slug])),
        ("post", reverse("jobs:job_create", args=[organization.slug])),
        ("get", reverse("jobs:job_manage", args=[job.pk])),
        ("get", reverse("jobs:job_edit", args=[job.pk])),
        ("post", reverse("jobs:job_edit", args=[job.pk])),
        ("post", reverse("jobs:job_publish", args=[job.pk])),
        ("get", reverse("jobs:job_close", args=[job.pk])),
        ("post", reverse("jobs:job_close", args=[job.pk])),
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, organization, member, videos):
    job = post_job(organization, member, videos[0], publish=False)
    for method, url in member_pages(organization, job):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url
    assert Job.objects.get().status == Job.Status.DRAFT


def test_people_outside_the_organization_get_404_and_change_nothing(client, organization, member, videos, applicant):
    job = post_job(organization, member, videos[0], publish=False)
    outsider = make_employer("boss@rival.example", "Rita Rival", "Rival Reels")
    for user in (outsider, applicant):
        client.force_login(user)
        for method, url in member_pages(organization, job):
            data = {"title": "Hijacked"} if method == "post" else None
            assert getattr(client, method)(url, data).status_code == 404, (user, url)
    job.refresh_from_db()
    assert (job.title, job.status) == ("Motion designer for launch videos", Job.Status.DRAFT)
    assert Job.objects.count() == 1


def test_publish_is_post_only(client, organization, member, videos):
    job = post_job(organization, member, videos[0], publish=False)
    client.force_login(member)
    assert client.get(reverse("jobs:job_publish", args=[job.pk])).status_code == 405


# --- Posting pages: the form ----------------------------------------------------------------------


def form_data(video, **overrides):
    data = {
        "video": video.pk,
        "title": "Colorist for a music video",
        "description": "Grade a three-minute music video.",
        "employment_type": "CONTRACTOR",
        "workplace": "remote",
        "remote_countries": "DE, pt",
        "pay_min": "400",
        "pay_max": "",
        "pay_currency": "eur",
        "pay_unit": "DAY",
        "skills": "DaVinci Resolve, Color grading",
        "closes_on": (date.today() + timedelta(days=14)).isoformat(),
        "questions-TOTAL_FORMS": "2",
        "questions-INITIAL_FORMS": "0",
        "questions-0-prompt": "Which grading suite do you use?",
        "questions-0-kind": "single_choice",
        "questions-0-choices": "Resolve\nBaselight\n",
        "questions-0-required": "on",
        "questions-0-prefill_from": "",
        "questions-1-prompt": "",
        "questions-1-kind": "short_text",
    }
    data.update(overrides)
    return data


def test_a_member_posts_a_job_through_the_form_then_publishes_and_closes_it(client, organization, member, videos):
    client.force_login(member)
    page = client.get(reverse("jobs:job_create", args=[organization.slug]))
    assert page.status_code == 200 and "We are hiring 1" in page_text(page)

    response = client.post(reverse("jobs:job_create", args=[organization.slug]), form_data(videos[1]), follow=True)

    job = Job.objects.get()
    assert response.redirect_chain[-1][0] == reverse("jobs:job_manage", args=[job.pk])
    assert "The job is saved as a draft." in page_text(response)
    assert (job.video, job.pay_currency, job.remote_countries) == (videos[1], "EUR", ["DE", "PT"])
    [question] = job.questions.all()
    assert (question.kind, question.choices, question.required) == ("single_choice", ["Resolve", "Baselight"], True)

    published = client.post(reverse("jobs:job_publish", args=[job.pk]), follow=True)
    assert "The job is published" in page_text(published)
    confirm = client.get(reverse("jobs:job_close", args=[job.pk]))
    assert f"Close “{job.title}”?" in page_text(confirm)
    closed = client.post(reverse("jobs:job_close", args=[job.pk]), follow=True)
    assert "The job is closed" in page_text(closed)
    job.refresh_from_db()
    assert job.status == Job.Status.CLOSED


def test_the_form_shows_each_refusal_beside_its_field_and_saves_nothing(client, organization, member, videos):
    client.force_login(member)
    response = client.post(
        reverse("jobs:job_create", args=[organization.slug]),
        form_data(
            videos[0],
            closes_on=(date.today() - timedelta(days=1)).isoformat(),
            pay_min="90",
            pay_max="40",
            remote_countries="",
            **{"questions-0-choices": "Only one"},
        ),
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "is in the past; choose today or a later day" in text
    assert "The pay range is upside down" in text
    assert "A remote job names the countries applicants may live in" in text
    assert "Question 1: a single-choice question needs at least two different choices." in text
    assert not Job.objects.exists()


def test_editing_keeps_questions_and_removes_a_ticked_one(client, organization, member, videos):
    job = post_job(
        organization, member, videos[0], publish=False,
        questions=[{"kind": "yes_no", "prompt": "Ready?"}, {"kind": "short_text", "prompt": "Rate?"}],
    )
    first, second = job.questions.all()
    client.force_login(member)
    assert client.get(reverse("jobs:job_edit", args=[job.pk])).status_code == 200
    data = form_data(videos[0], title="Renamed", **{
        "questions-TOTAL_FORMS": "3", "questions-INITIAL_FORMS": "2",
        "questions-0-id": str(first.pk), "questions-0-prompt": "Ready to start?", "questions-0-kind": "yes_no",
        "questions-1-id": str(second.pk), "questions-1-prompt": "Rate?", "questions-1-kind": "short_text",
        "questions-1-DELETE": "on",
        "questions-2-prompt": "", "questions-2-kind": "short_text",
    })
    del data["video"]
    response = client.post(reverse("jobs:job_edit", args=[job.pk]), data, follow=True)
    assert "Your changes are saved." in page_text(response)
    job.refresh_from_db()
    assert job.title == "Renamed"
    assert list(job.questions.values_list("pk", "prompt")) == [(first.pk, "Ready to start?")]


def test_the_jobs_list_shows_status_and_its_queries_do_not_grow_with_jobs(
    client, organization, member, videos, django_assert_num_queries
):
    post_job(organization, member, videos[0], title="Published one")
    post_job(organization, member, videos[1], title="A draft", publish=False)
    client.force_login(member)
    url = reverse("jobs:job_list", args=[organization.slug])
    # session, user, organization, count, any video, the reconnect banner's links, jobs with their videos
    with django_assert_num_queries(7):
        response = client.get(url)
    text = page_text(response)
    assert "Published one Published" in text and "A draft Draft" in text
    post_job(organization, member, videos[0], title="Third", publish=False)
    with django_assert_num_queries(7):
        client.get(url)


def test_without_videos_the_list_asks_to_link_the_video_account(client, organization, member):
    client.force_login(member)
    response = client.get(reverse("jobs:job_list", args=[organization.slug]))
    assert "Link the organization's video account first." in page_text(response)
    assert "No jobs yet." in page_text(response)
