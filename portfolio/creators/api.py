"""The partner API: which anchors to render on which videos. This is the hot path.

A warm request makes no database query and ONE cache round trip: the API key's record, the throttle
counter and every video's anchors are read (and counted) together (common/cache.gated_read). A cold
one makes one query for the anchors of all the ids not in the cache (plus, when the key is not cached
either, one to look the key up and one to record its use).

Two ways through, one answer. The DRF views below hold the contract: the OpenAPI schema, validation and
its messages, authentication, scopes, the throttle and the one error shape. In front of them,
`_hot_path` answers the requests that need none of that machinery: a well-formed query or body, a key
the cache holds that is valid and has the scope, under its rate. Anything else (a bad request, an
unknown, refused or throttled key, a cache away) goes to the DRF view, which answers it as before; a
count the hot path made for a request it hands over is taken back first, so the DRF view counts it once.
The hot path runs as an early answer (common/early_answers.py, registered in apps.py), right after the
request id and before the rest of the middleware stack, whose headers it adds; the views try it too when
the early answers are not installed or handed the request over.
Both build the body from the per-video JSON fragments of anchor_cache.py, so both answer byte for byte
alike, with the same ETag.

The ETag is a digest of the platform and of each id asked with the version of its cached anchors
(anchor_cache.anchors_etag). A GET with If-None-Match reads, in the same round trip, the versions first:
when all are cached and their digest matches, the answer is 304 without reading any video's anchors.
"""

