#!/usr/bin/env python3
"""The benchmark's work inside Django: seeding, signing webhook events, folding and counting, the outbox.

Run by bench/run.py in the benchmark's environment (its throwaway database, its Redis); each subcommand
prints one line `RESULT <json>`:

    side.py seed --videos N --creators N --anchors N --jobs N --applicants N --out FILE
    side.py webhooks --seeded FILE --count N --out FILE
    side.py warm-links --seeded FILE
    side.py fold
    side.py counts --since ISO
    side.py outbound --organization ID --receiver URL --count N
    side.py endpoints --receiver URL --event TYPE
    side.py deliveries

Seeding uses bulk_create in batches (one INSERT per batch), the way a realistic data set of 100,000 videos
is written in seconds; the rows are those the services would write, with the constraints of the models.
"""

import argparse
import json
import os
import secrets
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")

import django  # noqa: E402

django.setup()

from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

PLATFORM = "bench-video"
PROVIDER = "bench-folio"
BATCH = 5000
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def result(value) -> None:
    print("RESULT " + json.dumps(value), flush=True)


def _alnum(length: int) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def seed(args) -> None:
    from common import crypto
    from integrations.partners.services import partner_create
    from integrations.providers.types import PortfolioItem, Profile
    from portfolio.accounts.models import Membership, Organization, User
    from portfolio.creators.models import CreatorProfile, PortfolioAnchor, Video
    from portfolio.jobs.models import ApplyConsent, Job
    from portfolio.jobs.services.consent import SHARED_FIELDS

    from integrations.oauth.models import LinkedAccount, OAuthToken  # isort: skip

    started = time.monotonic()
    cache.clear()
    organizations = max(1, args.jobs // 5)
    assert args.applicants <= args.creators, "applicants are creators"
    # Users: the creators, each organization's owner and its video holder. Unusable passwords: the
    # applicants sign in through the sessions written below, nobody through the login form.
    users = [
        User(email=f"creator{n}@bench.example", name=f"Creator {n}", role="creator", password="!bench")
        for n in range(args.creators)
    ]
    users += [
        User(email=f"owner{n}@bench.example", name=f"Owner {n}", role="employer", password="!bench")
        for n in range(organizations)
    ]
    users += [
        User(email=f"holder{n}@bench.example", name=f"Studio {n} videos", role="employer", password="!bench")
        for n in range(organizations)
    ]
    User.objects.bulk_create(users, batch_size=BATCH)
    by_email = dict(User.objects.values_list("email", "id"))
    creators = [by_email[f"creator{n}@bench.example"] for n in range(args.creators)]
    CreatorProfile.objects.bulk_create(
        [CreatorProfile(user_id=user_id, handle=f"creator{n}") for n, user_id in enumerate(creators)], batch_size=BATCH
    )
    Organization.objects.bulk_create(
        [
            Organization(name=f"Studio {n}", slug=f"studio-{n}", video_holder_id=by_email[f"holder{n}@bench.example"])
            for n in range(organizations)
        ]
    )
    org_ids = list(Organization.objects.order_by("id").values_list("id", flat=True))
    Membership.objects.bulk_create(
        [
            Membership(organization_id=org_id, user_id=by_email[f"owner{n}@bench.example"], role="owner")
            for n, org_id in enumerate(org_ids)
        ]
    )

    # Videos v-0 ... v-(N-1): the first `jobs` belong to the organizations (a job is posted on each), the
    # rest are the creators', spread evenly. Every (videos // anchors)-th video carries a portfolio anchor.
    def owner_of(n: int) -> int:
        if n < args.jobs:
            return by_email[f"holder{n % organizations}@bench.example"]
        return creators[n % len(creators)]

    now = timezone.now()
    for start in range(0, args.videos, BATCH):
        Video.objects.bulk_create(
            [
                Video(
                    owner_id=owner_of(n), platform=PLATFORM, platform_video_id=f"v-{n}", title=f"Video {n}",
                    share_url=f"https://video.example/v-{n}", published_at=now,
                )
                for n in range(start, min(args.videos, start + BATCH))
            ]
        )
    video_ids = dict(Video.objects.filter(platform=PLATFORM).values_list("platform_video_id", "id"))
    step = max(1, (args.videos - args.jobs) // max(1, args.anchors))
    anchored = [args.jobs + k * step for k in range(args.anchors) if args.jobs + k * step < args.videos]
    codes = [f"b{n:07d}" for n in anchored]
    PortfolioAnchor.objects.bulk_create(
        [
            PortfolioAnchor(
                video_id=video_ids[f"v-{n}"], code=code, target_kind="reelfolio_page",
                target_url=f"https://reelfolio.example/@creator{n % len(creators)}",
            )
            for n, code in zip(anchored, codes, strict=True)
        ],
        batch_size=BATCH,
    )
    closes = (now + timedelta(days=60)).date()
    Job.objects.bulk_create(
        [
            Job(
                organization_id=org_ids[n % organizations], video_id=video_ids[f"v-{n}"], slug=f"bench-job-{n}",
                title=f"Motion designer {n}", description="Short films for our launches.",
                employment_type="CONTRACTOR", workplace="remote", remote_countries=["DE", "FR", "US"],
                skills=["After Effects"], closes_on=closes, status="published", published_at=now,
                created_by_id=by_email[f"owner{n % organizations}@bench.example"],
            )
            for n in range(args.jobs)
        ],
        batch_size=BATCH,
    )
    slugs = [f"bench-job-{n}" for n in range(args.jobs)]

    # Applicants: the first creators, each with a linked freelance account at the benchmark's provider
    # (its API is the local receiver), consent given, and a signed-in session.
    applicants = creators[: args.applicants]
    profile = Profile(
        display_name="Bench Creator", headline="Motion designer", bio="Short films.", skills=["After Effects"],
        rate="$80/hr", location="Berlin", portfolio_items=[PortfolioItem(id="p1", title="Launch film",
                                                                            url="https://folio.example/p1")],
    ).as_json()
    LinkedAccount.objects.bulk_create(
        [
            LinkedAccount(
                user_id=user_id, provider_id=PROVIDER, role="portfolio", subject=f"folio-{n}", status="active",
                profile=profile, last_synced_at=now,
            )
            for n, user_id in enumerate(applicants)
        ],
        batch_size=BATCH,
    )
    linked = dict(LinkedAccount.objects.filter(provider_id=PROVIDER).values_list("user_id", "id"))
    OAuthToken.objects.bulk_create(
        [
            OAuthToken(
                linked_account_id=linked[user_id], access_token_encrypted=crypto.encrypt(f"tok-folio-{n}"),
                refresh_token_encrypted=crypto.encrypt(f"refresh-folio-{n}"),
                expires_at=now + timedelta(days=30),
            )
            for n, user_id in enumerate(applicants)
        ],
        batch_size=BATCH,
    )
    ApplyConsent.objects.bulk_create(
        [ApplyConsent(user_id=user_id, provider_id=PROVIDER, fields=list(SHARED_FIELDS)) for user_id in applicants],
        batch_size=BATCH,
    )
    backend = "django.contrib.auth.backends.ModelBackend"
    hashes = {user.pk: user.get_session_auth_hash() for user in User.objects.filter(pk__in=applicants)}
    store = SessionStore()
    sessions = []
    rows = []
    for n, user_id in enumerate(applicants):
        key = _alnum(32)
        data = {"_auth_user_id": str(user_id), "_auth_user_backend": backend, "_auth_user_hash": hashes[user_id]}
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=now + timedelta(days=1)))
        sessions.append({"session": key, "csrf": _alnum(32), "job": slugs[n % len(slugs)]})
    Session.objects.bulk_create(rows, batch_size=BATCH)

    partner = partner_create(name="Bench Partner", slug="bench-partner")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    Path(args.out).write_text(
        json.dumps(
            {
                "api_key": partner.key,
                "partner": partner.partner.slug,
                "webhook_secret": partner.webhook_secret,
                "codes": codes,
                "video_ids": [f"v-{n}" for n in range(args.videos)],
                "applicants": sessions,
                "organization": org_ids[0],
            }
        )
    )
    result(
        {
            "videos": Video.objects.count(),
            "creators": CreatorProfile.objects.count(),
            "anchors": PortfolioAnchor.objects.count(),
            "jobs": Job.objects.filter(status="published").count(),
            "applicants": len(sessions),
            "seconds": round(time.monotonic() - started, 1),
        }
    )


