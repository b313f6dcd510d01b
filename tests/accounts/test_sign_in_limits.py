"""Guessing: logins are limited per account and per client address (django-axes), password-reset requests
per client address and per email, and sign-up and "add member" never tell whether an email has an account."""

import re
import statistics
import time
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from portfolio.accounts.models import Membership, User

pytestmark = pytest.mark.django_db

PASSWORD = "orchid-lantern-42"
LOCKED = "Logging in is paused for 15 minutes after too many wrong passwords"


@pytest.fixture
def ada():
    return User.objects.create_user(email="ada@example.com", password=PASSWORD, name="Ada Lovelace")


def log_in(client, email, password, address="198.51.100.1", **headers):
    return client.post(reverse("accounts:login"), {"username": email, "password": password},
                       REMOTE_ADDR=address, **headers)


def unique_address() -> str:
    """A documentation address of its own, so that counts left in a shared cache by an earlier run never
    meet this test's."""
    n = uuid.uuid4().int
    return f"2001:db8:{n % 65536:x}:{(n >> 16) % 65536:x}::1"


def test_an_account_is_locked_after_five_wrong_passwords_whatever_the_address_then_cools_off(client, ada):
    for n, spelling in enumerate(["ada@example.com", "ADA@example.com", " Ada@Example.com", "ada@EXAMPLE.com"]):
        response = log_in(client, spelling, "wrong-guess-00", address=f"192.0.2.{n + 1}")
        assert "That email and password do not match an account." in response.content.decode()
    fifth = log_in(client, "ada@example.com", "wrong-guess-00", address="192.0.2.5")
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()
    assert fifth["Retry-After"] == "900"
    assert reverse("accounts:password_reset") in fifth.content.decode()
    locked = log_in(client, "ada@example.com", PASSWORD, address="192.0.2.200")
    assert locked.status_code == 429
    assert not client.get(reverse("home")).context["user"].is_authenticated

    with freeze_time(timezone.now() + timedelta(minutes=16)):
        assert log_in(client, "ada@example.com", PASSWORD, address="192.0.2.200").status_code == 302
    assert client.get(reverse("home")).context["user"] == ada


