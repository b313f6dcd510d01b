from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portfolio.demo.seeding import DEMO_PASSWORD, demo_sandbox_video_ids, demo_seed


class Command(BaseCommand):
    help = "Writes the demo data (idempotent): demo logins, an employer organization, sandbox accounts."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Seed even when DEBUG is off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo writes accounts with a known password; run it with DEBUG=true or --force.")
        logins = demo_seed()
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
        for login in logins:
            self.stdout.write(f"  {login.email:<32} {DEMO_PASSWORD}   ({login.description})")
        if settings.SANDBOX_ENABLED:
            # Imported here: the sandbox app is installed only when SANDBOX_ENABLED.
            from integrations.sandbox.services import sandbox_seed

            sandbox = sandbox_seed()
            self.stdout.write(self.style.SUCCESS(f"Sandbox partner logins (on {sandbox.issuer}/login):"))
            for sandbox_login in sandbox.logins:
                self.stdout.write(
                    f"  {sandbox_login.username:<32} {sandbox_login.password}   ({sandbox_login.description})"
                )
            if settings.SANDBOX_WEBHOOK_SECRET:
                from integrations.sandbox.webhooks import sandbox_partners_seed

                slugs = sandbox_partners_seed()
                self.stdout.write(f"Sandbox webhook partners (signed with SANDBOX_WEBHOOK_SECRET): {', '.join(slugs)}")
            from integrations.sandbox.partner_api import sandbox_api_key_seed

            key = sandbox_api_key_seed()
            # The key itself is never printed: the sandbox keeps it, encrypted, and uses it for its video pages.
            self.stdout.write(
                f"The sandbox video platform reads the partner API as {key.partner_slug} "
                f"({'with a new API key' if key.created else 'with its API key'}, kept encrypted by the sandbox)."
            )
            labels = {"portfolio": "a creator's video, with View My Portfolio", "job": "a job video, with Apply"}
            ids = demo_sandbox_video_ids()
            if ids:
                self.stdout.write(self.style.SUCCESS("Watch a video as a viewer, on the sandbox video platform:"))
            for kind, video_id in ids.items():
                self.stdout.write(f"  {settings.SITE_URL}/sandbox/videos/{video_id}   ({labels[kind]})")
