"""Reelfolio's URLs, plus the benchmark's minimal Django view (only under bench.settings)."""

from django.http import JsonResponse
from django.urls import path

from portfolio.urls import handler400, handler404
from portfolio.urls import urlpatterns as reelfolio_urlpatterns

__all__ = ["handler400", "handler404", "urlpatterns"]


def baseline(request):
    """A small JSON answer through the whole middleware stack, with no work of its own: the benchmark's
    second baseline beside /healthz."""
    return JsonResponse({"status": "ok", "service": "reelfolio"})


urlpatterns = [path("bench/baseline", baseline, name="bench-baseline"), *reelfolio_urlpatterns]
