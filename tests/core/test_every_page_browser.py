"""Every page of the product, in a real browser, with demo-like data: no serious or critical accessibility
violation (axe-core, tests/accessibility.py), and screenshots at phone (390 px) and desktop (1280 px) widths
in test-results/ (`page-<name>-phone.png`, `page-<name>-desktop.png`).

The walk is one table, PAGES: (role, address, name, expected status). An address may name the demo data
in braces ({video}, {job_slug}…, see `walk_data`). To add a page, add a row. Each role logs in once and
keeps its browser context for all its pages, so the walk stays fast. A page reached by a form (a confirmation,
an error) is checked by its row's `check`, made with `then(name, submit(button, Label=value))`.

Not walked, because they answer no page: JSON, CSV, SVG/PNG and file answers (the APIs under /api/v1/,
/api/schema/, /integrations/oauth/status/, /my-data/export/, analytics.csv, applications.csv, the QR codes,
/healthz, /readyz, the sandbox's OAuth and API endpoints, inbound webhooks); redirects only (log out, connect,
sign in, callback, sync, apply, the sign-up confirmation link, which logs in and lands on the home page walked
here); POST-only actions; Django's admin; and the API docs (/api/docs/, Swagger UI as it comes, a page for
developers, whose own markup axe faults).
"""

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from integrations.oauth.models import LinkedAccount
from integrations.providers.types import PortfolioItem, Profile, RemoteVideo
from integrations.sandbox import seed_data
from integrations.sandbox.partner_api import sandbox_api_key_seed
from integrations.webhooks.outbound import services as outbound
from portfolio.accounts.models import Membership, Organization, User
from portfolio.accounts.services import (
    invitation_url,
    organization_api_key_create,
    organization_invitation_send,
    organization_invitation_withdraw,
    user_sign_up,
)
from portfolio.creators import selectors as creator_selectors
from portfolio.creators.models import CreatorProfile, LinkClickBreakdownDaily, LinkClickDaily, PortfolioAnchor, Video
from portfolio.creators.selectors import custom_target
from portfolio.creators.services import anchor_detach, anchors_attach, videos_sync
from portfolio.demo.seeding import DEMO_PASSWORD, demo_sandbox_video_ids, demo_seed
from portfolio.jobs.models import Job
from tests import screenshots
from tests.accessibility import assert_accessible
from tests.integrations.conftest import sandbox_partner  # noqa: F401 (the live sandbox partner fixture)
from tests.jobs.review_support import application_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)]

OFF_SITE = re.compile(r"^https?://(?!127\.0\.0\.1|localhost)")
NEWCOMER_EMAIL = "newcomer@demo.reelfolio.test"
INVITEE_EMAIL = "invitee@demo.reelfolio.test"


@dataclass(frozen=True)
class Visit:
    role: str  # "visitor" (not logged in), "creator", "newcomer" (a new creator), "owner", "member"
    url: str
    name: str
    status: int = 200
    check: Callable | None = None  # more to assert on this page, given the page
    before: Callable | None = None  # what to change in the data before the visit (a sync on its way…)


def centre_y(box: dict) -> float:
    return box["y"] + box["height"] / 2


def header_lines_up(page) -> None:
    """Log in and Sign up sit on one line, centred alike, at every width."""
    for width in screenshots.WIDTHS.values():
        page.set_viewport_size({"width": width, "height": 900})
        log_in = page.locator("header.site").get_by_text("Log in", exact=True).bounding_box()
        sign_up = page.locator("header.site").get_by_text("Sign up", exact=True).bounding_box()
        brand = page.locator("header.site .brand").bounding_box()
        assert log_in and sign_up and brand
        assert abs(centre_y(log_in) - centre_y(sign_up)) <= 1.5, (width, log_in, sign_up)
        assert abs(centre_y(brand) - centre_y(sign_up)) <= 3, (width, brand, sign_up)
    page.set_viewport_size({"width": screenshots.WIDTHS["phone"], "height": 900})


