"""Reelfolio's URLs, plus the benchmark's minimal Django view (only under bench.settings)."""

from django.http import JsonResponse
from django.urls import path

from portfolio import urls as reelfolio_urls


def baseline(request):
    """A small JSON answer through the whole middleware stack, with no work of its own: the benchmark's
    second baseline beside /healthz."""
    return JsonResponse({"status": "ok", "service": "reelfolio"})


urlpatterns = [path("bench/baseline", baseline, name="bench-baseline"), *reelfolio_urls.urlpatterns]

# The same error handlers as Reelfolio's own URLconf.
for _name in ("handler400", "handler403", "handler404", "handler500"):
    if hasattr(reelfolio_urls, _name):
        globals()[_name] = getattr(reelfolio_urls, _name)
