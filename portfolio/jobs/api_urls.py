from portfolio.jobs.api import applications, apply, jobs, videos, webhooks

urlpatterns = [
    *jobs.urlpatterns,
    *videos.urlpatterns,
    *applications.urlpatterns,
    *apply.urlpatterns,
    *webhooks.urlpatterns,
]
