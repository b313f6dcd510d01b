"""What the management commands that make an API key share: the --scope option, how a refusal reads and
how the new key is printed (this once: only its hash is stored)."""

from collections.abc import Iterable

from django.core.management.base import BaseCommand, CommandError

from common.errors import ApplicationError


class ApiKeyCommand(BaseCommand):
    """A command that creates an API key. Subclasses set `scopes` (every scope, with what it allows) and
    `default_scopes`."""

    scopes: dict[str, str]
    default_scopes: tuple[str, ...]

    def add_scope_argument(self, parser, *, of: str = "the key") -> None:
        parser.add_argument(
            "--scope",
            action="append",
            choices=list(self.scopes),
            dest="scopes",
            help=f"A scope of {of}; repeat for several (default: {' '.join(self.default_scopes)}).",
        )

    def chosen_scopes(self, scopes: list[str] | None) -> Iterable[str]:
        return scopes or self.default_scopes

    def refused(self, error: ApplicationError, *, what: str) -> CommandError:
        """The command's error when the service refused: what was not created, and why (field by field)."""
        problems = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.field_errors.items())
        return CommandError(f"{what} was not created. {problems or error.message}")

    def write_key(self, key: str, *, label: str, scopes: Iterable[str]) -> None:
        self.stdout.write(f"{label} ({', '.join(scopes)}): {key}")
