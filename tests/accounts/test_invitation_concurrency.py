"""An invitation withdrawn at the very moment its invitee accepts it: exactly one of the two happens, and the
other is told why (on PostgreSQL, real threads)."""

import threading
import time

import pytest
from django.db import connection

from common.errors import Conflict
from portfolio.accounts import services
from portfolio.accounts.models import Membership, OrganizationInvitation, User

PASSWORD = "orchid-lantern-42"
ROUNDS = 6


def race(
    *, owner, invitation_id: int, withdraw_lag: float, accept_lag: float
) -> tuple[list[str], list[str], list[str]]:
    """The owner withdraws and the invitee accepts in two threads released together; returns what was done,
    what was refused (the messages) and any other error."""
    start = threading.Barrier(2)
    done: list[str] = []
    refused: list[str] = []
    errors: list[str] = []

    def withdraw():
        services.organization_invitation_withdraw(
            invitation=OrganizationInvitation.objects.get(pk=invitation_id), actor=owner
        )

    def accept():
        services.organization_invitation_accept_new_account(
            invitation=OrganizationInvitation.objects.get(pk=invitation_id), name="New", password=PASSWORD
        )

    def run(name, act, lag):
        try:
            start.wait()
            time.sleep(lag)
            act()
            done.append(name)
        except Conflict as refusal:
            refused.append(refusal.message)
        except Exception as exc:  # reported by the caller
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("withdraw", withdraw, withdraw_lag)),
        threading.Thread(target=run, args=("accept", accept, accept_lag)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return done, refused, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_invitation_withdrawn_while_it_is_accepted_ends_one_way_only():
    owner = services.user_sign_up(
        email="owner@acme.example", name="Olivia", password=PASSWORD, role="employer", organization_name="Acme Films"
    )
    organization = owner.organizations.get()
    # Released together, either may win; given a second's head start, the one that leads wins (both
    # orders then end as they must, whatever the machine's load).
    rounds = [(None, 0.0, 0.0), ("withdraw", 0.0, 1.0), ("accept", 1.0, 0.0)] * (ROUNDS // 3)
    for n, (leader, withdraw_lag, accept_lag) in enumerate(rounds):
        email = f"invitee{n}@example.com"
        invitation = services.organization_invitation_send(organization=organization, actor=owner, email=email)
        done, refused, errors = race(
            owner=owner, invitation_id=invitation.pk, withdraw_lag=withdraw_lag, accept_lag=accept_lag
        )

        assert errors == [] and len(done) == 1 and len(refused) == 1, (done, refused, errors)
        invitation.refresh_from_db()
        joined = Membership.objects.filter(organization=organization, user__email=email).exists()
        if done == ["accept"]:
            assert joined and invitation.withdrawn_at is None and invitation.accepted_at is not None
            assert refused == [f"{email} accepted the invitation already: they are a member now."]
        else:
            assert not joined and not User.objects.filter(email=email).exists()
            assert invitation.withdrawn_at is not None and invitation.accepted_at is None
            assert refused[0].startswith("This invitation was withdrawn by the organization")
        if leader is not None:
            assert done == [leader]
