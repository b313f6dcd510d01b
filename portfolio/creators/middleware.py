"""The partner API's warm anchor lookups, answered before most of the middleware stack.

`AnchorsHotPathMiddleware` sits right after RequestIdMiddleware (so every answer still has its request id
and its log line). For `GET /api/v1/anchors/` and `POST /api/v1/anchors/lookup` it tries the lookup's hot
path (portfolio/creators/api.py: a well-formed request, a key the cache holds, valid, with the scope and
under its rate, every video's anchors cached or read in one query) and, when that answers, adds what the
rest of the stack would have added to it (portfolio/core/early_answers.py): the security headers
(SecurityMiddleware, django-csp, Permissions-Policy, X-Frame-Options) and Content-Length.

Everything else goes down the stack as before: other paths and methods, a request the stack would
redirect (to HTTPS) or refuse (a host not allowed, a file upload), and whatever the hot path hands over
(a bad request, an unknown, refused or throttled key, a cache away): the DRF view answers those.
"""

from functools import cache

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.urls import get_resolver

from portfolio.core import early_answers
from portfolio.creators import api


@cache
def hot_views() -> dict[str, type[api._PartnerAnchorsApiView]]:
    """{path: view class} of the two forms of the lookup, as the URLconf routes them."""
    resolver = get_resolver()
    return {
        "/" + resolver.reverse(name): view_class
        for name, view_class in (("api-anchors", api.AnchorsApi), ("api-anchors-lookup", api.AnchorsLookupApi))
    }


@receiver(setting_changed)
def _forget(**kwargs):
    hot_views.cache_clear()


class AnchorsHotPathMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.security = SecurityMiddleware(get_response)  # its process_request: the redirect to HTTPS

    def __call__(self, request):
        view_class = hot_views().get(request.path_info)
        if view_class is not None:
            response = self.answer(request, view_class)
            if response is not None:
                return response
        return self.get_response(request)

    def answer(self, request, view_class) -> HttpResponse | None:
        if request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/"):
            return None  # RefuseUploadsMiddleware answers it
        if settings.PREPEND_WWW or settings.DISALLOWED_USER_AGENTS:
            return None  # CommonMiddleware's redirects and refusals
        if self.security.process_request(request) is not None:
            return None  # redirected to HTTPS
        try:
            request.get_host()
        except DisallowedHost:
            return None  # the stack's 400
        response = api.hot_answer(request, view_class)
        if response is None:
            return None
        return early_answers.finish(request, response, skipped=early_answers.HEADER_MIDDLEWARE)
