"""Paging through a provider's API by `Link: rel="next"` headers (GitHub, Dribbble, RFC 8288)."""

import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from integrations.providers.errors import ProviderError
from integrations.providers.provider_attributes import ProviderAttributes

logger = logging.getLogger(__name__)

# A guard against a provider whose "next page" never ends.
MAX_PAGES = 50


class LinkPagingMixin(ProviderAttributes):
    """Reading every page of a list that says where its next page is in a `Link` header."""

    def api_pages(self, url: str, *, access_token: str, params: dict | None = None) -> Iterator[Any]:
        """GET `url` and every page its `Link: rel="next"` header leads to (GitHub, Dribbble, RFC 8288)."""
        for _ in range(MAX_PAGES):
            data, response = self.api_json("GET", url, access_token=access_token, params=params)
            yield data
            next_url = response.links.get("next", {}).get("url")
            params = None
            if not next_url:
                return
            url = urljoin(response.url, next_url)
            # The next request carries the access token: only to where this page was asked for (not where
            # a redirect took it, which requests did not send the token to).
            asked = response.history[0].url if response.history else response.url
            if urlsplit(url)[:2] != urlsplit(asked)[:2]:
                logger.warning("oauth.next_page_elsewhere", extra={"provider": self.id})
                raise ProviderError(f"{self.name} sent a next page on another address, so nothing was read from it.")