def account_menu_lines_up(page) -> None:
    """The account menu's items (links and the Log out button) start at the same left edge, inside the page."""
    for label, width in screenshots.WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("header.site .account-menu summary").click()
        page.screenshot(path=str(screenshots.RESULTS / f"page-account-menu-{label}.png"))
        items = page.locator("header.site .account-menu details > ul > li")
        texts = [items.nth(i).locator("a, button").first for i in range(items.count())]
        lefts = [round(text.bounding_box()["x"]) for text in texts]
        assert len(set(lefts)) == 1, (width, lefts)
        menu = page.locator("header.site .account-menu details > ul").bounding_box()
        assert menu and menu["x"] >= 0 and menu["x"] + menu["width"] <= width, (width, menu)
        page.locator("header.site .account-menu summary").click()
    page.set_viewport_size({"width": screenshots.WIDTHS["phone"], "height": 900})


def chart_labels_are_readable(page) -> None:
    """Every axis label of every chart is at least 11 px tall on a phone and on a desktop."""
    for width in screenshots.WIDTHS.values():
        page.set_viewport_size({"width": width, "height": 900})
        sizes = page.locator(".chart-x span, .chart-y span").evaluate_all(
            "spans => spans.map(span => parseFloat(getComputedStyle(span).fontSize))"
        )
        assert len(sizes) > 20 and min(sizes) >= 11, (width, sorted(sizes)[:3])
        # The labels under a chart do not run into one another.
        boxes = page.locator(".chart").first.locator(".chart-x span").evaluate_all(
            "spans => spans.map(span => span.getBoundingClientRect()).map(r => [r.left, r.right])"
        )
        gaps = [next_left - right for (_, right), (next_left, _) in itertools.pairwise(boxes)]
        assert all(gap >= 4 for gap in gaps), (width, boxes)
    page.set_viewport_size({"width": screenshots.WIDTHS["phone"], "height": 900})


def sandbox_consent_is_accessible(page) -> None:
    """Connecting an account leads to the sandbox partner's login, then its consent page: check that one too."""
    page.get_by_role("button", name="Connect Sandbox Video").click()
    page.get_by_label("Sandbox username").fill("jordan")
    page.get_by_label("Sandbox password").fill(seed_data.SANDBOX_PASSWORD)
    page.get_by_role("button", name="Log in to the sandbox").click()
    page.get_by_role("button", name="Allow").wait_for()
    shoot(page, "sandbox-consent")
    assert_accessible(page, name="sandbox-consent")


def then(name: str, act: Callable) -> Callable:
    """A check that does something on the page (submits a form…) and checks the page it leads to as `name`."""
    def check(page) -> None:
        act(page)
        page.wait_for_load_state()
        shoot(page, name)
        assert_accessible(page, name=name)
    return check


def submit(button: str, **fields: str) -> Callable:
    """Fills the fields (by label) and presses the button (by name)."""
    def act(page) -> None:
        for label, value in fields.items():
            page.get_by_label(label.replace("_", " "), exact=True).fill(value)
        with page.expect_navigation():
            page.get_by_role("button", name=button, exact=True).click()
    return act


def attach_to_all_asks_first(page) -> None:
    """Attaching to all the videos, some of which have a link set by hand, asks before replacing those."""
    then("creator-attach-all-confirm", submit("Attach to all my videos"))(page)
    assert page.get_by_role("heading", level=1).inner_text().strip(), "the confirmation has a heading"


def attach_to_selected_asks_first(page) -> None:
    """Attaching to selected videos, one of which has a link set by hand, asks before replacing it."""
    for box in page.locator("input[name=video]").all():
        box.check()
    then("creator-attach-selected-confirm", submit("Attach to selected"))(page)
    assert "you selected" in page.locator("main").inner_text()


