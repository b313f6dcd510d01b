from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portfolio.core.demo import DEMO_PASSWORD, demo_seed


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
