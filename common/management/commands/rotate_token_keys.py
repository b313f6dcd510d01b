from django.core.management.base import BaseCommand

from common import crypto


class Command(BaseCommand):
    help = (
        "Re-encrypts every secret kept under TOKEN_ENCRYPTION_KEYS (OAuth tokens, partners' webhook secrets and "
        "whatever else an app registered) with the first key. Run it after putting a new key first; then the old "
        "keys can be removed."
    )

    def handle(self, *args, **options):
        counts = crypto.rotate_all()
        done = ", ".join(f"{count} {what}" for what, count in counts.items()) or "nothing"
        self.stdout.write(f"Re-encrypted under the first key of TOKEN_ENCRYPTION_KEYS: {done}.")
