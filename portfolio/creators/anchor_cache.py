"""The partner API's per-video cache of anchors.

Every service that changes what a video shows (anchors attached, changed or detached, a video removed,
a job posted on it) calls `anchors_cache_invalidate` after its transaction commits.
"""

from collections.abc import Iterable

from django.core.cache import cache

CACHE_PREFIX = "anchors:v1"


def anchors_cache_key(*, platform: str, platform_video_id: str) -> str:
    return f"{CACHE_PREFIX}:{platform}:{platform_video_id}"


def anchors_cache_invalidate(*, videos: Iterable) -> None:
    """Drops the cached anchors of these videos (objects with .platform and .platform_video_id)."""
    keys = [anchors_cache_key(platform=v.platform, platform_video_id=v.platform_video_id) for v in videos]
    if keys:
        cache.delete_many(keys)
