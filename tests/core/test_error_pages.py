"""Error pages look like the site and say what to do next (DEBUG is off in tests, as in production)."""

import pytest
from django.test import Client
from django.urls import reverse

from portfolio.accounts.models import User

pytestmark = pytest.mark.django_db


def test_an_unknown_address_gets_the_sites_404_page(client):
    response = client.get("/@nobody-has-this-handle")
    assert response.status_code == 404
    page = response.content.decode()
    assert "This page does not exist" in page
    assert 'class="brand"' in page  # the site's own header, not a bare "Not Found"


def test_a_403_says_why(client):
    employer = User.objects.create_user(email="e@example.com", password="x-x-x-x-x-x", name="E", role="employer")
    client.force_login(employer)
    response = client.get(reverse("creators:video_list"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "You cannot open this page" in page
    assert "Only creator accounts have videos and portfolio links." in page


def test_an_expired_form_says_nothing_changed():
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(reverse("accounts:login"), {"username": "a@example.com", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "This form expired" in page
    assert "Nothing was changed." in page