def shows(text: str) -> Callable:
    """A check that the page shows this text (the anchor a partner's page got from our API…)."""
    def check(page) -> None:
        assert page.get_by_text(text, exact=True).first.is_visible(), f"{text!r} is not on the page"
    return check


def creator_video_syncing(ids: dict) -> None:
    LinkedAccount.objects.filter(user__email=LOGINS["creator"], provider_id="sandbox-video").update(
        sync_requested_at=timezone.now()
    )


def organization_video_syncing(ids: dict) -> None:
    LinkedAccount.objects.filter(user__held_organization__slug=ids["org"], provider_id="sandbox-video").update(
        sync_requested_at=timezone.now()
    )


PAGES = [
    # Public pages and the sign-in pages.
    Visit("visitor", "/", "home", check=header_lines_up),
    Visit("visitor", "/@casey", "public-page"),
    Visit("visitor", "/jobs/{job_slug}/", "job-page"),
    Visit("visitor", "/accounts/login/", "login"),
    Visit("visitor", "/accounts/signup/", "signup"),
    Visit("visitor", "/accounts/signup/check-email/", "signup-check-email"),
    Visit("visitor", "/accounts/signup/confirm/MQ/bad-token/", "signup-confirm-invalid"),
    Visit("visitor", "/accounts/password/reset/", "password-reset"),
    Visit("visitor", "/accounts/password/reset/sent/", "password-reset-sent"),
    Visit("visitor", "/accounts/password/reset/MQ/set-password/", "password-reset-invalid"),
    Visit("visitor", "/accounts/password/reset/done/", "password-reset-complete"),
    Visit("visitor", "/l/nosuchcode", "link-not-found", 404),
    Visit("visitor", "/l/{detached_code}", "link-gone", 410),
    Visit("visitor", "/no-such-page/", "error-404", 404),
    Visit("visitor", "/accounts/password/reset/{reset_uid}/{reset_token}/", "password-reset-confirm"),
    # Invitations by email, opened by the invited person: without an account, and with one (log in first).
    Visit("visitor", "{invitation_new}", "invitation-accept-new-person"),
    Visit("visitor", "{invitation_employer}", "invitation-accept-log-in"),
    Visit("visitor", "{invitation_withdrawn}", "invitation-withdrawn", 400),
    # The sandbox partner's own pages.
    Visit("visitor", "/sandbox/login", "sandbox-login"),
    Visit("visitor", "/sandbox/freelancers/casey", "sandbox-freelancer"),
    Visit("visitor", "/sandbox/videos/v-1001", "sandbox-video"),
    # The video platform's pages of a creator's video and of a job video, with their anchors from our API.
    Visit("visitor", "/sandbox/videos/{sandbox_portfolio_video}", "sandbox-video-portfolio",
          check=shows("View My Portfolio")),
    Visit("visitor", "/sandbox/videos/{sandbox_job_video}", "sandbox-video-job", check=shows("Apply")),
    Visit("visitor", "/sandbox/videos/{sandbox_portfolio_video}/embed", "sandbox-video-embed"),
    Visit("visitor", "/sandbox/oauth/authorize", "sandbox-authorize-error", 400),
    # A creator with linked accounts, videos with links, clicks and an application.
    Visit("creator", "/", "creator-home", check=account_menu_lines_up),
    Visit("creator", "/creator/videos/", "creator-videos", check=attach_to_all_asks_first),
    Visit("creator", "/creator/videos/", "creator-videos-select", check=attach_to_selected_asks_first),
    Visit("creator", "/creator/videos/?q=breakdown&link=with&sort=clicks", "creator-videos-filtered"),
    Visit("creator", "/creator/videos/?q=no+such+title", "creator-videos-no-match"),
    Visit("creator", "/creator/videos/{video}/link/", "creator-anchor-form"),
    Visit("creator", "/creator/videos/{custom_video}/link/", "creator-anchor-form-custom"),
    Visit("creator", "/creator/videos/{unlinked_video}/link/", "creator-anchor-form-new"),
    Visit("creator", "/creator/videos/{video}/link/detach/", "creator-anchor-detach"),
    Visit("creator", "/creator/analytics/", "creator-analytics", check=chart_labels_are_readable),
    Visit("creator", "/creator/analytics/", "creator-analytics-countries", check=shows("South Korea")),
    Visit("creator", "/creator/analytics/?range=7", "creator-analytics-7"),
    Visit("creator", "/creator/analytics/?range=90", "creator-analytics-90"),
    Visit("creator", "/creator/analytics/?range=custom&start={first}&end={last}", "creator-analytics-custom"),
    # The first day after the last: the page says so and shows the last 30 days.
    Visit("creator", "/creator/analytics/?range=custom&start={last}&end={first}", "analytics-bad-range", 400),
    Visit("creator", "/creator/settings/", "creator-settings"),
    Visit("creator", "/creator/profile/", "creator-profile"),
    Visit("creator", "/creator/page/", "creator-page-look"),
    Visit("creator", "/creator/projects/", "creator-projects"),
    Visit("creator", "/integrations/oauth/", "creator-linked-accounts"),
    Visit("creator", "/integrations/oauth/sandbox-video/unlink/", "creator-unlink"),
    Visit("creator", "/jobs/{job_slug}/", "creator-job-page"),
    Visit("creator", "/applications/", "applicant-applications"),
    Visit("creator", "/applications/{application}/withdraw/", "applicant-withdraw"),
    Visit("creator", "/my-data/erase/", "applicant-erase"),
    Visit("creator", "/accounts/password/change/", "password-change"),
    Visit("creator", "/accounts/password/change/done/", "password-change-done"),
    Visit("creator", "/integrations/oauth/", "creator-linked-accounts-syncing", before=creator_video_syncing),
    # A new creator: empty states, and the first application's pages.
    Visit("newcomer", "/", "newcomer-home"),
    Visit("newcomer", "/creator/videos/", "newcomer-videos"),
    Visit("newcomer", "/creator/analytics/", "newcomer-analytics"),
    Visit("newcomer", "/integrations/oauth/", "newcomer-linked-accounts", check=sandbox_consent_is_accessible),
    Visit("newcomer", "/applications/", "newcomer-applications"),
    Visit("newcomer", "/jobs/{job_slug}/", "newcomer-job-page"),
    Visit("newcomer", "/jobs/{job_slug}/apply/consent/", "apply-consent"),
    Visit("newcomer", "/jobs/{job_slug}/apply/questions/", "apply-questions"),
    # The owner of an organization: members, keys, webhooks, jobs and their applicants.
    Visit("owner", "/", "owner-home"),
    Visit("owner", "/accounts/organizations/", "organizations"),
    Visit("owner", "/accounts/organizations/new/", "organization-new"),
    Visit("owner", "/accounts/organizations/{org}/", "organization",
          check=then("organization-invite-error", submit("Invite", Email_of_a_colleague="not an address"))),
    Visit("owner", "/accounts/organizations/{org}/members/{member}/promote/", "membership-promote"),
    Visit("owner", "/accounts/organizations/{org}/leave/", "organization-leave-only-owner", 409),
    Visit("owner", "/accounts/organizations/{org}/rename/", "organization-rename",
          check=then("organization-rename-error", submit("Rename", New_name=""))),
    Visit("owner", "{invitation_new}", "invitation-accept-other-account", 403),
    Visit("owner", "/accounts/organizations/{org}/members/{member}/remove/", "membership-remove"),
    Visit("owner", "/accounts/organizations/{org}/invitations/{invitation_pending}/withdraw/", "invitation-withdraw"),
    Visit("owner", "/accounts/organizations/{org}/api-keys/{api_key}/revoke/", "api-key-revoke"),
    Visit("owner", "/accounts/organizations/{org}/video-account/sandbox-video/unlink/", "organization-video-unlink"),
    Visit("owner", "/accounts/organizations/{org}/", "organization-video-syncing", before=organization_video_syncing,
          check=shows("A sync is on its way. This page updates itself when it is done.")),
    Visit("owner", "/accounts/organizations/{org}/webhooks/new/", "webhook-new"),
    Visit("owner", "/accounts/organizations/{org}/webhooks/{endpoint}/", "webhook-endpoint"),
    Visit("owner", "/accounts/organizations/{org}/webhooks/{endpoint}/delete/", "webhook-delete"),
    Visit("owner", "/accounts/organizations/{org}/webhooks/{endpoint}/rotate/", "webhook-rotate"),
    Visit("owner", "/accounts/organizations/{org}/jobs/", "jobs"),
    Visit("owner", "/accounts/organizations/{org}/jobs/new/?video={org_video}", "job-new"),
    Visit("owner", "/jobs/manage/{job}/", "job-manage"),
    Visit("owner", "/jobs/manage/{job}/edit/", "job-edit"),
    Visit("owner", "/jobs/manage/{job}/close/", "job-close"),
    Visit("owner", "/jobs/manage/{job}/applications/", "job-applications"),
    Visit("owner", "/creator/videos/", "error-403", 403),
    Visit("member", "/", "member-home"),
    Visit("member", "/accounts/organizations/{org}/", "organization-as-member"),
    Visit("member", "/accounts/organizations/{org}/leave/", "organization-leave"),
    Visit("invitee", "{invitation_employer}", "invitation-accept-employer"),
]

