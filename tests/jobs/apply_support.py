"""Applicants whose freelance account is at a local OpenID Connect provider (tests/integrations/oauth's fake
provider over real HTTP), and published jobs made through the posting services.

The provider is configured as "acme" (Acme Freelance, role portfolio). An applicant's link holds an access
and a refresh token the provider knows, so an application fetches the profile from it for real; tests make
it fail, stall or forget the grant through the fake's switches.
"""

import secrets
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.utils import timezone

from common import crypto
from integrations.oauth.models import LinkedAccount, OAuthToken
from integrations.providers.types import Profile
from portfolio.accounts.services import user_sign_up
from portfolio.jobs.services import jobs as job_services
from tests.integrations.oauth.helpers import oidc_entry
from tests.jobs.conftest import APPLICANT_PROFILE, PASSWORD, job_fields

# What the provider says of every applicant when asked now (it differs from APPLICANT_PROFILE, the profile
# as last synced, so a test can tell which one an application carries).
FRESH_CLAIMS = {
    "name": "Jordan Fresh",
    "headline": "Senior video editor",
    "bio": "Short-form ads, fresh from the provider.",
    "picture": "https://cdn.acme.example/jordan-new.png",
    "profile": "https://acme.example/jordan",
}


def use_acme(settings, fake) -> None:
    settings.OAUTH_PROVIDERS = [oidc_entry(fake)]
    fake.redirect_uri = f"{settings.SITE_URL}/integrations/oauth/acme/callback/"
    fake.user.claims = dict(FRESH_CLAIMS)


def give_tokens(linked: LinkedAccount, fake, *, expires_in: int = 3600) -> str:
    """Tokens the provider issued for this link, stored encrypted as linking stores them; the access token."""
    access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    grant = {"scope": "openid profile email offline_access", "subject": linked.subject}
    fake.access_tokens[access] = grant
    fake.refresh_tokens[refresh] = grant
    OAuthToken.objects.update_or_create(
        linked_account=linked,
        defaults={
            "access_token_encrypted": crypto.encrypt(access),
            "refresh_token_encrypted": crypto.encrypt(refresh),
            "expires_at": timezone.now() + timedelta(seconds=expires_in),
        },
    )
    return access


def link_acme(user, fake, *, subject: str, profile: Profile = APPLICANT_PROFILE, synced_hours_ago: int = 2):
    linked = LinkedAccount.objects.create(
        user=user,
        provider_id="acme",
        role=LinkedAccount.Role.PORTFOLIO,
        subject=subject,
        profile=profile.as_json(),
        last_synced_at=timezone.now() - timedelta(hours=synced_hours_ago),
    )
    give_tokens(linked, fake)
    return linked


def make_acme_applicant(email: str, name: str, fake, *, subject: str):
    """A creator whose Acme Freelance account is linked, with working tokens."""
    user = user_sign_up(email=email, name=name, password=PASSWORD, role="creator")
    link_acme(user, fake, subject=subject)
    return user


def published_job(*, organization, actor, video, questions=(), **overrides):
    job = job_services.job_create(
        organization=organization, actor=actor, video=video, fields=job_fields(**overrides), questions=list(questions)
    )
    return job_services.job_publish(job=job, actor=actor)


def question(prompt: str, *, kind: str = "short_text", required: bool = True, choices=(), prefill_from: str = ""):
    return {"kind": kind, "prompt": prompt, "required": required, "choices": list(choices),
            "prefill_from": prefill_from}


class StallingServer:
    """A local HTTP server that accepts connections and never answers until the test ends: a slow provider."""

    def __init__(self):
        release = self.release = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                release.wait(30)
                self.send_response(503)
                self.end_headers()

            do_POST = do_GET

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
