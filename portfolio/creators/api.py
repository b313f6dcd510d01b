"""The partner API: which anchors to render on which videos. This is the hot path.

A warm request makes no database query: the API key, the throttle counter and every video's anchors come
from the cache. A cold one makes one query for the anchors of all the ids not in the cache (plus, when the
key is not cached either, one to look the key up and one to record its use).
"""

import hashlib
import re
from functools import partial

from django.conf import settings
from django.utils.cache import get_conditional_response, patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from integrations.partners.authentication import HasScope, PartnerApiKeyAuthentication
from integrations.partners.scopes import ANCHORS_READ
from integrations.partners.throttling import PartnerApiKeyRateThrottle
from portfolio.core.api import ErrorSerializer
from portfolio.creators.anchor_cache import anchors_for_videos

MAX_VIDEO_IDS = 100
MAX_VIDEO_ID_LENGTH = 128
# The patterns are published in the schema as they are: what they match is exactly what the server accepts.
PLATFORM_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$"
# Visible characters only: no control characters (C0, DEL, C1), no whitespace (spelled out, so that Python and
# ECMAScript regexes agree), no U+FFFD (what undecodable percent-escapes in a query string turn into).
VIDEO_ID_PATTERN = (
    r"^[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff\ufffd]"
    + f"{{1,{MAX_VIDEO_ID_LENGTH}}}$"
)
_PLATFORM = re.compile(PLATFORM_PATTERN)
_VIDEO_ID = re.compile(VIDEO_ID_PATTERN)


class AnchorSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text=(
            "What the anchor is: `portfolio` (“View My Portfolio”, a tracked short link) or `job` (“Apply”, the "
            "page of the open job posted on the video). Skip kinds you do not know."
        )
    )
    # A field named like Field.label: DRF's metaclass moves declared fields out of the class attributes.
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="The text to show, e.g. “View My Portfolio” or “Apply”."
    )
    url = serializers.URLField(
        help_text="Where the anchor leads: a tracked Reelfolio short link (`portfolio`) or a job page (`job`)."
    )


class VideoAnchorsSerializer(serializers.Serializer):
    video_id = serializers.CharField(help_text="The platform's id of the video, as asked.")
    anchors = AnchorSerializer(
        many=True,
        help_text="In the order to render them (“View My Portfolio” before “Apply”); empty when nothing is attached.",
    )


class AnchorsOutputSerializer(serializers.Serializer):
    platform = serializers.CharField(help_text="The platform asked about.")
    videos = VideoAnchorsSerializer(
        many=True, help_text="One entry per known video, in the order asked. Unknown and removed videos are absent."
    )


def _checked_platform(value: str, *, example: str) -> str:
    if not _PLATFORM.fullmatch(value):
        raise serializers.ValidationError(f"A platform id is letters, digits, '.', '_' and '-', e.g. {example}.")
    return value


def _checked_video_ids(value: list[str]) -> list[str]:
    """The ids, each checked, distinct in the order given; the same rules for the query and the JSON body."""
    if len(value) > MAX_VIDEO_IDS:
        raise serializers.ValidationError(f"At most {MAX_VIDEO_IDS} video ids per request; this one has {len(value)}.")
    for position, video_id in enumerate(value, start=1):
        if not video_id:
            raise serializers.ValidationError(f"Video id number {position} is empty.")
        if len(video_id) > MAX_VIDEO_ID_LENGTH:
            raise serializers.ValidationError(
                f"Video id number {position} is longer than {MAX_VIDEO_ID_LENGTH} characters."
            )
        if not _VIDEO_ID.fullmatch(video_id):
            raise serializers.ValidationError(
                f"Video id number {position} has spaces, control characters or bytes that are not UTF-8."
            )
    return list(dict.fromkeys(value))


class _PartnerAnchorsApiView(APIView):
    """What both forms of the lookup share: the partner's key and scope, the throttle, the answer and its
    caching headers."""

    authentication_classes = [PartnerApiKeyAuthentication]
    permission_classes = [HasScope]
    required_scopes = (ANCHORS_READ,)
    throttle_classes = [PartnerApiKeyRateThrottle]
    renderer_classes = [JSONRenderer]

    def answer(self, *, platform: str, video_ids: list[str]) -> Response:
        videos = anchors_for_videos(platform=platform, video_ids=video_ids)
        # The cached payload is already in AnchorsOutputSerializer's shape (the tests hold it to that), so
        # it is returned as it is: running DRF's serializer over 100 videos cost a quarter of a warm request.
        response = Response({"platform": platform, "videos": videos})
        response["Cache-Control"] = f"public, max-age={settings.PARTNER_API_MAX_AGE}"
        patch_vary_headers(response, ["Authorization"])
        response.add_post_render_callback(partial(_with_etag, self.request))
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code != 200:
            # Errors depend on the key and the moment: no shared cache may keep them.
            response["Cache-Control"] = "no-store"
        return response


