"""Any standards-compliant OpenID Connect provider, configured from its discovery URL alone."""

from typing import ClassVar

from integrations.providers.errors import ProviderError
from integrations.providers.mapping import text
from integrations.providers.provider import Provider
from integrations.providers.types import Account, Profile


def profile_from_claims(claims: dict) -> Profile:
    """The standard claims (OpenID Connect Core §5.1) that fit a freelance profile."""
    address = claims.get("address")
    if not isinstance(address, dict):
        address = {}
    location = ", ".join(part for part in (text(address.get("locality")), text(address.get("country"))) if part)
    return Profile(
        display_name=text(claims.get("name") or claims.get("preferred_username"), 200),
        headline=text(claims.get("headline"), 300),
        bio=text(claims.get("bio") or claims.get("description")),
        location=location,
        avatar_url=text(claims.get("picture"), 1000),
        profile_url=text(claims.get("profile") or claims.get("website"), 1000),
    )


class OIDCProvider(Provider):
    kind = "oidc"
    default_scopes = "openid profile email offline_access"
    options: ClassVar[tuple[str, ...]] = ("discovery_url",)
    required_options = ("discovery_url", "role")
    # Whether fetch_profile's subject must equal the ID token's `sub` (OpenID Connect Core §5.3.2).
    profile_names_subject = True

    def fetch_account(self, *, token: dict) -> Account:
        # Authlib validated the ID token (signature, issuer, audience, nonce) and left its claims here.
        claims = token.get("userinfo")
        if not claims or not claims.get("sub"):
            raise ProviderError(f"{self.name} did not send a valid ID token, so nothing was linked.")
        account = self.fetch_profile(access_token=token["access_token"])
        if self.profile_names_subject and account.subject != str(claims["sub"]):
            raise ProviderError(f"{self.name} described a different user than the one who signed in.")
        return Account(
            subject=text(claims["sub"], 255),
            profile=account.profile,
            email=text(claims.get("email"), 254),
            email_verified=claims.get("email_verified") is True,
        )

    def fetch_profile(self, *, access_token: str) -> Account:
        url = self.endpoint("userinfo_endpoint")
        if not url:
            raise ProviderError(f"{self.name} has no userinfo endpoint to read the profile from.")
        claims, _ = self.api_json("GET", url, access_token=access_token)
        return Account(subject=text(claims["sub"], 255), profile=profile_from_claims(claims))
