"""What the tests of the middleware that answer hot paths early share: which way a request went, what a
caller sees of an answer, and a client that goes through the whole stack instead."""

from django.test import Client

from common.early_answers import DOOR


def answered_early(response) -> bool:
    """True when the request was answered before SessionMiddleware (which the whole stack goes through)."""
    return not hasattr(response.wsgi_request, "session")


def seen(response) -> tuple[int, bytes, dict]:
    """What a caller sees: the status, the body and every header but the request's own id."""
    headers = {name: value for name, value in response.items() if name != "X-Request-ID"}
    return response.status_code, response.content, headers


def whole_stack_client(settings, middleware: str = DOOR) -> Client:
    """A client whose requests go down the whole stack: `middleware` (the early answers) is taken out of
    MIDDLEWARE."""
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != middleware]
    return Client()
