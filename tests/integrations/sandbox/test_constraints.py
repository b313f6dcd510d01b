"""The sandbox's rules hold in the service (ApplicationError) and in the database (IntegrityError)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.errors import ApplicationError
from integrations.sandbox.models import SandboxAuthorizationCode, SandboxClient, SandboxUser
from integrations.sandbox.routers import SANDBOX_DB
from integrations.sandbox.services import sandbox_authorization_code_create

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def code_fields(seeded) -> dict:
    return {
        "client": SandboxClient.objects.get(client_id=seeded.clients["sandbox-freelance"].client_id),
        "user": SandboxUser.objects.get(username="casey"),
        "redirect_uri": seeded.clients["sandbox-freelance"].redirect_uri,
        "scope": "openid",
        "nonce": "",
        "code_challenge_method": "S256",
        "auth_time": 1,
    }


def test_a_code_without_pkce_is_refused_by_the_service(seeded):
    with pytest.raises(ApplicationError, match="This field cannot be blank.") as refused:
        sandbox_authorization_code_create(code="c" * 48, code_challenge="", **code_fields(seeded))

    assert refused.value.field_errors == {"code_challenge": ["This field cannot be blank."]}
    assert not SandboxAuthorizationCode.objects.exists()


def test_a_code_without_pkce_is_refused_by_the_database(seeded):
    with pytest.raises(IntegrityError), transaction.atomic(using=SANDBOX_DB):
        SandboxAuthorizationCode.objects.create(
            code_digest="d" * 64, code_challenge="", expires_at=timezone.now(), **code_fields(seeded)
        )


def test_a_negative_hourly_rate_is_refused_by_the_database(seeded):
    casey = SandboxUser.objects.get(username="casey")

    with pytest.raises(IntegrityError), transaction.atomic(using=SANDBOX_DB):
        SandboxUser.objects.filter(pk=casey.pk).update(hourly_rate=Decimal("-1.00"))

    casey.hourly_rate = Decimal("-1.00")
    with pytest.raises(ValidationError, match="The hourly rate cannot be negative."):
        casey.full_clean()
