"""The database refuses what the services refuse, for writes that bypass them."""

import pytest
from django.db import IntegrityError, transaction

from integrations.oauth.models import LinkedAccount

pytestmark = pytest.mark.django_db


def test_one_provider_account_belongs_to_one_user(creator, other_creator):
    LinkedAccount.objects.create(user=creator, provider_id="acme", role="portfolio", subject="user-42")
    with pytest.raises(IntegrityError), transaction.atomic():
        LinkedAccount.objects.create(user=other_creator, provider_id="acme", role="portfolio", subject="user-42")


def test_one_user_has_one_link_per_provider(creator):
    LinkedAccount.objects.create(user=creator, provider_id="acme", role="portfolio", subject="user-42")
    with pytest.raises(IntegrityError), transaction.atomic():
        LinkedAccount.objects.create(user=creator, provider_id="acme", role="portfolio", subject="user-77")
    LinkedAccount.objects.create(user=creator, provider_id="other", role="videos", subject="user-42")
    assert creator.linked_accounts.count() == 2


@pytest.mark.parametrize(("field", "value"), [("status", "paused"), ("role", "both")])
def test_status_and_role_are_checked(creator, field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        fields = {"role": "portfolio", field: value}
        LinkedAccount.objects.create(user=creator, provider_id="acme", subject="s", **fields)
