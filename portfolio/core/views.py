import sys
from typing import Any

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.cache import patch_vary_headers
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from common.bad_input import BadInput
from portfolio.core import selectors
from portfolio.core.api import UNAVAILABLE_ERRORS, UNAVAILABLE_RETRY_AFTER_SECONDS, unavailable_body
from portfolio.core.home import home_context


def home(request):
    return render(request, "core/home.html", home_context(request))


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """Ready when the database, the caches and the broker answer; each check has READYZ_CHECK_SECONDS, run
    side by side, so the answer comes within that whatever is stalled, naming the part."""
    results = selectors.checks_run(
        {
            "database": selectors.database_problem,
            "cache": selectors.cache_problem,
            "broker": selectors.broker_problem,
        },
        seconds=settings.READYZ_CHECK_SECONDS,
    )
    checks = {name: (str(problem) if problem else None) for name, problem in results.items()}
    failing = sorted(name for name, problem in checks.items() if problem)
    body: dict[str, Any] = {
        "status": "ok" if not failing else "unavailable",
        "checks": {name: (problem or "ok") for name, problem in checks.items()},
    }
    if failing:
        body["failing"] = failing
    if not checks["database"]:  # it has just answered within its deadline
        last_seen = selectors.worker_last_seen()
        body["worker_last_seen"] = last_seen.isoformat() if last_seen else None
    return JsonResponse(body, status=503 if failing else 200)


def _api_error(*, status: int, code: str, message: str, details: dict | None = None) -> JsonResponse:
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    response = JsonResponse({"error": error}, status=status)
    # Like every error of the API: for this caller alone, kept by no cache.
    response["Cache-Control"] = "private, no-store"
    patch_vary_headers(response, ["Authorization"])
    return response


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    """400 for what Django refuses before or around a view (more than DATA_UPLOAD_MAX_NUMBER_FIELDS
    parameters, an unreadable body): in the API's error shape on API paths, Django's page elsewhere. Input
    refused at the door (common.bad_input: a NUL character in a form field) is answered with its message."""
    if isinstance(exception, BadInput):
        if _is_api(request):
            return _api_error(status=400, code=exception.code, message=exception.message, details=exception.extra)
        return render(request, "400.html", {"message": exception.message}, status=400)
    if _is_api(request):
        return _api_error(
            status=400,
            code="bad_request",
            message="The request could not be read: too many parameters (at most 1000), or a body that is "
            "not what its Content-Type says.",
        )
    return defaults.bad_request(request, exception)


def page_not_found(request, exception=None):
    """404 for paths no URL matches (e.g. /api/v1/jobs/abc/) and missing objects: the API's error shape under /api/."""
    if _is_api(request):
        return _api_error(status=404, code="not_found", message="No API operation has this path.")
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500 for an exception no view handled, except when a part Reelfolio depends on is unreachable (the
    database restarting, a cache call with no fallback): that is a 503 with Retry-After, in the API's error
    shape on API paths and a page of its own elsewhere, never the 500 page. Django calls this while the
    exception is being handled, so it is the one place that sees every error a view or middleware raised."""
    error = sys.exc_info()[1]
    api = request.path.startswith("/api/")
    if not isinstance(error, UNAVAILABLE_ERRORS):
        if api:
            return _api_error(status=500, code="server_error", message="Something went wrong on our side.")
        return defaults.server_error(request)
    if api:
        response: HttpResponse = JsonResponse(unavailable_body(), status=503)
    else:
        # A page of its own that needs no database, no session and no context processor.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_SECONDS)
    return response