class AnchorsApi(_PartnerAnchorsApiView):
    """GET /api/v1/anchors/?platform=<p>&video_id=<id>&video_id=<id>... for partner platforms."""

    class InputSerializer(serializers.Serializer):
        platform = serializers.CharField(
            max_length=50,
            error_messages={
                "required": "This query parameter is required, e.g. platform=sandbox-video.",
                "blank": "Give the platform's id, e.g. platform=sandbox-video.",
                "max_length": "A platform id is at most 50 characters.",
            },
        )
        video_id = serializers.ListField(
            child=serializers.CharField(allow_blank=True, trim_whitespace=False),
            error_messages={
                "required": "Give at least one video id: video_id=<id>, repeated for more.",
                "empty": "Give at least one video id: video_id=<id>, repeated for more.",
            },
        )

        def to_internal_value(self, data):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {
                        api_settings.NON_FIELD_ERRORS_KEY: [
                            f"Unknown query parameter {unknown[0]!r}: this endpoint takes platform and video_id."
                        ]
                    }
                )
            if hasattr(data, "getlist") and len(data.getlist("platform")) > 1:
                raise serializers.ValidationError({"platform": ["Give platform once."]})
            return super().to_internal_value(data)

        def validate_platform(self, value):
            return _checked_platform(value, example="platform=sandbox-video")

        def validate_video_id(self, value):
            return _checked_video_ids(value)

    @extend_schema(
        operation_id="anchors_lookup",
        summary="Anchors to render on videos",
        description=(
            "Returns, for each known video among up to 100 ids of one platform, the anchors to render on "
            "it (kind, label, URL): “View My Portfolio” (`portfolio`) when its creator attached one, then "
            "“Apply” (`job`) while a job posted on it is open.\n\n"
            "- A video Reelfolio knows and shows, without anything attached, is listed with `anchors: []`.\n"
            "- Ids Reelfolio does not know, and videos removed from Reelfolio, are left out of `videos`.\n"
            "- Repeated ids are answered once.\n"
            "- 100 long ids make a long URL. Reelfolio's server refuses a request line over 8190 bytes "
            "(gunicorn's ceiling) with a plain-text `414` before the API sees it, and CDNs have limits of their "
            "own: send long lists to `POST /api/v1/anchors/lookup` instead, which takes the ids in a JSON "
            "body.\n\n"
            "Responses are cacheable: `Cache-Control: public, max-age=<PARTNER_API_MAX_AGE>` (60 s by default), "
            "`Vary: Authorization` and an `ETag` computed from the body; send it back in `If-None-Match` to "
            "get `304 Not Modified` while nothing changed. Each API key may make `PARTNER_API_RATE` requests "
            "per window (6000/min by default); over it the answer is 429 with `Retry-After`."
        ),
        tags=["partner API"],
        parameters=[
            OpenApiParameter(
                "platform",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=True,
                pattern=PLATFORM_PATTERN,
                description="The video platform's id at Reelfolio, e.g. `sandbox-video`.",
            ),
            OpenApiParameter(
                "video_id",
                {
                    "type": "array",
                    "items": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": MAX_VIDEO_ID_LENGTH,
                        "pattern": VIDEO_ID_PATTERN,
                    },
                    "minItems": 1,
                    "maxItems": MAX_VIDEO_IDS,
                },
                OpenApiParameter.QUERY,
                required=True,
                explode=True,
                style="form",
                description=(
                    f"The platform's id of a video; repeat the parameter for up to {MAX_VIDEO_IDS} videos "
                    f"(1 to {MAX_VIDEO_ID_LENGTH} visible characters each)."
                ),
            ),
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="The ETag of an earlier answer to the same request.",
            ),
        ],
        responses={
            200: OpenApiResponse(
                AnchorsOutputSerializer,
                description="The anchors of the known videos.",
                examples=[
                    OpenApiExample(
                        "Known videos",
                        value={
                            "platform": "sandbox-video",
                            "videos": [
                                {
                                    "video_id": "v-1001",
                                    "anchors": [
                                        {
                                            "kind": "portfolio",
                                            "label": "View My Portfolio",
                                            "url": "https://reelfolio.example/l/x7Kp2Qa9",
                                        }
                                    ],
                                },
                                {
                                    "video_id": "v-4001",
                                    "anchors": [
                                        {
                                            "kind": "job",
                                            "label": "Apply",
                                            "url": "https://reelfolio.example/jobs/motion-designer-3f9a1c/",
                                        }
                                    ],
                                },
                                {"video_id": "v-1002", "anchors": []},
                            ],
                        },
                    )
                ],
            ),
            304: OpenApiResponse(description="Not modified: the If-None-Match ETag still describes the answer."),
            400: OpenApiResponse(
                ErrorSerializer,
                description="Bad query: platform or video_id missing, more than 100 ids, an empty, over-long or "
                "invisible id (see the pattern), an unknown parameter, or more than 1000 parameters.",
                examples=[
                    OpenApiExample(
                        "Too many ids",
                        value={
                            "error": {
                                "code": "invalid",
                                "message": "video_id: At most 100 video ids per request; this one has 150.",
                                "details": {"video_id": ["At most 100 video ids per request; this one has 150."]},
                            }
                        },
                    )
                ],
            ),
            401: OpenApiResponse(ErrorSerializer, description="No API key, or one that is unknown or revoked."),
            403: OpenApiResponse(ErrorSerializer, description="The API key lacks the anchors:read scope."),
            414: OpenApiResponse(
                description="The request line is over 8190 bytes: the server refuses it (plain text, not the API's "
                "error shape) before the API sees it. Send long lists to `POST /api/v1/anchors/lookup`."
            ),
            429: OpenApiResponse(ErrorSerializer, description="Over the key's rate; retry after `Retry-After` s."),
            503: OpenApiResponse(
                ErrorSerializer,
                description="Briefly unavailable (the database is unreachable); retry after `Retry-After` s.",
            ),
        },
    )
    def get(self, request):
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return self.answer(platform=query.validated_data["platform"], video_ids=query.validated_data["video_id"])


