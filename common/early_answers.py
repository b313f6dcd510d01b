"""Early answers: the few hot paths answered before most of the middleware stack, and the one guard and the
one header probe that keep those answers the same as the whole stack's.

A warm anchor lookup or a warm short-link redirect costs less than the middleware it would go through
(sessions, CSRF, authentication, messages), none of which does anything for it. Their apps register them
here by URL name (`register`, from AppConfig.ready()); `EarlyAnswerMiddleware`, right after the request id
in MIDDLEWARE, answers them:

1. The path is matched with the URLconf's own pattern for that name, for the methods registered. A matched
   path is one the URLconf routes, so APPEND_SLASH (CommonMiddleware redirects only paths it does not
   route) never concerns it. (No earlier pattern of the URLconf may catch those paths first: the tests
   compare every early path with the whole stack.)
2. The guard (`stack_answers_first`) hands the request down the stack whenever a middleware below would
   answer it first: SecurityMiddleware's redirect to HTTPS; CommonMiddleware's refusals and redirects (a
   host outside ALLOWED_HOSTS, DISALLOWED_USER_AGENTS, PREPEND_WWW), decided by its own process_request;
   a multipart body (RefuseUploadsMiddleware's 415).
3. The app's answer (None: the stack answers instead) gets the headers the skipped middleware would add,
   worked out on a probe by those same middleware classes (`stack_headers`), and CommonMiddleware's
   Content-Length. The headers depend on the settings and the scheme, never on the path (HSTS only over
   HTTPS; Referrer-Policy, nosniff, Permissions-Policy and X-Frame-Options always; the CSP always, except
   under CONTENT_SECURITY_POLICY's EXCLUDE_URL_PREFIXES, which is part of the key as a yes or no), so the
   cache holds a handful of entries however many paths are asked for.

`BELOW` names every middleware that may sit below the early answers and what it does to them. A system check
(common.E001, and the middleware itself when the stack is built) refuses to start with any other: a CORS,
maintenance or allow-list middleware added later must first be taught here, never be skipped silently.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import DisallowedHost, ImproperlyConfigured, PermissionDenied
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.common import CommonMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.module_loading import import_string

from common import bad_input

DOOR = "common.early_answers.EarlyAnswerMiddleware"
SECURITY = "django.middleware.security.SecurityMiddleware"
COMMON = "django.middleware.common.CommonMiddleware"
UPLOADS = "common.middleware.RefuseUploadsMiddleware"
BAD_TEXT = "common.bad_input.RefuseUnstorableTextMiddleware"

# What each middleware allowed below the door does to a request the door answers. HEADERS: adds headers
# that `stack_headers` works out on a probe. FIRST: may answer before the view; the guard hands such a
# request down the stack. NOTHING: does nothing to an early answer (the reason beside it).
HEADERS, FIRST, NOTHING = "headers", "first", "nothing"
BELOW: dict[str, tuple[str, ...]] = {
    SECURITY: (FIRST, HEADERS),  # the redirect to HTTPS; HSTS, nosniff, Referrer-Policy, COOP
    "csp.middleware.CSPMiddleware": (HEADERS,),
    "common.middleware.PermissionsPolicyMiddleware": (HEADERS,),
    UPLOADS: (FIRST,),  # 415 to a multipart body
    BAD_TEXT: (FIRST,),  # 400 to a NUL in the query string or a form field
    "whitenoise.middleware.WhiteNoiseMiddleware": (NOTHING,),  # answers under STATIC_URL, no early answer's URL
    "django.contrib.sessions.middleware.SessionMiddleware": (NOTHING,),  # an early answer reads no session
    COMMON: (FIRST, HEADERS),  # host, user agents, PREPEND_WWW; Content-Length
    "django.middleware.csrf.CsrfViewMiddleware": (NOTHING,),  # unsafe methods only for exempt views (E002)
    "django.contrib.auth.middleware.AuthenticationMiddleware": (NOTHING,),  # request.user, which none reads
    "django.contrib.messages.middleware.MessageMiddleware": (NOTHING,),  # stores only messages added
    "django.middleware.clickjacking.XFrameOptionsMiddleware": (HEADERS,),
    "axes.middleware.AxesMiddleware": (NOTHING,),  # answers only a login its backend locked out
    "common.middleware.NotFoundPagesMiddleware": (NOTHING,),  # only paths no URL matches, under DEBUG
}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


@dataclass(frozen=True)
class EarlyAnswer:
    url_name: str  # "api-anchors", "creators:link"
    methods: frozenset[str]
    # answer(request, **the URL's kwargs): the response, or None for the whole stack to answer.
    answer: Callable[..., HttpResponse | None]


_registry: dict[str, EarlyAnswer] = {}


def register(url_name: str, *, methods: Iterable[str], answer: Callable[..., HttpResponse | None]) -> None:
    """Lets `answer` answer requests to the URL named `url_name` with one of `methods` before the stack."""
    _registry[url_name] = EarlyAnswer(url_name=url_name, methods=frozenset(m.upper() for m in methods), answer=answer)
    _routes.cache_clear()


@dataclass(frozen=True)
class _Route:
    regex: re.Pattern[str]
    converters: dict[str, Any]
    early: EarlyAnswer


def _find(patterns, names: list[str], prefix: str, converters: dict) -> tuple[str, dict, Callable] | None:
    """(regex, converters, view) of the URL named `names` ("namespace", ..., "name") under `patterns`."""
    for pattern in patterns:
        regex = prefix + pattern.pattern.regex.pattern.removeprefix("^")
        found_converters = {**converters, **pattern.pattern.converters}
        if isinstance(pattern, URLPattern) and len(names) == 1 and pattern.name == names[0]:
            return regex, found_converters, pattern.callback
        if isinstance(pattern, URLResolver):
            if pattern.namespace is None:
                found = _find(pattern.url_patterns, names, regex, found_converters)
            elif len(names) > 1 and pattern.namespace == names[0]:
                found = _find(pattern.url_patterns, names[1:], regex, found_converters)
            else:
                continue
            if found is not None:
                return found
    return None


@cache
def _routes() -> tuple[_Route, ...]:
    """Each registered early answer with the URLconf's pattern for its name."""
    routes = []
    for early in _registry.values():
        found = _find(get_resolver().url_patterns, early.url_name.split(":"), "", {})
        if found is None:
            raise ImproperlyConfigured(f"The early answer for {early.url_name!r} names no URL of the URLconf.")
        regex, converters, view = found
        if early.methods - SAFE_METHODS and not getattr(view, "csrf_exempt", False):
            raise ImproperlyConfigured(f"The early answer for {early.url_name!r} would skip its view's CSRF check.")
        routes.append(_Route(regex=re.compile(regex), converters=converters, early=early))
    return tuple(routes)


