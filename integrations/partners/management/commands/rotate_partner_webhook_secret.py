from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from integrations.partners import selectors, services


class Command(BaseCommand):
    help = (
        "Gives a partner a new webhook secret and prints it (shown this once). The current secret keeps "
        "verifying for 24 hours, so the partner can switch without losing an event."
    )

    def add_arguments(self, parser):
        parser.add_argument("partner", help="The partner's name or slug, e.g. 'Acme Video' or acme-video.")

    def handle(self, *args, partner, **options):
        found = selectors.partner_named(name_or_slug=partner)
        if found is None:
            raise CommandError(f"No partner has the name or slug {partner!r}. Nothing was changed.")
        rotated = services.partner_webhook_secret_rotate(partner=found)
        until = timezone.localtime(rotated.previous_valid_until).strftime("%Y-%m-%d %H:%M %Z")
        self.stdout.write(self.style.SUCCESS(f"Rotated the webhook secret of {found.name} ({found.slug})."))
        self.stdout.write("Store it now: it is not shown again.")
        self.stdout.write(f"Webhook secret ({found.get_signature_scheme_display()}): {rotated.webhook_secret}")
        self.stdout.write(f"The previous secret keeps verifying until {until}.")
