from django.core.management.base import BaseCommand

from integrations.oauth import services
from integrations.partners.services import webhook_secrets_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypts every secret kept under TOKEN_ENCRYPTION_KEYS (OAuth tokens and partners' webhook "
        "secrets) with the first key. Run it after putting a new key first; then the old keys can be removed."
    )

    def handle(self, *args, **options):
        tokens = services.token_keys_rotate()
        secrets = webhook_secrets_rotate()
        self.stdout.write(
            f"Re-encrypted {tokens} token(s) and {secrets} partner webhook secret(s) "
            "under the first key of TOKEN_ENCRYPTION_KEYS."
        )