def webhooks(args) -> None:
    """Writes `count` inbound events, each with its own id, signed now (well inside the 5-minute window)."""
    from integrations.webhooks.outbound import signing

    seeded = json.loads(Path(args.seeded).read_text())
    partner, secret = seeded["partner"], seeded["webhook_secret"]
    now = datetime.now(tz=UTC)
    run = secrets.token_hex(4)
    lines = []
    for n in range(args.count):
        event_id = f"evt_bench_{run}_{n}"
        body = json.dumps(
            {
                "type": "profile.updated",
                "timestamp": now.isoformat().replace("+00:00", "Z"),
                "data": {"provider": PROVIDER, "account_id": f"unknown-{run}-{n}", "updated_at": now.isoformat()},
            },
            separators=(",", ":"),
        )
        headers = signing.headers(secrets=[secret], msg_id=event_id, body=body, now=now)
        headers["Content-Type"] = "application/json"
        lines.append(request_line("POST", f"/integrations/webhooks/{partner}/", headers, body))
    Path(args.out).write_text("".join(lines))
    result({"events": args.count, "prefix": f"evt_bench_{run}_"})


def request_line(method: str, path: str, headers: dict[str, str], body: str = "") -> str:
    """One request of a wrk request file: method, path, headers (name: value, joined by \\x1f) and body,
    separated by tabs, on one line."""
    assert "\t" not in body and "\n" not in body
    header_text = "\x1f".join(f"{name}: {value}" for name, value in headers.items())
    return f"{method}\t{path}\t{header_text}\t{body}\n"


