from portfolio.jobs.api import applications, apply, jobs

urlpatterns = [
    *jobs.urlpatterns,
    *applications.urlpatterns,
    *apply.urlpatterns,
]
