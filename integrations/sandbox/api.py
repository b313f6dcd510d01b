"""The sandbox partner's JSON endpoints: metadata, JWKS, token, revocation, userinfo and resource APIs.

Plain Django views, not DRF: the sandbox imitates an outside platform and answers with OAuth's own
error shapes (`{"error": ..., "error_description": ...}`), not Reelfolio's API error format.
"""

from functools import wraps

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6750 import InsufficientScopeError
from django.db import DataError, transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from common.bad_input import BadInput, answers_unstorable_text, json_loads, request_text_problem
from integrations.sandbox import selectors, services
from integrations.sandbox.routers import SANDBOX_DB
from integrations.sandbox.server import require_oauth, server, user_info

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def oauth_error(status: int, error: str, description: str, headers: dict | None = None) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    for name, value in {**NO_STORE, **(headers or {})}.items():
        response[name] = value
    return response


def allow_methods(*methods: str):
    """Like Django's require_http_methods, but answers 405 in OAuth's JSON error shape."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in methods:
                return oauth_error(
                    405, "invalid_request", f"Use {' or '.join(methods)}.", {"Allow": ", ".join(methods)}
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def bearer_required(scope: str):
    """Resource-API protection: a valid bearer access token carrying `scope`."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                token = require_oauth.acquire_token(request, scopes=[scope])
            except InsufficientScopeError:
                return oauth_error(
                    403, "insufficient_scope", f"This endpoint needs the scope '{scope}'.",
                    {"WWW-Authenticate": f'Bearer realm="sandbox", error="insufficient_scope", scope="{scope}"'},
                )
            except OAuth2Error:
                return oauth_error(
                    401, "invalid_token", "The access token is missing, expired or revoked.",
                    {"WWW-Authenticate": 'Bearer realm="sandbox", error="invalid_token"'},
                )
            request.oauth_token = token
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@allow_methods("GET")
def metadata(request):
    return JsonResponse(selectors.sandbox_metadata())


@allow_methods("GET")
def jwks(request):
    key = services.sandbox_signing_key_get_or_create()
    return JsonResponse({"keys": [key.as_dict(private=False)]})


def _guarded(request, call):
    """Runs an Authlib endpoint in one transaction of the sandbox database, so that a redeemed code or a
    retired refresh token never outlives a failed issue. A parameter Authlib cannot even quote in its
    error, or one with a NUL character or a lone surrogate, is a plain invalid_request."""
    invalid = oauth_error(400, "invalid_request", "The request has an invalid parameter.")
    if request_text_problem(request) is not None:
        return invalid
    try:
        with transaction.atomic(using=SANDBOX_DB):
            return call()
    except (ValueError, DataError):
        # DataError: a client id with NUL from an HTTP Basic header reached PostgreSQL.
        return invalid


@csrf_exempt
@answers_unstorable_text
@allow_methods("POST")
def token(request):
    return _guarded(request, lambda: server.create_token_response(request))


@csrf_exempt
@answers_unstorable_text
@allow_methods("POST")
def revoke(request):
    return _guarded(request, lambda: server.create_endpoint_response("revocation", request))


@allow_methods("GET", "POST")
@bearer_required("openid")
def userinfo(request):
    token = request.oauth_token
    return JsonResponse(user_info(token.user, token.scope), headers=NO_STORE)


@allow_methods("GET")
@bearer_required("portfolio.read")
def freelance_me(request):
    return JsonResponse(selectors.sandbox_freelance_profile(request.oauth_token.user))


@allow_methods("GET")
@bearer_required("portfolio.read")
def freelance_projects(request):
    raw_page = request.GET.get("page", "1")
    if not (raw_page.isascii() and raw_page.isdigit()) or len(raw_page) > 6 or int(raw_page) < 1:
        return oauth_error(400, "invalid_request", "'page' must be a whole number from 1.")
    page = selectors.sandbox_projects_page(user=request.oauth_token.user, page=int(raw_page))
    return JsonResponse({"projects": page.projects, "page": page.page, "next_page": page.next_page})


@allow_methods("GET")
@bearer_required("videos.read")
def videos_me(request):
    return JsonResponse(selectors.sandbox_video_account(request.oauth_token.user))


def _whole_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@allow_methods("POST")
@bearer_required("videos.read")
def videos_list(request):
    try:
        body = json_loads(request.body or b"{}")
    except BadInput:
        return oauth_error(400, "invalid_request", "The body must be a JSON object.")
    if not isinstance(body, dict):
        return oauth_error(400, "invalid_request", "The body must be a JSON object.")
    cursor = body.get("cursor", 0)
    max_count = body.get("max_count", selectors.VIDEOS_DEFAULT_COUNT)
    if not _whole_number(cursor) or not 0 <= cursor <= 1_000_000:
        return oauth_error(400, "invalid_request", "'cursor' must be a whole number from 0.")
    if not _whole_number(max_count) or not 1 <= max_count <= selectors.VIDEOS_MAX_COUNT:
        return oauth_error(
            400, "invalid_request", f"'max_count' must be a whole number from 1 to {selectors.VIDEOS_MAX_COUNT}."
        )
    page = selectors.sandbox_videos_page(user=request.oauth_token.user, cursor=cursor, max_count=max_count)
    return JsonResponse({"videos": page.videos, "cursor": page.cursor, "has_more": page.has_more})
