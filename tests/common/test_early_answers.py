"""The early answers refuse to start above a middleware they do not know (common/early_answers.py): a CORS,
maintenance or allow-list middleware added below them later would be skipped by every early answer."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from common.early_answers import DOOR

MAINTENANCE = "tests.common.test_early_answers.MaintenanceMiddleware"


class MaintenanceMiddleware:
    """Answers 503 to everything: what a maintenance switch does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponse

        return HttpResponse("Down for maintenance.", status=503)


def with_maintenance(settings, *, below_door: bool) -> None:
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index(DOOR) + (1 if below_door else 0), MAINTENANCE)
    settings.MIDDLEWARE = middleware


def test_a_middleware_the_early_answers_do_not_know_below_them_stops_the_checks_and_the_server(settings):
    with_maintenance(settings, below_door=True)
    with pytest.raises(SystemCheckError, match=r"common\.E001.*MaintenanceMiddleware is below"):
        call_command("check")
    with pytest.raises(ImproperlyConfigured, match="MaintenanceMiddleware is below"):
        Client().get("/healthz")  # the stack is built with the first request: it is not built


@pytest.mark.django_db
def test_above_the_early_answers_any_middleware_may_sit(settings):
    with_maintenance(settings, below_door=False)
    call_command("check")
    response = Client().get("/l/AnyCode1")
    assert (response.status_code, response.content) == (503, b"Down for maintenance.")


def test_the_middleware_of_the_settings_pass_the_check():
    call_command("check")
