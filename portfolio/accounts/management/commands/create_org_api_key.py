from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from common.errors import ApplicationError
from portfolio.accounts import selectors, services
from portfolio.accounts.scopes import DEFAULT_SCOPES, SCOPES


class Command(BaseCommand):
    help = (
        "Creates an API key of an organization for the employer API and prints it: it is shown this once "
        "and stored only hashed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "organization", help="The organization's name or slug (as in /accounts/organizations/<slug>/)."
        )
        parser.add_argument(
            "--scope",
            action="append",
            choices=list(SCOPES),
            dest="scopes",
            help=f"A scope of the key; repeat for several (default: {' '.join(DEFAULT_SCOPES)}).",
        )
        parser.add_argument("--name", default="created by create_org_api_key", help="What the key is for.")

    def handle(self, *args, organization, scopes, name, **options):
        found = selectors.organization_named(name_or_slug=organization)
        if found is None:
            raise CommandError(f"No organization has the name or slug {organization!r}; nothing was created.")
        try:
            api_key, key = services.organization_api_key_create(
                organization=found, actor=None, scopes=scopes or DEFAULT_SCOPES, name=name
            )
        except ApplicationError as error:
            raise CommandError(f"The key was not created. {error.message}") from None
        self.stdout.write(self.style.SUCCESS(f"Created an API key of {found.name} ({', '.join(api_key.scopes)})."))
        self.stdout.write("Store it now: it is not shown again.")
        self.stdout.write(f"API key: {key}")
        self.stdout.write(f'Try it: curl -H "Authorization: Bearer <API key>" {settings.SITE_URL}/api/v1/jobs/')
