"""The last owner stays, even when every owner leaves at the same moment (on PostgreSQL, real threads)."""

import threading

import pytest
from django.db import connection

from common.errors import Conflict
from portfolio.accounts import services
from portfolio.accounts.models import Membership, User

PASSWORD = "orchid-lantern-42"
OWNERS = 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_owners_leaving_at_the_same_moment_leave_one_owner_behind():
    """Regression: the owners were counted with count() on a select_for_update() query, which takes no lock,
    so two owners leaving at once could both pass the check and leave the organization without an owner."""
    first = services.user_sign_up(
        email="o0@acme.example", name="O0", password=PASSWORD, role="employer", organization_name="Acme Films"
    )
    organization = first.organizations.get()
    for n in range(1, OWNERS):
        user = User.objects.create_user(email=f"o{n}@acme.example", password=PASSWORD, name=f"O{n}", role="employer")
        Membership.objects.create(organization=organization, user=user, role="owner")
    memberships = list(Membership.objects.filter(organization=organization))
    start = threading.Barrier(OWNERS)
    left: list[int] = []
    refused: list[str] = []
    errors: list[str] = []

    def leave(membership):
        try:
            start.wait()
            services.membership_leave(membership=membership)
            left.append(membership.pk)
        except Conflict as refusal:
            refused.append(refusal.message)
        except Exception as exc:  # reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=leave, args=(m,)) for m in memberships]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(left) == OWNERS - 1 and len(refused) == 1
    assert "the only owner of Acme Films" in refused[0]
    assert Membership.objects.filter(organization=organization, role="owner").count() == 1
