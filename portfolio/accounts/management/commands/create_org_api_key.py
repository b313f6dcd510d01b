from django.conf import settings
from django.core.management.base import CommandError

from common.api_keys.commands import ApiKeyCommand
from common.errors import ApplicationError
from portfolio.accounts import selectors, services
from portfolio.accounts.scopes import DEFAULT_SCOPES, SCOPES


class Command(ApiKeyCommand):
    help = (
        "Creates an API key of an organization for the employer API and prints it: it is shown this once "
        "and stored only hashed."
    )
    scopes = SCOPES
    default_scopes = DEFAULT_SCOPES

    def add_arguments(self, parser):
        parser.add_argument(
            "organization", help="The organization's name or slug (as in /accounts/organizations/<slug>/)."
        )
        self.add_scope_argument(parser)
        parser.add_argument("--name", default="created by create_org_api_key", help="What the key is for.")

    def handle(self, *args, organization, scopes, name, **options):
        found = selectors.organization_named(name_or_slug=organization)
        if found is None:
            raise CommandError(f"No organization has the name or slug {organization!r}; nothing was created.")
        try:
            api_key, key = services.organization_api_key_create(
                organization=found, actor=None, scopes=self.chosen_scopes(scopes), name=name
            )
        except ApplicationError as error:
            raise self.refused(error, what="The key") from None
        self.stdout.write(self.style.SUCCESS(f"Created an API key of {found.name} ({', '.join(api_key.scopes)})."))
        self.stdout.write("Store it now: it is not shown again.")
        self.write_key(key, label="API key", scopes=api_key.scopes)
        self.stdout.write(f'Try it: curl -H "Authorization: Bearer <API key>" {settings.SITE_URL}/api/v1/jobs/')
