import re

import pytest
from django.core import mail
from django.urls import reverse

from portfolio.accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "orchid-lantern-42"


@pytest.fixture
def ada():
    return User.objects.create_user(email="ada@example.com", password=PASSWORD, name="Ada Lovelace")


def test_login_and_logout(client, ada):
    response = client.post(reverse("accounts:login"), {"username": "ada@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == ada
    client.post(reverse("accounts:logout"))
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_wrong_password_says_so(client, ada):
    response = client.post(reverse("accounts:login"), {"username": "ada@example.com", "password": "nope-nope-nope"})
    assert "That email and password do not match an account." in response.content.decode()


def test_password_change(client, ada):
    client.force_login(ada)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "velvet-harbor-77", "new_password2": "velvet-harbor-77"},
    )
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.check_password("velvet-harbor-77")


def test_password_reset_by_email_link(client, ada):
    client.post(reverse("accounts:password_reset"), {"email": "ada@example.com"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Reset your Reelfolio password"
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "velvet-harbor-77", "new_password2": "velvet-harbor-77"}
    )
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.check_password("velvet-harbor-77")


def test_password_reset_for_unknown_email_reveals_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "ghost@example.com"}, follow=True)
    assert "If an account uses that address" in response.content.decode()
    assert mail.outbox == []


def test_logging_out_says_so_on_the_page_it_lands_on(client, ada):
    """Regression: after "Log out" the home page looked the same as for any visitor, with no word of what happened."""
    client.force_login(ada)
    response = client.post(reverse("accounts:logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "You are logged out." in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_an_invalid_reset_link_says_so_in_its_heading(client):
    page = client.get(reverse("accounts:password_reset_confirm", args=["abc", "def-ghi"])).content.decode()
    assert "<h1>This reset link does not work</h1>" in page
    assert "Choose a new password" not in page


def test_a_page_that_needs_a_login_says_why_the_login_form_appeared(client, ada):
    response = client.get(reverse("creators:video_list"), follow=True)
    page = response.content.decode()
    assert "That page needs you to log in first; you go there right after." in page
    assert "needs you to log in first" not in client.get(reverse("accounts:login")).content.decode()
