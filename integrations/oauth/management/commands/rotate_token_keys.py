from django.core.management.base import BaseCommand

from integrations.oauth import services


class Command(BaseCommand):
    help = (
        "Re-encrypts every stored OAuth token under the first key of TOKEN_ENCRYPTION_KEYS. "
        "Run it after putting a new key first; then the old keys can be removed."
    )

    def handle(self, *args, **options):
        count = services.token_keys_rotate()
        self.stdout.write(f"Re-encrypted {count} token(s) under the first key of TOKEN_ENCRYPTION_KEYS.")
