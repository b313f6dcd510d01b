"""What the employer API's views share: who may call them (an organization's API key with the scope of the
operation, or a member's session with CSRF), which organizations' objects they see, cursor pagination, and
the documented error answers.

A job or an application of an organization the caller does not act for does not exist for them: 404.
"""

from django.utils.cache import patch_vary_headers
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from portfolio.accounts.authentication import (
    EmployerAccess,
    OrganizationApiKeyAuthentication,
    OrganizationClient,
    organization_ids_for,
)
from portfolio.core.api import ErrorSerializer

TAG = "employer API"


class EmployerApiView(APIView):
    authentication_classes = [OrganizationApiKeyAuthentication, SessionAuthentication]
    permission_classes = [EmployerAccess]
    renderer_classes = [JSONRenderer]

    def organization_ids(self) -> list[int]:
        return organization_ids_for(self.request)

    def api_key(self):
        """The organization API key of this request; None for a member's session."""
        client = self.request.auth
        return client.api_key if isinstance(client, OrganizationClient) else None

    def actor(self):
        """The member who acts: the session's user; None when the organization's key acts (services
        take the key as `api_key` then)."""
        return self.request.user if self.api_key() is None else None

    def not_found(self, what: str):
        return NotFound(f"No {what} with this id among your organization's.")

    def finalize_response(self, request, response, *args, **kwargs):
        """Every answer (errors too) is for the caller alone: applicants' data must stay out of shared and
        browser caches, and an answer differs by key."""
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        patch_vary_headers(response, ["Authorization"])
        return response


class NewestFirstCursor(CursorPagination):
    """Cursor pages of up to 100 (50 by default), newest first: stable while rows are added."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        """`page_size` as documented: a whole number from 1 to 100; anything else is a 400 (DRF would fall
        back to 50 without a word)."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise ValidationError({"page_size": [f"A whole number from 1 to {self.max_page_size}."]})
        return int(raw)


PAGE_SIZE = OpenApiParameter(
    "page_size",
    {"type": "integer", "minimum": 1, "maximum": NewestFirstCursor.max_page_size},
    description=f"Items per page, 1 to {NewestFirstCursor.max_page_size} ({NewestFirstCursor.page_size}).",
)


def cursor_page(name: str, item: type[serializers.Serializer]):
    """The schema of one cursor page of `item`s."""
    return inline_serializer(
        name=name,
        fields={
            "next": serializers.URLField(allow_null=True, help_text="The next page; null on the last one."),
            "previous": serializers.URLField(allow_null=True, help_text="The page before; null on the first one."),
            "results": item(many=True),
        },
    )


def errors(*codes: int, **descriptions: str) -> dict[int, OpenApiResponse]:
    """The documented error answers of an operation, each in the one error shape."""
    defaults = {
        400: "Bad input: the message says what, `details` names each field.",
        401: "No API key or session, or a key that is unknown or revoked.",
        403: "The API key lacks this operation's scope, or the session's user belongs to no organization "
        "(or a member's session without its CSRF token on a write).",
        404: "Nothing with this id among the caller's organization's (or an invalid cursor).",
        409: "The request clashes with the current state (the message says which).",
        429: "Too many invalid API keys from this address; retry after `Retry-After` seconds.",
    }
    named = {int(key.removeprefix("e")): value for key, value in descriptions.items()}
    return {code: OpenApiResponse(ErrorSerializer, description=named.get(code, defaults[code])) for code in codes}