# Pages also checked in the dark colour scheme: one of each kind (public, forms, lists, charts, confirmations).
DARK_SAMPLE = {
    "home", "public-page", "job-page", "login", "creator-videos", "creator-analytics", "creator-linked-accounts",
    "creator-anchor-detach", "applicant-applications", "organization", "webhook-endpoint", "job-applications",
    "creator-profile", "sandbox-video-portfolio", "invitation-accept-new-person",
}


def walk_data(live_server_url: str) -> dict:
    """The demo (`seed_demo`), plus what a few days of use add: the creator's linked accounts, videos with
    links and clicks, one application; a new creator with only a freelance account; an API key and a
    webhook endpoint of the organization. Returns the ids the addresses of PAGES name."""
    demo_seed()
    casey = User.objects.get(email="creator@demo.reelfolio.test")
    sandbox_casey = next(user for user in seed_data.USERS if user["username"] == "casey")
    profile = Profile(
        display_name="Casey Creator", headline="Motion designer", bio=sandbox_casey["bio"],
        skills=list(sandbox_casey["skills"]), rate="$85/hr", location="Lisbon, PT",
        avatar_url=f"{live_server_url}/static/{sandbox_casey['avatar']}",
        profile_url=f"{live_server_url}/sandbox/freelancers/casey",
        portfolio_items=[
            PortfolioItem(id=p["public_id"], title=p["title"], url=f"{live_server_url}/sandbox/freelancers/casey")
            for p in sandbox_casey["projects"][:4]
        ],
    )
    # The demo links Casey's sandbox accounts already (to be reconnected): here they work, as after a connection.
    freelance, _ = LinkedAccount.objects.update_or_create(
        user=casey, provider_id="sandbox-freelance",
        defaults={
            "role": LinkedAccount.Role.PORTFOLIO, "subject": sandbox_casey["freelance_id"],
            "status": LinkedAccount.Status.ACTIVE, "profile": profile.as_json(), "last_synced_at": timezone.now(),
        },
    )
    videos_account, _ = LinkedAccount.objects.update_or_create(
        user=casey, provider_id="sandbox-video",
        defaults={
            "role": LinkedAccount.Role.VIDEOS, "subject": sandbox_casey["video_open_id"],
            "status": LinkedAccount.Status.ACTIVE,
            "profile": Profile(display_name=sandbox_casey["video_display_name"]).as_json(),
            "last_synced_at": timezone.now(),
        },
    )
    videos_sync(
        linked_account=videos_account,
        videos=[
            RemoteVideo(
                platform_video_id=v["public_id"], title=v["title"],
                cover_image_url=f"{live_server_url}/static/{v['cover_image']}",
                share_url=f"{live_server_url}/sandbox/videos/{v['public_id']}",
                embed_url=f"{live_server_url}/sandbox/videos/{v['public_id']}/embed",
                duration_seconds=v["duration"], published_at=v["published_at"],
            )
            for v in sandbox_casey["videos"][:6]
        ],
    )
    videos = list(Video.objects.filter(owner=casey, status=Video.Status.ACTIVE).order_by("pk"))
    handle = CreatorProfile.objects.get(user=casey).handle
    targets = creator_selectors.anchor_targets_for_creator(user=casey, handle=handle, accounts=[freelance])
    anchors = anchors_attach(creator=casey, videos=videos[:3], target=targets[0])
    anchors_attach(creator=casey, videos=videos[3:4], target=creator_selectors.reelfolio_page_target(handle=handle))
    today = timezone.now().date()
    for n, anchor in enumerate(anchors[:2]):
        for day in range(0, 30, 2 + n):
            LinkClickDaily.objects.update_or_create(  # the demo's own history may have the day already
                anchor=anchor, day=today - timedelta(days=day),
                defaults={"clicks": 3 + (day * 7) % 11, "unique_visitors": 2 + day % 5},
            )
    # Where the clicks came from: countries show by name ("Germany"), "unknown" as "Unknown".
    for dimension, value, clicks in (
        ("referrer", "tiktok.com", 9), ("referrer", "direct", 4), ("device", "mobile", 10), ("device", "desktop", 3),
        ("country", "DE", 6), ("country", "KR", 4), ("country", "unknown", 3),
    ):
        LinkClickBreakdownDaily.objects.create(
            anchor=anchors[0], day=today, dimension=dimension, value=value, clicks=clicks
        )
    detached = anchors_attach(creator=casey, videos=videos[5:6], target=targets[0])[0]
    anchor_detach(creator=casey, anchor=detached)
    # A link to an address the creator typed (a personal site).
    anchors_attach(creator=casey, videos=videos[2:3], target=custom_target(url="https://casey.example/reel"))

    organization = Organization.objects.get(slug="northwind-studio")
    job = Job.objects.get(organization=organization)
    application = application_for(job, casey)

    newcomer = user_sign_up(email=NEWCOMER_EMAIL, name="Nia Newcomer", password=DEMO_PASSWORD, role="creator")
    LinkedAccount.objects.create(
        user=newcomer, provider_id="sandbox-freelance", role=LinkedAccount.Role.PORTFOLIO, subject="sbx-u-2",
        profile=Profile(display_name="Nia Newcomer", headline="Editor", location="Porto, PT").as_json(),
        last_synced_at=timezone.now(),
    )

    owner = User.objects.get(email="owner@demo.reelfolio.test")
    api_key, _ = organization_api_key_create(
        organization=organization, actor=owner, scopes=["jobs:read"], name="Our ATS"
    )
    # Invitations by email: one for a person without an account, one for an employer who has one.
    user_sign_up(
        email=INVITEE_EMAIL, name="Ivo Invitee", password=DEMO_PASSWORD, role="employer", organization_name="Ivo Films"
    )
    sent = {
        key: organization_invitation_send(organization=organization, actor=owner, email=email)
        for key, email in (
            ("invitation_new", "new.producer@example.com"),
            ("invitation_employer", INVITEE_EMAIL),
            ("invitation_withdrawn", "withdrawn.producer@example.com"),
        )
    }
    invitations = {key: invitation_url(invitation) for key, invitation in sent.items()}
    organization_invitation_withdraw(invitation=sent["invitation_withdrawn"], actor=owner)
    member = User.objects.get(email="member@demo.reelfolio.test")
    # The partner API key the sandbox video platform reads the anchors with (as `seed_demo` makes it).
    sandbox_api_key_seed()
    sandbox_videos = demo_sandbox_video_ids()
    endpoint, _ = outbound.endpoint_create(
        owner_type="organization", owner_id=organization.pk, url="http://127.0.0.1:9/hooks/reelfolio",
        event_types=["application.created"], description="Our ATS",
    )
    return {
        "video": videos[0].pk,
        "detached_code": detached.code,
        "application": application.pk,
        "job": job.pk,
        "job_slug": job.slug,
        "org": organization.slug,
        "org_video": job.video_id,
        "member": Membership.objects.get(organization=organization, role=Membership.Role.MEMBER).pk,
        "api_key": api_key.pk,
        "endpoint": endpoint.pk,
        "custom_video": videos[2].pk,
        "unlinked_video": videos[4].pk,
        "first": (today - timedelta(days=20)).isoformat(),
        "last": (today - timedelta(days=6)).isoformat(),
        **{key: urlsplit(url).path for key, url in invitations.items()},
        "invitation_pending": sent["invitation_new"].pk,
        "reset_uid": urlsafe_base64_encode(force_bytes(member.pk)),
        "reset_token": default_token_generator.make_token(member),
        "sandbox_portfolio_video": sandbox_videos["portfolio"],
        "sandbox_job_video": sandbox_videos["job"],
    }


