"""What the provider mixins read from Provider and from one another, declared once for the type checker.

`Provider` (provider.py) sets these attributes and combines the mixins (config, client, discovery,
token_errors, paging, cursor_videos); each mixin derives from `ProviderAttributes` so that mypy knows
what `self` has. Nothing here runs: the methods are declared only while type checking.
"""

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from authlib.integrations.django_client import DjangoOAuth2App

    from common import http
    from integrations.providers.errors import ProviderError


class ProviderAttributes:
    # Set from the OAUTH_PROVIDERS entry (Provider.__init__).
    id: str
    name: str
    role: str
    client_id: str
    client_secret: str
    scopes: str
    # Declared by each provider kind.
    kind: ClassVar[str]
    default_role: ClassVar[str]
    authorize_url: str
    token_url: str
    revocation_url: str
    discovery_url: str
    api_base_url: str
    issuer: str
    token_endpoint_auth_method: ClassVar[str]
    invalid_grant_errors: ClassVar[frozenset[str]]
    api_headers: ClassVar[dict[str, str]]
    options: ClassVar[tuple[str, ...]]
    required_options: ClassVar[tuple[str, ...]]
    common_options: ClassVar[tuple[str, ...]]

    if TYPE_CHECKING:

        @property
        def client(self) -> DjangoOAuth2App: ...  # client.py

        def api_json(
            self, method: str, url: str, *, access_token: str, **kwargs: Any
        ) -> tuple[Any, http.Response]: ...  # client.py

        def metadata(self) -> dict: ...  # discovery.py

        def endpoint(self, name: str) -> str: ...  # discovery.py

        def token_error(
            self, error: Exception, action: str, *, refreshing: bool = False
        ) -> ProviderError: ...  # token_errors.py

        def checked_token(self, token: dict, action: str) -> dict: ...  # token_errors.py

        def check(self) -> None: ...  # config.py
