"""GitHub: the portfolio is the creator's public repositories; tokens expire and each refresh rotates them.

Sample answers: tests/integrations/providers/fixtures/github/ (from docs.github.com's REST reference).
GitHub revokes a grant with its own endpoint rather than RFC 7009, and calls a spent refresh token
`bad_refresh_token` rather than `invalid_grant`.
"""

from collections import Counter
from typing import Any

from authlib.common.errors import AuthlibBaseError

from common import http
from integrations.providers.errors import ProviderError
from integrations.providers.mapping import portfolio_item, text
from integrations.providers.provider import Provider
from integrations.providers.types import Account, Profile


class GitHubProvider(Provider):
    kind = "github"
    default_name = "GitHub"
    default_role = "portfolio"
    default_scopes = "read:user"
    authorize_url = "https://github.com/login/oauth/authorize"
    token_url = "https://github.com/login/oauth/access_token"
    revocation_url = "https://api.github.com/applications/{client_id}/grant"
    api_base_url = "https://api.github.com/"
    token_endpoint_auth_method = "client_secret_post"
    invalid_grant_errors = frozenset({"invalid_grant", "bad_refresh_token"})
    api_headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}

    def fetch_profile(self, *, access_token: str) -> Account:
        user, _ = self.api_json("GET", "user", access_token=access_token)
        repositories: list[dict[str, Any]] = []
        for page in self.api_pages(
            f"users/{user['login']}/repos", access_token=access_token,
            params={"type": "owner", "sort": "updated", "per_page": 100},
        ):
            repositories.extend(repo for repo in page if not repo.get("fork") and not repo.get("private"))
        languages = Counter(repo["language"] for repo in repositories if repo.get("language"))
        return Account(
            subject=text(user["id"], 255),
            profile=Profile(
                display_name=text(user.get("name") or user.get("login"), 200),
                headline=text(user.get("company"), 300),
                bio=text(user.get("bio")),
                skills=[language for language, _ in languages.most_common(8)],
                location=text(user.get("location"), 200),
                avatar_url=text(user.get("avatar_url"), 1000),
                profile_url=text(user.get("html_url"), 1000),
                portfolio_items=[
                    portfolio_item(id=repo["id"], title=repo.get("full_name") or repo.get("name"),
                                   url=repo.get("html_url"))
                    for repo in repositories
                ],
            ),
        )

    def revoke(self, *, token: str, token_type_hint: str) -> bool:
        """DELETE /applications/{client_id}/grant revokes the whole authorization, refresh token included."""
        if token_type_hint != "access_token":
            return False
        url = self.revocation_url.format(client_id=self.client_id)
        try:
            response = http.request(
                "DELETE", url, json={"access_token": token}, auth=(self.client_id, self.client_secret),
                headers=self.api_headers,
            )
        except (http.RequestException, AuthlibBaseError) as error:
            raise self.token_error(error, "revoke access") from None
        if response.status_code not in (204, 404):
            raise ProviderError(f"{self.name} refused to revoke access (HTTP {response.status_code}).")
        return True