def _matched(request: HttpRequest) -> tuple[EarlyAnswer, dict[str, Any]] | None:
    path = request.path_info
    if not path.startswith("/"):
        return None
    for route in _routes():
        if request.method not in route.early.methods:
            continue
        match = route.regex.match(path, 1)
        if match is None:
            continue
        try:
            kwargs = {name: route.converters[name].to_python(value) for name, value in match.groupdict().items()}
        except ValueError:
            return None
        return route.early, kwargs
    return None


def middleware_below() -> list[str]:
    """The middleware below the door in MIDDLEWARE ([] without the door)."""
    middleware = list(settings.MIDDLEWARE)
    return middleware[middleware.index(DOOR) + 1 :] if DOOR in middleware else []


# --- the headers the skipped middleware add ----------------------------------------------------------


class _Probe(HttpRequest):
    def __init__(self, *, secure: bool, path: str):
        super().__init__()
        self.method = "GET"
        self.path = self.path_info = path
        self._secure = secure

    def _get_scheme(self):
        return "https" if self._secure else "http"


def _csp_excluded_prefixes() -> tuple[str, ...]:
    prefixes: list[str] = []
    for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"):
        prefixes += (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES") or []
    return tuple(prefixes)


@lru_cache(maxsize=4)
def stack_headers(secure: bool, csp_excluded: bool) -> tuple[tuple[str, str], ...]:
    """The headers the header middleware below the door add to an answer, over HTTPS or not (and under
    an EXCLUDE_URL_PREFIXES of the CSP or not), as they add them: on a probe, from the bottom up."""
    probe = _Probe(secure=secure, path=_csp_excluded_prefixes()[0] if csp_excluded else "/")
    response = HttpResponse()
    before = set(response.headers)
    for name in reversed(middleware_below()):
        if HEADERS not in BELOW.get(name, ()) or name == COMMON:
            continue
        middleware = import_string(name)(lambda request: response)
        if hasattr(middleware, "process_response"):
            middleware.process_response(probe, response)
        else:
            middleware(probe)
    return tuple((name, value) for name, value in response.items() if name not in before)


@receiver(setting_changed)
def _forget(**kwargs):
    stack_headers.cache_clear()
    _routes.cache_clear()


# --- the door ----------------------------------------------------------------------------------------


class EarlyAnswerMiddleware:
    """Answers the registered hot paths before the middleware below it (the module's docstring)."""

    def __init__(self, get_response):
        errors = [error for error in check_middleware() if error.is_serious()]
        if errors:
            raise ImproperlyConfigured(errors[0].msg)
        self.get_response = get_response
        below = middleware_below()
        # Their own checks, read from the settings when the stack is built, as theirs are.
        self.security = SecurityMiddleware(get_response) if SECURITY in below else None
        self.common = CommonMiddleware(get_response) if COMMON in below else None
        self.refuses_uploads = UPLOADS in below
        self.refuses_bad_text = BAD_TEXT in below

    def __call__(self, request):
        matched = _matched(request)
        if matched is not None and not self.stack_answers_first(request):
            early, kwargs = matched
            response = early.answer(request, **kwargs)
            if response is not None:
                return self.finish(request, response)
        return self.get_response(request)

    def stack_answers_first(self, request) -> bool:
        """Whether a middleware below would answer this request before its view (the guard)."""
        if self.refuses_uploads and request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/"):
            return True
        if self.refuses_bad_text and bad_input.query_string_refused(request.META.get("QUERY_STRING", "")):
            return True  # the stack's 400 naming the parameter
        try:
            if self.security is not None and self.security.process_request(request) is not None:
                return True  # redirected to HTTPS
            if self.common is not None and self.common.process_request(request) is not None:
                return True  # redirected to www.
            request.get_host()
        except (DisallowedHost, PermissionDenied):
            return True  # the stack's 400 or 403
        return False

    def finish(self, request, response: HttpResponseBase) -> HttpResponseBase:
        """`response` with what the skipped middleware would have added to it."""
        prefixes = _csp_excluded_prefixes()
        excluded = bool(prefixes) and request.path_info.startswith(prefixes)
        for name, value in stack_headers(request.is_secure(), excluded):
            if name not in response.headers:
                response.headers[name] = value
        if self.common is not None:
            response = self.common.process_response(request, response)  # Content-Length
        return response


# --- the check ---------------------------------------------------------------------------------------


def check_middleware(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """common.E001: a middleware below the early answers that they do not know; common.E002: an early
    answer for no URL, or one that would skip a CSRF check."""
    errors: list[checks.CheckMessage] = [
        checks.Error(
            f"{name} is below {DOOR} in MIDDLEWARE, which answers the hot paths before it without knowing what "
            "it does: those answers would skip it.",
            hint="Put it above the early answers, or add it to common.early_answers.BELOW with what it does to "
            "an early answer (and make the guard or the header probe account for it).",
            obj=name,
            id="common.E001",
        )
        for name in middleware_below()
        if name not in BELOW
    ]
    if DOOR in settings.MIDDLEWARE:
        try:
            _routes()
        except ImproperlyConfigured as error:
            errors.append(checks.Error(str(error), obj=DOOR, id="common.E002"))
    return errors