def warm_links(args) -> None:
    """Resolves every seeded short link once, as the redirect does on a cache miss, so that the links
    are in the cache before the timed redirects."""
    from portfolio.creators import selectors

    codes = json.loads(Path(args.seeded).read_text())["codes"]
    for code in codes:
        selectors.link_resolve(code=code)
    result({"links": len(codes)})


def fold(args) -> None:
    from django.db.models import Sum

    from portfolio.creators.models import LinkClickDaily
    from portfolio.creators.services import clicks_fold

    clicks_fold()
    result({"clicks": LinkClickDaily.objects.aggregate(total=Sum("clicks"))["total"] or 0})


def counts(args) -> None:
    from django.db.models import Count

    from integrations.webhooks.models import InboundEvent
    from portfolio.jobs.models import Application

    events = InboundEvent.objects.filter(event_id__startswith=args.event_prefix) if args.event_prefix else None
    result(
        {
            "applications": Application.objects.count(),
            "applicants": Application.objects.values("applicant").distinct().count(),
            "events": events.count() if events is not None else 0,
            "event_ids": events.values("event_id").distinct().count() if events is not None else 0,
            "events_repeated": (
                events.values("event_id").annotate(n=Count("id")).filter(n__gt=1).count() if events is not None else 0
            ),
        }
    )


def outbound(args) -> None:
    """Registers an endpoint (the local receiver) for the organization, emits `count` events in one
    transaction (its commit enqueues one delivery task each), and counts the deliveries delivered from the
    commit on, until all are or `seconds` have passed."""
    from integrations.webhooks.models import Delivery, Endpoint
    from integrations.webhooks.outbound.services import endpoint_create, event_emit
    from portfolio.jobs.events import OWNER_TYPE

    endpoint = Endpoint.objects.filter(owner_type=OWNER_TYPE, owner_id=args.organization).first()
    if endpoint is None:
        endpoint, _ = endpoint_create(
            owner_type=OWNER_TYPE, owner_id=args.organization, url=args.receiver, event_types=["job.published"],
        )
    last = Delivery.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    started = time.monotonic()
    with transaction.atomic():
        for n in range(args.count):
            event_emit(
                owner_type=OWNER_TYPE, owner_id=args.organization, type="job.published",
                data={"job_id": n, "title": f"Bench job {n}", "url": f"https://reelfolio.example/jobs/bench-{n}/"},
            )
    committed = time.monotonic()
    deadline = committed + args.seconds
    delivered = 0
    ours = Delivery.objects.filter(endpoint=endpoint, pk__gt=last)
    while time.monotonic() < deadline:
        delivered = ours.filter(status="delivered").count()
        if delivered >= args.count:
            break
        time.sleep(0.05)
    elapsed = time.monotonic() - committed
    result(
        {
            "events": args.count,
            "delivered": delivered,
            "seconds": round(elapsed, 2),
            "emit_seconds": round(committed - started, 2),
            "per_second": round(delivered / elapsed, 1),
            "failed_attempts": ours.exclude(last_error="").count(),
        }
    )


def endpoints(args) -> None:
    """Registers the local receiver as an ATS endpoint of every organization, for one event type."""
    from integrations.webhooks.outbound.services import endpoint_create
    from portfolio.accounts.models import Organization
    from portfolio.jobs.events import OWNER_TYPE

    ids = list(Organization.objects.order_by("pk").values_list("pk", flat=True))
    for organization in ids:
        endpoint_create(owner_type=OWNER_TYPE, owner_id=organization, url=args.receiver, event_types=[args.event])
    result({"endpoints": len(ids)})


def deliveries(args) -> None:
    """The outbox: deliveries by status, and the ids of those delivered."""
    from django.db.models import Count

    from integrations.webhooks.models import Delivery

    by_status = dict(Delivery.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    result({"by_status": by_status, "delivered_ids": list(Delivery.objects.filter(status="delivered")
                                                          .values_list("msg_id", flat=True))})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("seed")
    for name in ("videos", "creators", "anchors", "jobs", "applicants"):
        p.add_argument(f"--{name}", type=int, required=True)
    p.add_argument("--out", required=True)
    p = commands.add_parser("webhooks")
    p.add_argument("--seeded", required=True, help="the file seed wrote (the partner and its secret)")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--out", required=True)
    p = commands.add_parser("warm-links")
    p.add_argument("--seeded", required=True)
    commands.add_parser("fold")
    p = commands.add_parser("counts")
    p.add_argument("--event-prefix", default="")
    p = commands.add_parser("outbound")
    p.add_argument("--organization", type=int, required=True)
    p.add_argument("--receiver", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--seconds", type=float, default=30)
    p = commands.add_parser("endpoints")
    p.add_argument("--receiver", required=True)
    p.add_argument("--event", required=True)
    commands.add_parser("deliveries")
    args = parser.parse_args()
    commands_by_name = {
        "seed": seed, "webhooks": webhooks, "warm-links": warm_links, "fold": fold, "counts": counts,
        "outbound": outbound, "endpoints": endpoints, "deliveries": deliveries,
    }
    commands_by_name[args.command](args)


if __name__ == "__main__":
    main()
