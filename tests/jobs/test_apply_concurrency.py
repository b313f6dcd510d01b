"""Exactly once, under real concurrency on PostgreSQL: many applicants at once all get in, and one
applicant pressing many times at once gets one application.

Threads call the apply service as the page and the API do, each on its own database connection; the
profiles come from a local OpenID Connect provider over real HTTP.
"""

import threading
from collections import Counter

import pytest
from django.db import connection

from common.errors import Conflict
from portfolio.jobs.models import Application, ApplicationStatusChange
from portfolio.jobs.services import applications as services
from portfolio.jobs.services.consent import consent_grant
from tests.jobs.apply_support import make_acme_applicant

APPLICANTS = 200
# Presses in flight at once: the database server's connection limit (100, shared with other test runs)
# keeps this below 200; every thread waits at one barrier, then presses for its applicants back to back.
THREADS = 40
PRESSES = 20



def run_at_once(count: int, press) -> list[str]:
    """Starts `count` threads at one barrier; each calls press(n). Returns the errors, one line each."""
    start = threading.Barrier(count)
    errors: list[str] = []

    def worker(n: int):
        try:
            start.wait()
            press(n)
        except Exception as exc:  # reported below, with the others
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_hundred_applicants_pressing_at_once_all_get_their_application(job, fake):
    """No application is lost and nobody sees an error when 200 different people apply at the same moment."""
    applicants = []
    for n in range(APPLICANTS):
        user = make_acme_applicant(f"applicant{n}@example.com", f"Applicant {n}", fake, subject=f"acme-{n}")
        consent_grant(user=user, provider_id="acme")
        applicants.append(user)
    chunks = [applicants[n::THREADS] for n in range(THREADS)]

    def press(n: int):
        for user in chunks[n]:
            services.application_create(job=job, applicant=user)

    errors = run_at_once(THREADS, press)

    assert errors == []
    assert Application.objects.filter(job=job).count() == APPLICANTS
    assert set(Application.objects.values_list("applicant_id", flat=True)) == {user.pk for user in applicants}
    assert ApplicationStatusChange.objects.filter(to_status="new").count() == APPLICANTS
    sources = Counter(Application.objects.values_list("snapshot_source", flat=True))
    print(f"profiles: {dict(sources)}")
    assert sources["live"] > 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_applicant_pressing_twenty_times_at_once_gets_exactly_one_application(job, fake, monkeypatch):
    """The unique constraint decides between presses that pass every check together; the others are told
    when they applied (409), never an error."""
    monkeypatch.setattr(services, "APPLY_RATE", "100/minute")  # every press reaches the constraint
    jordan = make_acme_applicant("jordan@example.com", "Jordan Applicant", fake, subject="acme-jordan")
    consent_grant(user=jordan, provider_id="acme")
    outcomes: list[str] = []

    def press(n: int):
        try:
            services.application_create(job=job, applicant=jordan)
        except Conflict as conflict:
            assert conflict.message.startswith("You applied on ")
            outcomes.append("conflict")
        else:
            outcomes.append("applied")

    errors = run_at_once(PRESSES, press)

    assert errors == []
    assert Counter(outcomes) == {"applied": 1, "conflict": PRESSES - 1}
    assert Application.objects.filter(job=job, applicant=jordan).count() == 1
    assert ApplicationStatusChange.objects.count() == 1
