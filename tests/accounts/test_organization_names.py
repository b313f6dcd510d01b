"""Organization names are unique whatever the case: a second "Acme Films" would pass for the first on job
pages and consent screens."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from common.errors import ApplicationError, Conflict
from portfolio.accounts import services
from portfolio.accounts.models import Organization, User

pytestmark = pytest.mark.django_db

PASSWORD = "orchid-lantern-42"
TAKEN = "An organization with this name is already on Reelfolio."


@pytest.fixture
def owner():
    return services.user_sign_up(
        email="owner@acme.example", name="Olivia", password=PASSWORD, role="employer", organization_name="Acme Films"
    )


def test_a_second_organization_of_the_same_name_is_refused_whatever_its_case(owner):
    other = User.objects.create_user(email="eve@example.com", password=PASSWORD, name="Eve", role="employer")
    with pytest.raises(Conflict, match=TAKEN) as refused:
        services.organization_create(owner=other, name="  acme FILMS ")
    assert refused.value.field_errors["name"][0].startswith(TAKEN)
    assert Organization.objects.count() == 1
    assert services.organization_create(owner=other, name="Acme Films Lisbon").slug == "acme-films-lisbon"


def test_sign_up_with_a_taken_organization_name_creates_nothing(client, owner):
    data = {
        "role": "employer", "email": "eve@example.com", "name": "Eve", "password1": "Orchid-lantern-42x",
        "password2": "Orchid-lantern-42x", "organization_name": "ACME Films",
        "organization_website": "",
    }
    response = client.post(reverse("accounts:signup"), data)
    assert response.context["form"].errors["organization_name"][0].startswith(TAKEN)
    assert not User.objects.filter(email="eve@example.com").exists()
    assert Organization.objects.count() == 1


def test_the_organization_form_shows_the_refusal(client, owner):
    client.force_login(owner)
    response = client.post(reverse("accounts:organization_create"), {"name": "acme films"})
    assert TAKEN in response.content.decode()
    assert Organization.objects.count() == 1


def test_the_database_refuses_the_same_name_too(owner):
    """The last word when two sign-ups race past the service's check."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(name="ACME FILMS", slug="acme-films-2")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_organizations_of_one_name_created_at_once_leave_one():
    founders = [
        User.objects.create_user(email=f"f{n}@example.com", password=PASSWORD, name=f"F{n}", role="employer")
        for n in range(2)
    ]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def create(user):
        try:
            barrier.wait()
            services.organization_create(owner=user, name="Same Name Studio")
            outcomes.append("created")
        except ApplicationError as error:
            outcomes.append(error.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(user,)) for user in founders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("created") == 1, outcomes
    assert [o for o in outcomes if o != "created"][0].startswith(TAKEN)
    assert Organization.objects.filter(name="Same Name Studio").count() == 1
