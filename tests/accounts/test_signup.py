import pytest
from django.conf import settings
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse

from common.errors import ApplicationError
from portfolio.accounts import services
from portfolio.accounts.models import Membership, Organization, User

pytestmark = pytest.mark.django_db

STRONG = "orchid-lantern-42"


def signup_data(**overrides):
    data = {
        "role": "creator",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "password1": STRONG,
        "password2": STRONG,
        "organization_name": "",
        "organization_website": "",
    }
    data.update(overrides)
    return data


def confirmation_path(message) -> str:
    link = next(line for line in message.body.splitlines() if "/accounts/signup/confirm/" in line).strip()
    return link.removeprefix(settings.SITE_URL)


def test_creator_signs_up_confirms_the_email_and_is_logged_in(client, django_capture_on_commit_callbacks):
    """A new account opens once its owner follows the link sent to the address, so the sign-up page
    answers a new and a taken email alike."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup"), signup_data())
    assert response["Location"] == reverse("accounts:signup_check_email")
    user = User.objects.get(email="ada@example.com")
    assert (user.role, user.is_active) == ("creator", False)
    assert "_auth_user_id" not in client.session
    assert not Organization.objects.exists()
    (message,) = mail.outbox
    assert message.to == ["ada@example.com"] and message.subject == "Confirm your email address for Reelfolio"

    response = client.get(confirmation_path(message), follow=True)
    assert "Welcome to Reelfolio, Ada. Your email address is confirmed." in response.content.decode()
    assert response.context["user"] == user
    assert User.objects.get(pk=user.pk).is_active


def test_a_confirmation_link_works_once_and_a_forged_one_never(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:signup"), signup_data())
    path = confirmation_path(mail.outbox[0])
    forged = path.rstrip("/").rsplit("/", 1)[0] + "/not-the-token/"
    response = client.get(forged, follow=True)
    assert "This confirmation link is not valid" in response.content.decode()
    assert not User.objects.get(email="ada@example.com").is_active
    client.get(path)
    client.logout()
    response = client.get(path, follow=True)
    assert "This confirmation link is not valid" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signing_up_again_before_confirming_sends_the_link_again(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:signup"), signup_data())
        response = client.post(reverse("accounts:signup"), signup_data(password1="other-lantern-77",
                                                                      password2="other-lantern-77"))
    assert response["Location"] == reverse("accounts:signup_check_email")
    assert [m.subject for m in mail.outbox] == ["Confirm your email address for Reelfolio"] * 2
    assert User.objects.filter(email="ada@example.com").count() == 1


def test_employer_signs_up_with_an_organization_and_owns_it(client):
    data = signup_data(
        role="employer", email="boss@acme.example", organization_name="Acme Films", organization_website="acme.example"
    )
    client.post(reverse("accounts:signup"), data)
    user = User.objects.get(email="boss@acme.example")
    organization = Organization.objects.get()
    assert (organization.name, organization.slug, organization.website) == (
        "Acme Films",
        "acme-films",
        "https://acme.example",
    )
    assert Membership.objects.get(organization=organization).user == user
    assert Membership.objects.get(organization=organization).role == "owner"


def test_taken_email_creates_nothing_and_only_says_check_your_email_whatever_its_case(client):
    User.objects.create_user(email="ada@example.com", password=STRONG, name="Ada")
    response = client.post(reverse("accounts:signup"), signup_data(email="ADA@Example.com"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_check_email")
    assert User.objects.count() == 1
    assert not Organization.objects.exists()


def test_weak_password_is_refused_with_the_reason(client):
    response = client.post(reverse("accounts:signup"), signup_data(password1="password", password2="password"))
    errors = response.context["form"].errors["password1"]
    assert "This password is too short. It must contain at least 10 characters." in errors
    assert "This password is too common." in errors
    assert not User.objects.exists()


def test_employer_without_organization_name_creates_nothing(client):
    response = client.post(reverse("accounts:signup"), signup_data(role="employer"))
    assert response.context["form"].errors["organization_name"] == [
        "Employers sign up with the name of their organization."
    ]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not User.objects.exists()
    assert not Organization.objects.exists()


def test_service_refuses_an_employer_without_organization_and_writes_nothing():
    with pytest.raises(ApplicationError, match="Employers sign up with the name of their organization."):
        services.user_sign_up(email="x@example.com", name="X", password=STRONG, role="employer")
    assert not User.objects.exists()


def test_organization_failing_validation_rolls_back_the_user():
    """The user and the organization are written together or not at all."""
    with pytest.raises(ApplicationError):
        services.user_sign_up(
            email="x@example.com",
            name="X",
            password=STRONG,
            role="employer",
            organization_name="Acme",
            organization_website="not a url",
        )
    assert not User.objects.exists()


def test_database_refuses_duplicate_email_in_another_case():
    User.objects.create_user(email="ada@example.com", password=STRONG, name="Ada")
    with pytest.raises(IntegrityError):
        User.objects.create(email="ADA@example.com", name="Ada 2")


def test_database_refuses_an_unknown_role():
    with pytest.raises(IntegrityError):
        User.objects.create(email="z@example.com", name="Z", role="wizard")


def test_a_taken_email_is_offered_a_log_in_or_a_new_password_by_email(client, django_capture_on_commit_callbacks):
    User.objects.create_user(email="taken@example.com", password="orchid-lantern-42", name="Taken")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:signup"),
            {"role": "creator", "name": "New", "email": "taken@example.com",
             "password1": "orchid-lantern-42", "password2": "orchid-lantern-42"},
            follow=True,
        )
    assert "Check your email" in response.content.decode()
    [email] = mail.outbox
    assert email.subject == "Your Reelfolio account"
    assert f"{settings.SITE_URL}{reverse('accounts:login')}" in email.body
    assert f"{settings.SITE_URL}/accounts/password/reset/" in email.body


def test_the_optional_website_says_so_once(client):
    """Regression: the label said "(optional)" and a help line under the field said "Optional." again."""
    page = client.get(reverse("accounts:signup")).content.decode()
    assert 'Organization website <span class="muted">(optional)</span>' in page
    assert "Optional." not in page
