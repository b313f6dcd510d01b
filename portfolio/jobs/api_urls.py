from portfolio.jobs.api import applications, apply, jobs, webhooks

urlpatterns = [
    *jobs.urlpatterns,
    *applications.urlpatterns,
    *apply.urlpatterns,
    *webhooks.urlpatterns,
]
