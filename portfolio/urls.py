from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from common.metrics import metrics_view
from portfolio.core import views as core_views

# Paths no URL matches, and requests Django cannot read, answer in the API's JSON error shape under /api/v1/.
handler400 = "portfolio.core.views.bad_request"
handler404 = "portfolio.core.views.page_not_found"
# A part Reelfolio depends on that is unreachable (the database restarting) answers 503 with Retry-After.
handler500 = "portfolio.core.views.server_error"

admin.site.site_header = "Reelfolio operations"
admin.site.site_title = "Reelfolio admin"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("accounts/", include("portfolio.accounts.urls")),
    path("integrations/oauth/", include("integrations.oauth.urls")),
    path("integrations/webhooks/", include("integrations.webhooks.urls")),
    path("api/v1/", include("portfolio.creators.api_urls")),
    path("api/v1/", include("portfolio.jobs.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file of its own: the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("", include("portfolio.jobs.urls")),
    # Creator pages, public portfolio pages /@<handle> and short links /l/<code>.
    path("", include("portfolio.creators.urls")),
]

if settings.SANDBOX_ENABLED:
    urlpatterns.append(path("", include("integrations.sandbox.urls")))