LOGINS = {
    "creator": "creator@demo.reelfolio.test",
    "newcomer": NEWCOMER_EMAIL,
    "owner": "owner@demo.reelfolio.test",
    "member": "member@demo.reelfolio.test",
    "invitee": INVITEE_EMAIL,
}


shoot = screenshots.shooter("page", leave_at="phone")


def answering(answer):
    """A route handler that answers with this response of Django's test client."""
    def fulfill(route, request=None):
        route.fulfill(status=answer.status_code, content_type="text/html; charset=utf-8", body=answer.content)
    return fulfill


def new_page_as(browser, live_server, role: str, *, color_scheme: str = "light"):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": screenshots.WIDTHS["phone"], "height": 900},
        color_scheme=color_scheme,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.route(OFF_SITE, lambda route: route.abort())
    if role != "visitor":
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(LOGINS[role])
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def test_every_page_is_accessible_at_phone_and_desktop_widths(browser, live_server, sandbox_partner, settings):  # noqa: F811
    # The organization's webhook endpoint points at this machine (never called here).
    settings.WEBHOOK_ALLOWED_NETWORKS, settings.WEBHOOK_REQUIRE_HTTPS = ["127.0.0.0/8"], False
    ids = walk_data(live_server.url)
    pages: dict[str, object] = {}
    failures = []
    try:
        for visit in PAGES:
            page = pages.get(visit.role) or pages.setdefault(visit.role, new_page_as(browser, live_server, visit.role))
            if visit.before:
                visit.before(ids)
            response = page.goto(visit.url.format(**ids))
            assert response is not None
            if response.status != visit.status:
                failures.append(f"{visit.name}: {visit.url} answered {response.status}, not {visit.status}")
            shoot(page, visit.name)
            try:
                assert_accessible(page, name=visit.name)
                if visit.check:
                    visit.check(page)
            except (pytest.fail.Exception, AssertionError) as failure:
                failures.append(f"{visit.name}: {failure}")

        # The dark colour scheme (the phone or computer's setting) keeps its contrast too, on a sample of pages.
        for visit in (v for v in PAGES if v.name in DARK_SAMPLE):
            key = f"{visit.role}-dark"
            if key not in pages:
                pages[key] = new_page_as(browser, live_server, visit.role, color_scheme="dark")
            page = pages[key]
            page.goto(visit.url.format(**ids))
            shoot(page, f"{visit.name}-dark")
            try:
                assert_accessible(page, name=f"{visit.name} (dark)")
            except pytest.fail.Exception as failure:
                failures.append(str(failure))

        # Pages the browser cannot be led to here, answered as the live server answers them: the 400 page (a
        # host it does not serve) and the 403 page of an expired form (a POST without its CSRF token).
        page = pages["visitor"]
        answers = {
            "error-400": Client().get("/", HTTP_HOST="not-our-host.example"),
            "error-403-csrf": Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "a@b.c"}),
        }
        for name, answer in answers.items():
            assert answer.status_code in (400, 403), (name, answer.status_code)
            page.route(f"**/{name}", answering(answer))
            page.goto(f"/{name}")
            shoot(page, name)
            try:
                assert_accessible(page, name=name)
            except pytest.fail.Exception as failure:
                failures.append(str(failure))
    finally:
        for page in pages.values():
            page.context.close()
    assert not failures, "\n".join(failures)


FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {name: "", visible: false, tag: ""};
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  const name = (el.getAttribute("aria-label") || label || el.innerText || el.value || "").replace(/\\s+/g, " ").trim();
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const ring = style.boxShadow !== "none" && style.boxShadow !== "";
  return {name, visible: outline || ring, tag: el.tagName};
}"""


def tab_to(page, name: str, *, limit: int = 60) -> None:
    """Presses Tab until the element named `name` has the focus; every element on the way shows that it has it."""
    if page.evaluate(FOCUSED)["name"] == name:  # already there (a form's first field has the focus on load)
        return
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if not focused["tag"]:
            continue  # past the last element of the page the focus leaves it, and the next Tab comes back
        assert focused["visible"], f"no visible focus on {focused}"
        if focused["name"] == name:
            return
    pytest.fail(f"{name!r} never got the focus after {limit} presses of Tab")


def test_a_creator_logs_in_links_a_video_and_opens_analytics_with_the_keyboard_alone(
    browser, live_server, sandbox_partner, settings  # noqa: F811
):
    settings.WEBHOOK_ALLOWED_NETWORKS, settings.WEBHOOK_REQUIRE_HTTPS = ["127.0.0.0/8"], False
    walk_data(live_server.url)
    video = Video.objects.get(owner__email=LOGINS["creator"], title="Frame-by-frame breakdown")
    page = new_page_as(browser, live_server, "visitor")
    page.set_viewport_size({"width": screenshots.WIDTHS["desktop"], "height": 900})
    try:
        page.goto("/")
        tab_to(page, "Log in")
        page.keyboard.press("Enter")
        page.wait_for_url("**/accounts/login/**")
        tab_to(page, "Email")
        page.keyboard.type(LOGINS["creator"])
        tab_to(page, "Password")
        page.keyboard.type(DEMO_PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

        tab_to(page, "Linked accounts")
        page.keyboard.press("Enter")
        page.wait_for_url("**/integrations/oauth/")
        assert page.get_by_role("heading", level=1).inner_text() == "Linked accounts"

        tab_to(page, "My videos")
        page.keyboard.press("Enter")
        page.wait_for_url("**/creator/videos/")
        tab_to(page, "Attach a link to “Frame-by-frame breakdown”", limit=120)
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/creator/videos/{video.pk}/link/")
        tab_to(page, "Attach the link")
        page.keyboard.press("Space")
        page.wait_for_url("**/creator/videos/")
        page.get_by_text("“View My Portfolio”", exact=False).first.wait_for()
        assert PortfolioAnchor.objects.get(video=video).is_active
        screenshots.RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=str(screenshots.RESULTS / "keyboard-attached-desktop.png"), full_page=True)

        tab_to(page, "Analytics")
        page.keyboard.press("Enter")
        page.wait_for_url("**/creator/analytics/")
        assert page.get_by_role("heading", level=1).inner_text() == "Analytics"
    finally:
        page.context.close()
