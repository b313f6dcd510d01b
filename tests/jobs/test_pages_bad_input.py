"""Bad input to any form of any page gets a clear answer, never a 500.

Driven from the pages themselves, so that a new form or field is covered as soon as a page shows it: for a
visitor, an employer and an applicant, the pages reachable by links from a few starting points are read,
and every field of every form on them (inputs, hidden ones included, text areas, selects) is sent a NUL
character and a 1 MB string (each field in turn, the others keeping what the page filled in), a lone
surrogate (its UTF-8 bytes, which a form cannot carry otherwise) and JSON nested 5,000 deep (all the fields
at once), and 10,000 values. A NUL is refused with a 400 page that names the field. Before, a NUL in a
status-change note or a screening answer reached PostgreSQL (a DataError, 500).
"""

import re
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

from tests.jobs.conftest import org_videos
from tests.jobs.review_support import published_job
from tests.jobs.test_permissions import world as world  # the fixture: an organization with a job, an application, ...

pytestmark = pytest.mark.django_db

MAX_PAGES_PER_ROLE = 60
_FORMSET_ROW = re.compile(r"-\d+-")
# Not pages of the product's forms: files, the API, the short-link redirect, the admin, the partners' sandbox.
SKIPPED = ("/static/", "/media/", "/api/", "/l/", "/admin/", "/sandbox/", "/i18n/", "/metrics")
# Sent to each field in turn, the others keeping what the page filled in.
EACH_FIELD = {"NUL": quote("a\x00b"), "1 MB string": "x" * 1_000_000}
# Sent to all the fields of a form at once (a form's body holds them all well under Django's limits).
ALL_FIELDS = {
    "lone surrogate": quote("a\ud800b".encode("utf-8", "surrogatepass")),
    "deep JSON": quote("[" * 5_000 + "]" * 5_000),
}


class _Page(HTMLParser):
    """The links and the forms of a page: for each form its method, action and fields with their values."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        form = self.forms[-1] if self.forms else None
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        elif tag == "form":
            method = (attributes.get("method") or "get").lower()
            self.forms.append({"method": method, "action": attributes.get("action") or "", "fields": {}})
        elif form is None:
            return
        elif tag == "input" and attributes.get("name"):
            kind = (attributes.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                form["fields"].setdefault(attributes["name"], None)
                return
            form["fields"][attributes["name"]] = attributes.get("value") or ""
        elif tag == "textarea" and attributes.get("name"):
            self._textarea = attributes["name"]
            form["fields"][self._textarea] = ""
        elif tag == "select" and attributes.get("name"):
            self._select = attributes["name"]
            form["fields"][self._select] = None
        elif tag == "option" and self._select and (form["fields"][self._select] is None or "selected" in attributes):
            form["fields"][self._select] = attributes.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


def _crawl(client, starts: list[str]) -> list[tuple[str, dict]]:
    """(page, form) for every form of the pages reachable from `starts`, each form once."""
    pending, seen, forms, form_keys = list(starts), set(), [], set()
    while pending and len(seen) < MAX_PAGES_PER_ROLE:
        url = pending.pop(0)
        path = urlsplit(url).path
        if url in seen or path.startswith(SKIPPED) or path.endswith((".csv", ".png", ".svg", ".json")):
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        for link in page.links:
            target = urljoin(url, link)
            if target.startswith("/") and "logout" not in target:
                pending.append(target.split("#")[0])
        for form in page.forms:
            action = urljoin(url, form["action"]) if form["action"] else url
            fields = {name: value for name, value in form["fields"].items() if name != "csrfmiddlewaretoken"}
            # The same form on another object's page, or a formset's second row, adds no field of its own.
            rows = sorted({_FORMSET_ROW.sub("-N-", name) for name in fields})
            key = (form["method"], _view_name(action), tuple(rows))
            if fields and key not in form_keys and not urlsplit(action).path.startswith(SKIPPED):
                form_keys.add(key)
                forms.append((url, {**form, "action": action, "fields": fields}))
    return forms


def _view_name(url: str) -> str:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return urlsplit(url).path


def _fuzzed(fields: dict) -> list[str]:
    """The fields to send bad input to: each of them, a formset's rows after the first but once."""
    names, rows = [], set()
    for name in fields:
        row = _FORMSET_ROW.sub("-N-", name)
        if row not in rows:
            rows.add(row)
            names.append(name)
    return names


def _encoded(fields: dict, name: str, bad: str) -> str:
    pairs = [f"{quote(key)}={quote(value or '')}" for key, value in fields.items() if key != name and value is not None]
    return "&".join([*pairs, f"{quote(name)}={bad}"])


def _submit(client, form: dict, body: str):
    if form["method"] == "post":
        return client.post(form["action"], body, content_type="application/x-www-form-urlencoded")
    separator = "&" if "?" in form["action"] else "?"
    return client.get(f"{form['action']}{separator}{body}")


@pytest.fixture
def roles(world, employer, organization, client):  # noqa: F811 - the fixture imported above
    job_page = f"/jobs/{world.open_job.slug}/"
    # A job the applicant has not applied to yet, whose screening questions they answer on a page.
    questions = [
        {"kind": "short_text", "prompt": "Where?", "required": True, "choices": [], "prefill_from": ""},
        {"kind": "single_choice", "prompt": "Which?", "required": True, "choices": ["A", "B"], "prefill_from": ""},
    ]
    second = published_job(
        organization=organization, actor=employer, video=org_videos(organization, 1, prefix="bad-v")[0],
        questions=questions,
    )
    starts = {
        "visitor": (None, ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", job_page]),
        "employer": (employer, ["/", "/accounts/organizations/", f"/accounts/organizations/{world.organization.slug}/",
                                "/jobs/manage/", job_page]),
        "applicant": (world.applicant, [
            "/", "/applications/", "/creator/videos/", "/creator/analytics/", "/creator/settings/", "/creator/profile/",
            job_page, f"/jobs/{second.slug}/apply/consent/", f"/jobs/{second.slug}/apply/questions/",
        ]),
    }
    return starts


def test_every_form_field_takes_bad_input_without_a_server_error(client, roles):
    walked = 0
    for role, (user, starts) in roles.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        forms = _crawl(client, starts)
        assert forms, role
        for page, form in forms:
            sent = [(name, label, _encoded(form["fields"], name, bad))
                    for name in _fuzzed(form["fields"]) for label, bad in EACH_FIELD.items()]
            sent += [("every field", label, "&".join(f"{quote(name)}={bad}" for name in form["fields"]))
                     for label, bad in ALL_FIELDS.items()]
            first = quote(next(iter(form["fields"])))
            sent.append(("one field", "10,000 values", "&".join([f"{first}=x"] * 10_000)))
            for name, label, body in sent:
                if user is not None and "_auth_user_id" not in client.session:
                    client.force_login(user)  # a form logged this person out
                response = _submit(client, form, body)
                what = f"{role} {page}: {form['method'].upper()} {form['action']} {name}={label}"
                assert response.status_code < 500, (what, response.status_code)
                if label == "NUL":
                    assert response.status_code == 400, (what, response.status_code)
                    assert f"“{name}” contains a NUL character" in response.content.decode(), what
                    walked += 1
    assert walked >= 30, walked