def test_an_address_behind_the_proxies_is_locked_after_five_failures_on_any_accounts(client, ada, settings):
    """Behind one proxy, the address is the right hop of X-Forwarded-For, as for click counts."""
    settings.NUM_PROXIES = 1
    attacker = {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9"}
    for n in range(4):
        log_in(client, f"guess{n}@example.com", "wrong-guess-00", address="10.0.0.1", **attacker)
    assert LOCKED in log_in(client, "guess4@example.com", "wrong-guess-00", address="10.0.0.1",
                            **attacker).content.decode()
    locked = log_in(client, "ada@example.com", PASSWORD, address="10.0.0.1", **attacker)
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()

    # Ada, at another address behind the same proxy, is not held up by the attacker's failures.
    response = log_in(client, "ada@example.com", PASSWORD, address="10.0.0.1",
                      HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == ada


def test_a_successful_login_clears_the_account_failures(client, ada):
    for _ in range(4):
        log_in(client, "ada@example.com", "wrong-guess-00")
    assert log_in(client, "ada@example.com", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        log_in(client, "ada@example.com", "wrong-guess-00", address="192.0.2.99")
    assert log_in(client, "ada@example.com", PASSWORD, address="192.0.2.98").status_code == 302


def reset(client, email, address):
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_password_reset_requests_are_limited_per_email(client, settings):
    settings.PASSWORD_RESET_RATE = "3/hour"
    email = f"reset-{uuid.uuid4().hex[:12]}@example.com"
    User.objects.create_user(email=email, password=PASSWORD, name="Reset")
    for _ in range(3):
        assert reset(client, email, unique_address()).status_code == 302
    refused = reset(client, email.upper(), unique_address())
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert re.search(r"Too many password reset requests for this email or from your network\. Try again in \d+ "
                     r"minutes?; a link already sent still works\.", refused.content.decode())
    assert len(mail.outbox) == 3


def test_password_reset_requests_are_limited_per_address_whether_or_not_the_emails_have_accounts(client, settings):
    settings.PASSWORD_RESET_RATE = "3/hour"
    address = unique_address()
    for _ in range(3):
        assert reset(client, f"ghost-{uuid.uuid4().hex[:12]}@example.com", address).status_code == 302
    refused = reset(client, f"ghost-{uuid.uuid4().hex[:12]}@example.com", address)
    assert refused.status_code == 429
    assert "Too many password reset requests" in refused.content.decode()
    assert reset(client, f"ghost-{uuid.uuid4().hex[:12]}@example.com", unique_address()).status_code == 302


def signup_data(**overrides):
    return {"role": "creator", "name": "New", "email": "new@example.com", "password1": PASSWORD,
            "password2": PASSWORD, **overrides}


def test_signing_up_with_a_taken_email_says_check_your_email_and_emails_the_owner_a_reset_link(
    client, ada, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup"), signup_data(email="ADA@example.com"), follow=True)
    page = response.content.decode()
    assert "Check your email" in page
    assert "already" not in page and "exists" not in page
    assert not response.context["user"].is_authenticated
    assert User.objects.count() == 1
    [email] = mail.outbox
    assert email.to == ["ada@example.com"]
    assert "already has an account, so nothing was created" in email.body
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", email.body).group(1)
    assert client.get(link, follow=True).context["validlink"]


class TimingHasher(PBKDF2PasswordHasher):
    """PBKDF2 with fewer rounds: slow enough that skipping it shows in a timing (and that the hash, not the
    machine's other load, is most of a sign-up), fast enough for 200 sign-ups."""

    algorithm = "pbkdf2_sha256_timing"
    iterations = 60_000


def test_signing_up_takes_as_long_with_a_taken_email_as_with_a_new_one(
    client, ada, settings, django_capture_on_commit_callbacks
):
    """Before, a taken email was answered without hashing the password (9 ms against 264 ms for a new one),
    which told anyone timing the page which addresses have an account. Both now validate and hash the
    password, make the account (undone for a taken one) and write an email; 100 sign-ups of each, interleaved,
    compare by their medians."""
    settings.PASSWORD_HASHERS = ["tests.accounts.test_sign_in_limits.TimingHasher"]
    hashing = []
    for _ in range(15):
        started = time.perf_counter()
        make_password(PASSWORD)
        hashing.append(time.perf_counter() - started)
    one_hash = statistics.median(hashing)
    took: dict[str, list[float]] = {"new": [], "taken": []}
    for n in range(100):
        pair = [("new", f"new-{n}@example.com"), ("taken", "ada@example.com")]
        for kind, email in pair if n % 2 else pair[::-1]:  # each goes first half the time
            started = time.perf_counter()
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(reverse("accounts:signup"), signup_data(email=email))
            took[kind].append(time.perf_counter() - started)
            assert response["Location"] == reverse("accounts:signup_check_email")
    assert len(mail.outbox) == 200  # every sign-up wrote its email
    new, taken = statistics.median(took["new"]), statistics.median(took["taken"])
    # Meaningful: each path does at least the hashing. The same: they differ by less than half a hash, or a
    # tenth of a sign-up on a machine so loaded that a tenth is more (before: a new one took 4 times as long).
    assert min(new, taken) > 0.8 * one_hash, (new, taken, one_hash)
    assert abs(new - taken) < max(0.5 * one_hash, 0.1 * max(new, taken)), (new, taken, one_hash)


@pytest.fixture
def owner():
    from portfolio.accounts import services

    return services.user_sign_up(email="boss@acme.example", name="Bo Boss", password=PASSWORD, role="employer",
                                 organization_name="Acme Films")


def test_inviting_a_member_says_the_same_whether_or_not_the_email_has_an_employer_account(
    client, owner, settings, django_capture_on_commit_callbacks
):
    """Before, an existing employer became a member at once (and showed in the members list), a new address
    was listed as invited and a creator's in neither: the page told which addresses have which account."""
    colleague = User.objects.create_user(email="sam@acme.example", password=PASSWORD, name="Sam", role="employer")
    User.objects.create_user(email="creator@example.com", password=PASSWORD, name="Cy", role="creator")
    client.force_login(owner)
    url = reverse("accounts:organization_detail", args=["acme-films"])
    answers = {}
    for email in ("sam@acme.example", "nobody@example.com", "creator@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"email": email}, follow=True)
        [message] = [str(m) for m in response.context["messages"]]
        answers[email] = message.replace(email, "<email>")
    assert len(set(answers.values())) == 1, answers
    assert answers["nobody@example.com"] == (
        "Reelfolio emailed an invitation to <email>. They join Acme Films once they accept it; "
        "until then it is listed under Pending invitations."
    )
    assert not Membership.objects.filter(user=colleague).exists()
    assert Membership.objects.count() == 1
    invited = [i.email for i in response.context["invitations"]]
    assert sorted(invited) == ["creator@example.com", "nobody@example.com", "sam@acme.example"]

    existing, invite, not_employer = mail.outbox
    assert existing.to == ["sam@acme.example"]
    assert "log in with your employer account and join Acme Films" in existing.body
    assert invite.to == ["nobody@example.com"]
    assert invite.subject == existing.subject == "Bo Boss invites you to Acme Films on Reelfolio"
    assert "make your employer account and join Acme Films" in invite.body
    assert f"{settings.SITE_URL}/accounts/invitations/" in invite.body
    assert not_employer.to == ["creator@example.com"]
    assert "is a creator account, and only employer accounts can join" in not_employer.body


def test_a_taken_email_is_refused_for_what_a_new_one_would_be_and_leaves_nothing(
    client, ada, owner, django_capture_on_commit_callbacks
):
    """Before, an employer sign-up whose organization name was taken was refused for a new email only: a
    taken email went on to "check your email", which told that it had an account."""
    pages = {}
    for email in ("ada@example.com", "new@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:signup"), signup_data(
                email=email, role="employer", organization_name="ACME films"))
        assert response.status_code == 200
        page = response.content.decode().replace(email, "<email>")
        pages[email] = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    assert "An organization with this name is already on Reelfolio." in pages["new@example.com"]
    assert pages["ada@example.com"] == pages["new@example.com"]
    assert mail.outbox == []
    assert sorted(User.objects.values_list("email", flat=True)) == ["ada@example.com", "boss@acme.example"]
