from django.conf import settings

from common.api_keys.commands import ApiKeyCommand
from common.errors import ApplicationError
from integrations.partners import services
from integrations.partners.models import Partner
from integrations.partners.scopes import DEFAULT_SCOPES, SCOPES


class Command(ApiKeyCommand):
    help = (
        "Creates a partner with one API key and a webhook secret, and prints both: they are shown "
        "this once and stored only hashed (the key) or encrypted (the secret)."
    )
    scopes = SCOPES
    default_scopes = DEFAULT_SCOPES

    def add_arguments(self, parser):
        parser.add_argument("name", help="The partner's name, e.g. 'Acme Video'.")
        parser.add_argument("--slug", default="", help="Its name in URLs (default: from the name).")
        parser.add_argument(
            "--signature-scheme",
            choices=Partner.SignatureScheme.values,
            default=Partner.SignatureScheme.STANDARD_WEBHOOKS,
            help="How its webhooks are signed (default: standard_webhooks).",
        )
        parser.add_argument(
            "--provider",
            default="",
            help="The provider (OAUTH_PROVIDERS id) whose accounts and videos its webhook events are about.",
        )
        self.add_scope_argument(parser, of="the API key")
        parser.add_argument("--key-name", default="created by create_partner", help="A label for the API key.")

    def handle(self, *args, name, slug, signature_scheme, provider, scopes, key_name, **options):
        try:
            created = services.partner_create(
                name=name,
                slug=slug,
                signature_scheme=signature_scheme,
                key_scopes=self.chosen_scopes(scopes),
                key_name=key_name,
                provider_id=provider,
            )
        except ApplicationError as error:
            raise self.refused(error, what="The partner") from None
        partner, api_key = created.partner, created.api_key
        assert api_key is not None  # key_scopes is never empty here

        self.stdout.write(self.style.SUCCESS(f"Created partner {partner.name} ({partner.slug})."))
        self.stdout.write("Store these now: they are not shown again.")
        self.write_key(created.key, label="API key", scopes=api_key.scopes)
        self.stdout.write(f"Webhook secret ({partner.get_signature_scheme_display()}): {created.webhook_secret}")
        self.stdout.write(f"Webhook URL: {settings.SITE_URL}/integrations/webhooks/{partner.slug}/")
        self.stdout.write(f"Anchor lookup: {settings.SITE_URL}/api/v1/anchors/?platform=<platform>&video_id=<id>")
