"""The partner API's warm anchor lookups, answered before most of the middleware stack.

`AnchorsHotPathMiddleware` sits right after RequestIdMiddleware (so every answer still has its request id
and its log line). For `GET /api/v1/anchors/` and `POST /api/v1/anchors/lookup` it tries the lookup's hot
path (portfolio/creators/api.py: a well-formed request, a key the cache holds, valid, with the scope and
under its rate, every video's anchors cached or read in one query) and, when that answers, adds what the
rest of the stack would have added to it: the security headers (SecurityMiddleware, django-csp,
Permissions-Policy, X-Frame-Options) and Content-Length. Those depend only on the settings and on whether
the request came over HTTPS, so they are worked out once, by the same middleware classes, on a probe.

Everything else goes down the stack as before: other paths and methods, a request the stack would
redirect (to HTTPS) or refuse (a host not allowed, a file upload), and whatever the hot path hands over
(a bad request, an unknown, refused or throttled key, a cache away): the DRF view answers those.
"""

from functools import cache

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import get_resolver

from portfolio.core.middleware import PermissionsPolicyMiddleware
from portfolio.creators import api

# The middleware after this one whose headers an API answer carries whatever it is, where MIDDLEWARE has
# them (CommonMiddleware's Content-Length is added per answer).
HEADER_MIDDLEWARE = (SecurityMiddleware, CSPMiddleware, PermissionsPolicyMiddleware, XFrameOptionsMiddleware)
COMMON_MIDDLEWARE = "django.middleware.common.CommonMiddleware"


def _installed(middleware_class) -> bool:
    return f"{middleware_class.__module__}.{middleware_class.__qualname__}" in settings.MIDDLEWARE


class _Probe(HttpRequest):
    def __init__(self, *, path: str, secure: bool):
        super().__init__()
        self.method = "GET"
        self.path = self.path_info = path
        self._secure = secure

    def _get_scheme(self):
        return "https" if self._secure else "http"


@cache
def stack_headers(path: str, secure: bool) -> tuple[tuple[str, str], ...]:
    """The headers HEADER_MIDDLEWARE adds to an answer at `path`, over HTTPS or not, as they add them."""
    probe = _Probe(path=path, secure=secure)
    response = HttpResponse()
    before = set(response.headers)
    for middleware_class in HEADER_MIDDLEWARE:
        if not _installed(middleware_class):
            continue
        middleware = middleware_class(lambda request: response)
        if hasattr(middleware, "process_response"):
            middleware.process_response(probe, response)
        else:
            middleware(probe)
    return tuple((name, value) for name, value in response.items() if name not in before)


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
    stack_headers.cache_clear()
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
        for name, value in stack_headers(request.path_info, request.is_secure()):
            response.headers[name] = value
        if COMMON_MIDDLEWARE in settings.MIDDLEWARE and not response.has_header("Content-Length"):
            response.headers["Content-Length"] = str(len(response.content))
        return response
