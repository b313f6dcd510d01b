"""What the home page shows a signed-in employer (registered from JobsConfig.ready(), see portfolio/core/home.py):
the dashboard of their organizations' jobs, applicants and ATS endpoints."""

from datetime import datetime

from django.http import HttpRequest
from django.utils.dateparse import parse_datetime

from portfolio.jobs.selectors.dashboard import employer_dashboard
from portfolio.jobs.services.dashboard import employer_home_visit_record

# What "new" means during one session: since the visit before it, so a reload does not clear it.
SINCE_SESSION_KEY = "jobs:home_since"


def _since(request: HttpRequest) -> datetime | None:
    if SINCE_SESSION_KEY in request.session:
        stored = request.session[SINCE_SESSION_KEY]
        return parse_datetime(stored) if stored else None
    previous = employer_home_visit_record(user=request.user)
    request.session[SINCE_SESSION_KEY] = previous.isoformat() if previous else ""
    return previous


def employer_home(request: HttpRequest) -> dict:
    user = request.user
    if not user.is_authenticated or not getattr(user, "is_employer", False):
        return {}
    return {"employer_dashboard": employer_dashboard(user=user, since=_since(request))}
