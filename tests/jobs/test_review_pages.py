"""The employer's dashboard of a job's applicants, moving them, notes, and the CSV export."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from portfolio.jobs.models import Application, ApplicationNote
from portfolio.jobs.services import review as review_services
from tests.jobs.conftest import make_applicant, make_employer
from tests.jobs.review_support import application_for, published_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(organization, employer, videos):
    questions = [
        {"kind": "yes_no", "prompt": "Can you start in January?", "required": True, "choices": [], "prefill_from": ""},
        {"kind": "short_text", "prompt": "=Your rate?", "required": False, "choices": [], "prefill_from": "rate"},
    ]
    return published_job(organization=organization, actor=employer, video=videos[0], questions=questions)


@pytest.fixture
def application(job, applicant):
    questions = list(job.questions.all())
    answers = [
        {"question_id": questions[0].pk, "prompt": questions[0].prompt, "answer": "yes"},
        {"question_id": questions[1].pk, "prompt": questions[1].prompt, "answer": "$60/hr"},
    ]
    return application_for(job, applicant, source="cached", age=timedelta(hours=3), answers=answers)


def dashboard(job, **query):
    url = reverse("jobs:review_dashboard", args=[job.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_dashboard_shows_each_applicant_with_their_snapshot_answers_and_history(client, member, job, application):
    client.force_login(member)
    html = client.get(dashboard(job)).content.decode()
    assert "Jordan Applicant" in html
    assert "Video editor" in html
    assert "Premiere Pro" in html and "Color grading" in html
    assert "$60/hr" in html and "Berlin, DE" in html
    assert 'href="https://freelance.example/jordan"' in html
    assert 'src="https://cdn.freelance.example/p-7.jpg"' in html and "Sneaker ad" in html
    assert "cached</span> as last synced, 3\xa0hours before they applied (Sandbox Freelance did not answer)" in html
    assert "Can you start in January?" in html
    assert "History (1)" in html and "by the applicant" in html
    assert "All <span class=\"count\">1</span>" in html
    assert "New <span class=\"count\">1</span>" in html


def test_the_filter_shows_only_that_status_and_unknown_statuses_are_404(client, member, job, application):
    other = application_for(job, make_applicant("sam@example.com", "Sam Second", subject="sbx-f-sam"))
    review_services.application_status_change(application=other, actor=member, status="interview")
    client.force_login(member)
    html = client.get(dashboard(job, status="interview")).content.decode()
    assert "Sam Second" in html and "Jordan Applicant" not in html
    assert 'aria-current="page">Interview' in html
    empty = client.get(dashboard(job, status="hired")).content.decode()
    assert "No applications at “Hired”." in empty
    assert client.get(dashboard(job, status="archived")).status_code == 404


def test_moving_an_applicant_from_the_dashboard_keeps_the_filter_and_says_so(client, member, job, application):
    client.force_login(member)
    url = reverse("jobs:review_status_change", args=[application.pk])
    back = dashboard(job, status="new")
    response = client.post(url, {"status": "interview", "note": "Loved the sneaker ad", "next": back})
    assert response.status_code == 302
    assert response["Location"] == f"{back}#application-{application.pk}"
    application.refresh_from_db()
    assert application.status == "interview"
    page = client.get(dashboard(job)).content.decode()
    assert "Jordan Applicant is now at “Interview”; they get an email about it." in page
    assert "New → <strong>Interview</strong>" in page and "by Mo Member" in page and "Loved the sneaker ad" in page

    # A bad move says why and changes nothing; an outside "next" is not followed.
    response = client.post(url, {"status": "withdrawn", "next": "https://evil.example/"}, follow=True)
    assert "Only the applicant can withdraw an application." in response.content.decode()
    assert response.redirect_chain[-1][0] == f"{dashboard(job)}#application-{application.pk}"
    application.refresh_from_db()
    assert application.status == "interview"


def test_notes_are_added_from_the_dashboard_and_shown_to_members(client, member, employer, job, application):
    client.force_login(member)
    url = reverse("jobs:review_note_add", args=[application.pk])
    client.post(url, {"body": "Ask about availability"})
    client.post(url, {"body": "  "})
    assert list(ApplicationNote.objects.values_list("body", flat=True)) == ["Ask about availability"]
    client.force_login(employer)
    html = client.get(dashboard(job)).content.decode()
    assert "Ask about availability" in html and "Mo Member" in html and "Private notes (1)" in html


def test_only_members_see_the_dashboard_and_act_on_it(client, job, application, applicant):
    outsider = make_employer("eve@elsewhere.example", "Eve", "Elsewhere")
    urls = [dashboard(job), reverse("jobs:review_csv", args=[job.pk])]
    assert client.get(urls[0]).status_code == 302  # anonymous: to the login page
    for user in (outsider, applicant):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404
        move = reverse("jobs:review_status_change", args=[application.pk])
        assert client.post(move, {"status": "hired"}).status_code == 404
        assert client.post(reverse("jobs:review_note_add", args=[application.pk]), {"body": "x"}).status_code == 404
    application.refresh_from_db()
    assert application.status == "new"
    assert not ApplicationNote.objects.exists()


def test_the_dashboard_makes_the_same_number_of_queries_for_many_applicants(
    client, member, job, application, django_assert_num_queries
):
    client.force_login(member)
    review_services.application_note_add(application=application, author=member, body="first")
    client.get(dashboard(job))  # warm the session
    with django_assert_num_queries(10) as one:
        client.get(dashboard(job))
    for n in range(6):
        extra = application_for(job, make_applicant(f"p{n}@example.com", f"Person {n}", subject=f"sbx-f-p{n}"))
        review_services.application_status_change(application=extra, actor=member, status="reviewing")
        review_services.application_note_add(application=extra, author=member, body=f"note {n}")
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(dashboard(job))
    assert response.content.decode().count('class="applicant"') == 7


def test_the_dashboard_is_paginated(client, member, job):
    for n in range(12):
        application_for(job, make_applicant(f"q{n}@example.com", f"Queue {n:02d}", subject=f"sbx-f-q{n}"))
    client.force_login(member)
    first = client.get(dashboard(job)).content.decode()
    assert first.count('class="applicant"') == 10 and "Page 1 of 2" in first
    second = client.get(dashboard(job, page=2)).content.decode()
    assert second.count('class="applicant"') == 2


def test_the_csv_lists_the_applications_with_answers_and_escapes_formulas(client, member, job, application, applicant):
    evil = make_applicant("evil@example.com", "=HYPERLINK(\"http://x\")", subject="sbx-f-evil")
    application_for(job, evil, headline="+1 great editor", skills=["@risk", "-dash"])
    client.force_login(member)
    response = client.get(reverse("jobs:review_csv", args=[job.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="reelfolio-applications-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["name"] for row in rows] == ["Jordan Applicant", "'=HYPERLINK(\"http://x\")"]
    assert rows[0]["Can you start in January?"] == "yes"
    assert rows[0]["'=Your rate?"] == "$60/hr"
    assert rows[0]["snapshot"] == "cached"
    assert rows[0]["portfolio"] == "Sneaker ad <https://freelance.example/jordan/p-7>"
    assert rows[1]["headline"] == "'+1 great editor"
    assert rows[1]["skills"] == "'@risk; -dash"

    only_interview = client.get(reverse("jobs:review_csv", args=[job.pk]) + "?status=interview").content.decode()
    assert len(list(csv.DictReader(io.StringIO(only_interview)))) == 0
    assert Application.objects.count() == 2


@pytest.mark.parametrize(
    "name", [' =HYPERLINK("http://x")', "\n+1", "\t@SUM(A1)", "\uff1dHYPERLINK(\"http://x\")", "\u3000\uff0d1"]
)
def test_the_csv_neutralises_formulas_behind_spaces_line_breaks_and_fullwidth_signs(
    client, member, job, application, name
):
    """Spreadsheet programs skip leading whitespace and read fullwidth ＝ ＋ － ＠ as formula signs: before,
    an applicant named " =HYPERLINK(...)" or "＝HYPERLINK(...)" reached the employer's file as a formula."""
    evil = make_applicant("evil@example.com", name, subject="sbx-f-evil")
    application_for(job, evil, headline=name, skills=[name])
    client.force_login(member)
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("jobs:review_csv", args=[job.pk])).content.decode())))
    row = next(row for row in rows if row["email"] == "evil@example.com")
    assert row["name"] == "'" + name.strip()  # the account's name is stored trimmed
    assert (row["headline"], row["skills"]) == ("'" + name, "'" + name)


def test_the_page_of_a_published_job_leads_to_its_applicants(client, member, job):
    client.force_login(member)
    html = client.get(reverse("jobs:job_manage", args=[job.pk])).content.decode()
    assert f'href="{dashboard(job)}">Applicants</a>' in html
