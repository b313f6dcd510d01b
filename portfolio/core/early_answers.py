"""What the rest of the middleware stack adds to an answer that a middleware near its top gives itself.

The hot paths (warm anchor lookups, warm short-link redirects) are answered before sessions, CSRF,
authentication and messages, none of which does anything for them. What the middleware they skip would
have added is headers that depend only on the settings and on whether the request came over HTTPS
(security headers, the Content-Security-Policy, Permissions-Policy, X-Frame-Options), and Content-Length.
`finish` adds them, worked out once per path and scheme by the same middleware classes, on a probe.
"""

from functools import cache

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware

from portfolio.core.middleware import PermissionsPolicyMiddleware

# The middleware whose headers every answer carries, whatever it is, in MIDDLEWARE's order.
HEADER_MIDDLEWARE = (SecurityMiddleware, CSPMiddleware, PermissionsPolicyMiddleware, XFrameOptionsMiddleware)
# Those of them below SecurityMiddleware, for a middleware placed after it.
BELOW_SECURITY_MIDDLEWARE = HEADER_MIDDLEWARE[1:]
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
def stack_headers(path: str, secure: bool, skipped: tuple[type, ...]) -> tuple[tuple[str, str], ...]:
    """The headers that the `skipped` middleware (those of them in MIDDLEWARE) add to an answer at `path`,
    over HTTPS or not, as they add them."""
    probe = _Probe(path=path, secure=secure)
    response = HttpResponse()
    before = set(response.headers)
    for middleware_class in skipped:
        if not _installed(middleware_class):
            continue
        middleware = middleware_class(lambda request: response)
        if hasattr(middleware, "process_response"):
            middleware.process_response(probe, response)
        else:
            middleware(probe)
    return tuple((name, value) for name, value in response.items() if name not in before)


@receiver(setting_changed)
def _forget(**kwargs):
    stack_headers.cache_clear()


def finish(request, response: HttpResponse, *, skipped: tuple[type, ...]) -> HttpResponse:
    """`response` with what the `skipped` header middleware and CommonMiddleware would have added to it."""
    for name, value in stack_headers(request.path_info, request.is_secure(), skipped):
        response.headers[name] = value
    if COMMON_MIDDLEWARE in settings.MIDDLEWARE and not response.has_header("Content-Length"):
        response.headers["Content-Length"] = str(len(response.content))
    return response
