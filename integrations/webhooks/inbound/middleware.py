"""Inbound webhooks (POST /integrations/webhooks/<partner>/), answered before most of the middleware stack.

`WebhookReceiveMiddleware` sits after the request id (and its log line), SecurityMiddleware (its redirect
to HTTPS and its headers) and the short-link redirect, and before the rest: CSP, Permissions-Policy, refused
uploads, static files, sessions, CommonMiddleware, CSRF (the receiver is exempt), authentication, messages,
X-Frame-Options and axes, none of which does anything for a partner's event but add headers that depend
only on the settings and the scheme. For a POST to the receive path it calls the receiver itself
(inbound.receive: every check, the stored row, the refusals) and adds those headers and Content-Length
(portfolio/core/early_answers.py).

Everything else goes on down the stack as before: other paths and methods, a multipart body
(RefuseUploadsMiddleware's 415), a host not allowed (CommonMiddleware's 400), and CommonMiddleware's
redirects and refusals when they are configured (PREPEND_WWW, DISALLOWED_USER_AGENTS).
"""

import re
from functools import cache

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_resolver

from integrations.webhooks.inbound import views as inbound
from portfolio.core import early_answers

# The <slug:partner_slug> of the URLconf's route (django.urls.converters.SlugConverter).
_SLUG = r"[-a-zA-Z0-9_]+"


@cache
def receive_path() -> re.Pattern[str]:
    """The receive path, as the URLconf routes it: the path before the partner's slug, the slug, a slash."""
    placeholder = "partner-slug"
    prefix, webhooks = get_resolver().namespace_dict["webhooks"]
    path = "/" + prefix + webhooks.reverse("receive", partner_slug=placeholder)
    prefix, suffix = path.split(placeholder)
    return re.compile(re.escape(prefix) + f"(?P<partner_slug>{_SLUG})" + re.escape(suffix))


@receiver(setting_changed)
def _forget(**kwargs):
    receive_path.cache_clear()


class WebhookReceiveMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            matched = receive_path().fullmatch(request.path_info)
            if matched is not None and self.answers(request):
                response = inbound.receive(request, matched["partner_slug"])
                return early_answers.finish(request, response, skipped=early_answers.BELOW_SECURITY_MIDDLEWARE)
        return self.get_response(request)

    def answers(self, request) -> bool:
        """Whether nothing below would answer this request before the receiver does."""
        if request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/"):
            return False  # RefuseUploadsMiddleware answers it
        if settings.PREPEND_WWW or settings.DISALLOWED_USER_AGENTS:
            return False  # CommonMiddleware's redirects and refusals
        try:
            request.get_host()
        except DisallowedHost:
            return False  # the stack's 400
        return True