import json
import re
import time
from functools import cache, wraps

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from common import api_keys, rate_limits
from common.api_keys.authentication import missing_scopes
from common.bad_input import JSONParser, StringField, json_too_deep
from common.cache import CacheAway, VersionCheck, gated_read
from integrations.partners.authentication import HasScope, PartnerApiKeyAuthentication, client_for_record
from integrations.partners.keys import API_KEY_KIND
from integrations.partners.scopes import ANCHORS_READ
from integrations.partners.selectors import api_key_cache_key, api_key_record
from integrations.partners.throttling import PartnerApiKeyRateThrottle, partner_throttle_key
from portfolio.core.api import ErrorSerializer
from portfolio.creators.anchor_cache import (
    AnchorsAnswer,
    anchors_answer,
    anchors_cache_key,
    anchors_version_key,
    json_text,
    surrogate_key,
)

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
# The list fields' own check, in the same words as _checked_video_ids (Django's validator fills in the count).
TOO_MANY_IDS = f"At most {MAX_VIDEO_IDS} video ids per request; this one has %(show_value)s."
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

    def answer(self, *, platform: str, video_ids: list[str]) -> HttpResponse:
        answer = anchors_answer(platform=platform, video_ids=video_ids)
        return anchors_response(self.request, platform=platform, video_ids=video_ids, answer=answer)

    @classmethod
    def as_view(cls, **initkwargs):
        """The DRF view, with the hot path in front of it (the schema generator still finds the DRF view).

        The early answers try the hot path before most of the middleware stack; a request it handed over
        is not tried again here."""
        drf_view = super().as_view(**initkwargs)

        @wraps(drf_view)
        def view(request, *args, **kwargs):
            response = None if getattr(request, HOT_PATH_TRIED, False) else hot_answer(request, cls)
            if response is None:
                return drf_view(request, *args, **kwargs)
            return response

        return view

    @classmethod
    @cache
    def allow(cls) -> str:
        """The Allow header of DRF's answers."""
        instance = cls()
        instance.setup(HttpRequest())  # as for a request: a view with get() answers HEAD too
        return ", ".join(instance.allowed_methods)

    @staticmethod
    def hot_query(request: HttpRequest) -> tuple[str, list[str]] | None:
        """(platform, distinct video ids) of a request the DRF view would accept as it is; None otherwise."""
        raise NotImplementedError

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
            max_length=MAX_VIDEO_IDS,
            error_messages={
                "required": "Give at least one video id: video_id=<id>, repeated for more.",
                "empty": "Give at least one video id: video_id=<id>, repeated for more.",
                "max_length": TOO_MANY_IDS,
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

    @staticmethod
    def hot_query(request: HttpRequest) -> tuple[str, list[str]] | None:
        if request.method != "GET":
            return None
        raw = request.META.get("QUERY_STRING", "")
        if raw.isascii() and "%" not in raw and "+" not in raw:
            # Nothing escaped: the fields are the text between the '&'s, as QueryDict would read them.
            platforms, video_ids = [], []
            for field in raw.split("&"):
                name, _, value = field.partition("=")
                if name == "video_id":
                    video_ids.append(value)
                elif name == "platform":
                    platforms.append(value)
                elif field:
                    return None
            return _hot_ids(platforms[0], video_ids) if len(platforms) == 1 else None
        query = request.GET
        if len(query) > 2 or any(name not in ("platform", "video_id") for name in query):
            return None
        platforms = query.getlist("platform")
        if len(platforms) != 1:
            return None
        return _hot_ids(platforms[0], query.getlist("video_id"))

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
            "Responses are cacheable, by a CDN too: `Cache-Control: public, max-age=<PARTNER_API_MAX_AGE>, "
            "stale-while-revalidate=<PARTNER_API_STALE_WHILE_REVALIDATE>, stale-if-error=<PARTNER_API_STALE_IF_ERROR>` "
            "(60 s, 30 s and one day by default), `Vary: Authorization` and an `ETag` that names the answer (the "
            "platform, the ids in the order asked and what each video shows); send it back in `If-None-Match` "
            "to get `304 Not Modified` while nothing changed. `Surrogate-Key` names "
            "each video asked about, `video:<platform>:<video_id>` (the id percent-encoded where a header "
            "cannot carry it as it is), space-separated: when a video's anchors change, Reelfolio purges that "
            "key at the CDN it is configured with. Each API key may make `PARTNER_API_RATE` requests "
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
        platform = StringField(
            max_length=50,
            error_messages={
                "required": 'Give the platform\'s id, e.g. "platform": "sandbox-video".',
                "blank": 'Give the platform\'s id, e.g. "platform": "sandbox-video".',
                "max_length": "A platform id is at most 50 characters.",
            },
        )
        video_ids = serializers.ListField(
            child=StringField(allow_blank=True, trim_whitespace=False),
            allow_empty=False,
            max_length=MAX_VIDEO_IDS,
            error_messages={
                "required": 'Give at least one video id, e.g. "video_ids": ["v-1001"].',
                "empty": 'Give at least one video id, e.g. "video_ids": ["v-1001"].',
                "max_length": TOO_MANY_IDS,
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

    @staticmethod
    def hot_query(request: HttpRequest) -> tuple[str, list[str]] | None:
        if request.method != "POST" or request.content_type != "application/json":
            return None
        try:
            text = request.body.decode()
            if json_too_deep(text):
                return None
            body = json.loads(text)
        except ValueError:
            return None
        if not isinstance(body, dict) or set(body) != {"platform", "video_ids"}:
            return None
        platform, video_ids = body["platform"], body["video_ids"]
        if not isinstance(platform, str) or not isinstance(video_ids, list):
            return None
        if not all(isinstance(video_id, str) for video_id in video_ids):
            return None
        return _hot_ids(platform, video_ids)

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


HOT_PATH_TRIED = "anchors_hot_path_tried"  # set on a request the hot path handed over


def hot_answer(request: HttpRequest, view_class: type[_PartnerAnchorsApiView]) -> HttpResponse | None:
    """The hot path's answer with the Allow header DRF's views send; None hands the request to the DRF view."""
    response = _hot_path(request, view_class.hot_query)
    if response is None:
        setattr(request, HOT_PATH_TRIED, True)
        return None
    response["Allow"] = view_class.allow()
    return response


def _hot_ids(platform: str, video_ids: list[str]) -> tuple[str, list[str]] | None:
    """What both InputSerializers accept as it is (the same checks, without their messages); None for
    anything they would refuse or change, so that the DRF view answers it."""
    if not _PLATFORM.fullmatch(platform) or not 0 < len(video_ids) <= MAX_VIDEO_IDS:
        return None
    for video_id in video_ids:
        if not _VIDEO_ID.fullmatch(video_id) or not video_id.isprintable():  # isprintable: no lone surrogates
            return None
    return platform, list(dict.fromkeys(video_ids))


_ACCEPTED = ("*/*", "application/json", "application/*")
_TAG = re.compile(r"[0-9a-f]{32}")
MAX_CHECKED_TAGS = 8


def _held_tags(request: HttpRequest) -> list[str]:
    """The digests of our ETags in a GET's If-None-Match (weak or strong, as If-None-Match compares);
    [] when there are none, or for `*` (the full path answers that)."""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header or request.method not in ("GET", "HEAD"):
        return []
    tags = [tag.removeprefix("W/").strip('"') for tag in parse_etags(header)]
    if "*" in tags:
        return []
    return [tag for tag in tags if _TAG.fullmatch(tag)][:MAX_CHECKED_TAGS]


def _hot_path(request: HttpRequest, hot_query) -> HttpResponse | None:
    """The answer to a warm, valid, authorized request under its rate, in one cache round trip; None hands
    the request to the DRF view (after taking back the count this made, if any)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    parsed = api_keys.parse_api_key(key.strip(), kind=API_KEY_KIND)
    if parsed is None:
        return None
    accept = request.META.get("HTTP_ACCEPT")
    if accept and not any(media in accept for media in _ACCEPTED):
        return None  # the DRF view negotiates (and refuses) it
    try:
        asked = hot_query(request)
    except Exception:  # what Django refuses to parse (too many fields, a body too large): the DRF view says so
        return None
    if asked is None:
        return None
    platform, video_ids = asked
    prefix, secret = parsed
    now = time.time()
    rate = rate_limits.parse_rate(settings.PARTNER_API_RATE)
    counter = partner_throttle_key(prefix, now=now)
    anchor_keys = [anchors_cache_key(platform=platform, platform_video_id=video_id) for video_id in video_ids]
    tags = _held_tags(request)
    check = None
    if tags:  # a revalidation: the versions alone may answer it
        version_keys = [anchors_version_key(platform=platform, platform_video_id=video_id) for video_id in video_ids]
        check = VersionCheck(keys=version_keys, head=platform, labels=video_ids, tags=tags)
    try:
        read = gated_read(
            record_key=api_key_cache_key(prefix),
            counter_key=counter,
            counter_timeout=rate.seconds + 1,
            keys=anchor_keys,
            check=check,
        )
    except CacheAway:
        return None
    record = api_key_record(read.record)
    if record is None:
        return None  # a key the cache does not hold: read from the database by the DRF view (which counts)
    client, _refusal = client_for_record(record, prefix=prefix, secret=secret)
    if client is None or missing_scopes(client, _PartnerAnchorsApiView.required_scopes) or read.count > rate.requests:
        rate_limits.window_uncount(counter)
        return None
    if read.matched is not None:
        response = HttpResponse(status=304)
        _caching_headers(response, platform=platform, video_ids=video_ids, etag=f'"{read.matched}"')
        return get_conditional_response(request, etag=response["ETag"], response=response) or response
    try:
        answer = anchors_answer(platform=platform, video_ids=video_ids, cached=read.entries, versions=read.versions)
    except (OperationalError, InterfaceError):  # the database is away: the DRF view answers its 503
        rate_limits.window_uncount(counter)
        return None
    return anchors_response(request, platform=platform, video_ids=video_ids, answer=answer)


def cache_control() -> str:
    return (
        f"public, max-age={settings.PARTNER_API_MAX_AGE}, "
        f"stale-while-revalidate={settings.PARTNER_API_STALE_WHILE_REVALIDATE}, "
        f"stale-if-error={settings.PARTNER_API_STALE_IF_ERROR}"
    )


def _caching_headers(response: HttpResponse, *, platform: str, video_ids: list[str], etag: str) -> None:
    response["Cache-Control"] = cache_control()
    patch_vary_headers(response, ["Authorization"])
    response["Surrogate-Key"] = " ".join(
        surrogate_key(platform=platform, platform_video_id=video_id) for video_id in video_ids
    )
    response["ETag"] = etag


def anchors_response(request, *, platform: str, video_ids: list[str], answer: AnchorsAnswer) -> HttpResponse:
    """The answer from the videos' JSON fragments, with its caching headers: Cache-Control, Vary, the ETag
    (a GET whose If-None-Match has it is answered 304), and a Surrogate-Key naming each video asked about,
    so that a change of one purges every answer that covers it (cdn.py)."""
    body = f'{{"platform":{json_text(platform)},"videos":[{",".join(answer.fragments)}]}}'.encode()
    response = HttpResponse(body, content_type="application/json")
    _caching_headers(response, platform=platform, video_ids=video_ids, etag=answer.etag)
    if request.method not in ("GET", "HEAD"):
        # A POST is answered in full: HTTP would make a matching If-None-Match on it a 412.
        return response
    return get_conditional_response(request, etag=answer.etag, response=response) or response