LOOKUP_BODY_SCHEMA = {
    "type": "object",
    "properties": {
        "platform": {
            "type": "string",
            "pattern": PLATFORM_PATTERN,
            "description": "The video platform's id at Reelfolio, e.g. `sandbox-video`.",
        },
        "video_ids": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": MAX_VIDEO_ID_LENGTH, "pattern": VIDEO_ID_PATTERN},
            "minItems": 1,
            "maxItems": MAX_VIDEO_IDS,
            "description": f"The platform's ids of up to {MAX_VIDEO_IDS} videos.",
        },
    },
    "required": ["platform", "video_ids"],
    "additionalProperties": False,
}


class AnchorsLookupApi(_PartnerAnchorsApiView):
    """POST /api/v1/anchors/lookup {"platform": ..., "video_ids": [...]}: the same lookup with the ids in a
    JSON body, so that 100 long ids never depend on how long a URL may be."""

    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        platform = serializers.CharField(
            max_length=50,
            error_messages={
                "required": 'Give the platform\'s id, e.g. "platform": "sandbox-video".',
                "blank": 'Give the platform\'s id, e.g. "platform": "sandbox-video".',
                "max_length": "A platform id is at most 50 characters.",
            },
        )
        video_ids = serializers.ListField(
            child=serializers.CharField(allow_blank=True, trim_whitespace=False),
            allow_empty=False,
            error_messages={
                "required": 'Give at least one video id, e.g. "video_ids": ["v-1001"].',
                "empty": 'Give at least one video id, e.g. "video_ids": ["v-1001"].',
            },
        )

        def to_internal_value(self, data):
            if isinstance(data, dict):
                unknown = sorted(set(data) - set(self.fields))
                if unknown:
                    raise serializers.ValidationError(
                        {
                            api_settings.NON_FIELD_ERRORS_KEY: [
                                f"Unknown field {unknown[0]!r}: this endpoint takes platform and video_ids."
                            ]
                        }
                    )
            return super().to_internal_value(data)

        def validate_platform(self, value):
            return _checked_platform(value, example='"platform": "sandbox-video"')

        def validate_video_ids(self, value):
            return _checked_video_ids(value)

    @extend_schema(
        operation_id="anchors_lookup_post",
        summary="Anchors to render on videos (ids in a JSON body)",
        description=(
            "The same lookup as `GET /api/v1/anchors/`, with the same rules, the same answer and the same "
            "headers (`ETag` included), for ids that would make a long URL: the JSON body "
            "`{\"platform\": ..., \"video_ids\": [...]}` takes up to 100 ids of up to 128 characters each "
            "whatever your HTTP stack allows in a request line. Shared caches and CDNs do not keep answers "
            "to POST; Reelfolio's own cache of the anchors serves both forms alike."
        ),
        tags=["partner API"],
        request={"application/json": LOOKUP_BODY_SCHEMA},
        responses={
            200: OpenApiResponse(AnchorsOutputSerializer, description="The anchors of the known videos."),
            400: OpenApiResponse(
                ErrorSerializer,
                description="Bad body: not JSON, platform or video_ids missing, more than 100 ids, an empty, "
                "over-long or invisible id, or an unknown field.",
            ),
            401: OpenApiResponse(ErrorSerializer, description="No API key, or one that is unknown or revoked."),
            403: OpenApiResponse(ErrorSerializer, description="The API key lacks the anchors:read scope."),
            415: OpenApiResponse(ErrorSerializer, description="The body is not `application/json`."),
            429: OpenApiResponse(ErrorSerializer, description="Over the key's rate; retry after `Retry-After` s."),
            503: OpenApiResponse(
                ErrorSerializer,
                description="Briefly unavailable (the database is unreachable); retry after `Retry-After` s.",
            ),
        },
    )
    def post(self, request):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.answer(platform=body.validated_data["platform"], video_ids=body.validated_data["video_ids"])


def _with_etag(request, response):
    """Sets the ETag from the rendered body, and answers a GET 304 when If-None-Match already has it (a POST
    is answered in full: HTTP would make a matching If-None-Match on it a 412)."""
    etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
    response["ETag"] = etag
    if request.method not in ("GET", "HEAD"):
        return response
    return get_conditional_response(request, etag=etag, response=response)
