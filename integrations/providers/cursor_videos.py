"""The video list of a TikTok-style API: POST {"cursor", "max_count"}, answer {"videos", "cursor", "has_more"}.

TikTok's provider and the sandbox's video provider read their videos this way.
"""

from datetime import UTC, datetime

from integrations.providers.errors import ProviderError
from integrations.providers.mapping import text
from integrations.providers.paging import MAX_PAGES
from integrations.providers.provider_attributes import ProviderAttributes
from integrations.providers.types import RemoteVideo


def remote_video(entry: dict) -> RemoteVideo:
    created = entry.get("create_time")
    duration = entry.get("duration")
    return RemoteVideo(
        platform_video_id=text(entry["id"], 128),
        title=text(entry.get("title"), 300),
        cover_image_url=text(entry.get("cover_image_url"), 1000),
        share_url=text(entry.get("share_url"), 1000),
        embed_url=text(entry.get("embed_link"), 1000),
        duration_seconds=int(duration) if duration is not None else None,
        published_at=datetime.fromtimestamp(int(created), tz=UTC) if created is not None else None,
    )


class CursorVideoListMixin(ProviderAttributes):
    """The video list of a TikTok-style API: POST {"cursor", "max_count"}, answer {"videos", "cursor", "has_more"}."""

    video_list_url = ""
    video_list_params: dict = {}
    max_count = 20

    def unwrap(self, data: dict) -> dict:
        return data

    def fetch_videos(self, *, access_token: str) -> list[RemoteVideo]:
        videos: list[RemoteVideo] = []
        cursor = 0
        for _ in range(MAX_PAGES):
            data, _ = self.api_json(
                "POST", self.video_list_url, access_token=access_token, params=self.video_list_params or None,
                json={"cursor": cursor, "max_count": self.max_count},
            )
            page = self.unwrap(data)
            videos.extend(remote_video(entry) for entry in page.get("videos") or [])
            if not page.get("has_more"):
                break
            if page.get("cursor") in (None, cursor):
                raise ProviderError(f"{self.name}'s video list did not move to a next page.")
            cursor = page["cursor"]
        return videos
