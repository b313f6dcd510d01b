"""Nothing in the logs can take over an account: a full password reset and a full link against the sandbox,
with the 404s and 405s someone may cause on the same URLs, leave no reset token and no OAuth code or state
in any log line, Django's own `django.request` lines included."""

import io
import json
import logging
import re
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from integrations.oauth.models import LinkedAccount

from .helpers import finish, page_text, start_connect

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)

NEW_PASSWORD = "quartz-meadow-97"


@contextmanager
def console_lines():
    """What the console handler writes (the JSON lines of production), into a list of dicts."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    lines: list[dict] = []
    try:
        yield lines
    finally:
        handler.setStream(previous)
        lines.extend(json.loads(line) for line in buffer.getvalue().splitlines() if line.strip())


def every_log_text(caplog, lines) -> str:
    """Every captured record with all its attributes, then every JSON line, as one text to search."""
    records = [f"{record.getMessage()} {vars(record)!r}" for record in caplog.records]
    return "\n".join(records + [json.dumps(line) for line in lines])


def test_a_password_reset_and_an_oauth_link_leave_no_secret_in_the_logs(client, caplog, creator, sandbox_partner):
    caplog.set_level(logging.INFO)
    with console_lines() as lines:
        # A full password reset, from the link in the email.
        client.post(reverse("accounts:password_reset"), {"email": creator.email})
        [email] = mail.outbox
        reset_path = urlsplit(re.search(r"https?://\S+", email.body).group(0)).path
        uidb64, token = reset_path.rstrip("/").split("/")[-2:]
        not_found = client.get(f"{reset_path}more/")
        form = client.get(reset_path)
        assert form.status_code == 302  # Django swaps the token for a placeholder in the URL
        done = client.post(form["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        assert done.status_code == 302
        creator.refresh_from_db()
        assert creator.check_password(NEW_PASSWORD)

        # A full link of the sandbox freelance account.
        client.force_login(creator)
        authorization_url = start_connect(client, "sandbox-freelance")
        parts = urlsplit(authorization_url)
        local = f"{parts.path}?{parts.query}"
        sandbox_user = sandbox_partner.user
        client.post("/sandbox/login", {"username": sandbox_user.username, "password": sandbox_user.password,
                                       "next": local})
        callback_url = client.post(local, {"decision": "allow"})["Location"]
        callback = urlsplit(callback_url)
        query = parse_qs(callback.query)
        code, state = query["code"][0], query["state"][0]
        oauth_wrong_method = client.post(f"{callback.path}?{callback.query}")
        oauth_not_found = client.get(f"/integrations/oauth/no-such-provider/callback/?{callback.query}")
        linked = finish(client, callback_url)
        assert "Your Sandbox Freelance account is linked." in page_text(linked)
        assert LinkedAccount.objects.filter(provider_id="sandbox-freelance").exists()

    assert not_found.status_code == 404
    assert (oauth_wrong_method.status_code, oauth_not_found.status_code) == (405, 404)
    text = every_log_text(caplog, lines)
    assert uidb64 in text  # the reset requests were logged, their token was not
    assert "/integrations/oauth/sandbox-freelance/callback/" in text
    for secret in (token, code, state):
        assert len(secret) >= 8 and secret not in text

    # Django's own lines on 404 and 405 carry the request id the response gave the visitor.
    django_lines = {line["request_id"]: line for line in lines if line["logger"] == "django.request"}
    for response in (not_found, oauth_wrong_method, oauth_not_found):
        assert response["X-Request-ID"] in django_lines, response["X-Request-ID"]


@pytest.mark.django_db(transaction=True)
def test_a_sign_up_confirmation_leaves_no_token_in_the_logs(client, caplog):
    caplog.set_level(logging.INFO)
    with console_lines() as lines:
        client.post(reverse("accounts:signup"), {
            "role": "creator", "name": "Nia New", "email": "nia@example.com", "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD, "organization_name": "", "organization_website": "",
        })
        [email] = mail.outbox
        confirm_path = urlsplit(re.search(r"https?://\S+/signup/confirm/\S+", email.body).group(0)).path
        token = confirm_path.rstrip("/").split("/")[-1]
        assert client.get(confirm_path).status_code == 302
        assert client.get(f"{confirm_path}more/").status_code == 404
    text = every_log_text(caplog, lines)
    assert "/accounts/signup/confirm/" in text  # the confirmation was logged, its token was not
    assert len(token) >= 8 and token not in text
