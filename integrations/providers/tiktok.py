"""A TikTok-style video platform (Login Kit): `client_key`, comma-separated scopes, video list by POST.

Sample answers: tests/integrations/providers/fixtures/tiktok/ (from the platform's API reference).
"""

from authlib.common.urls import add_params_to_qs

from integrations.providers.cursor_videos import CursorVideoListMixin
from integrations.providers.errors import ProviderError
from integrations.providers.mapping import text
from integrations.providers.provider import Provider
from integrations.providers.types import Account, Profile

VIDEO_FIELDS = "id,title,cover_image_url,share_url,embed_link,duration,create_time"


def client_key_post(client, method, uri, headers, body):
    """Login Kit names the client `client_key` and wants it with the secret in the form body."""
    body = add_params_to_qs(body or "", [("client_key", client.client_id), ("client_secret", client.client_secret)])
    if "Content-Length" in headers:
        headers["Content-Length"] = str(len(body))
    return uri, headers, body


class TikTokProvider(CursorVideoListMixin, Provider):
    kind = "tiktok"
    default_name = "TikTok"
    default_role = "videos"
    default_scopes = "user.info.basic,user.info.profile,video.list"
    authorize_url = "https://www.tiktok.com/v2/auth/authorize/"
    token_url = "https://open.tiktokapis.com/v2/oauth/token/"
    revocation_url = "https://open.tiktokapis.com/v2/oauth/revoke/"
    api_base_url = "https://open.tiktokapis.com/v2/"
    token_endpoint_auth_method = "client_key_post"
    video_list_url = "video/list/"
    video_list_params = {"fields": VIDEO_FIELDS}

    def client_auth_methods(self):
        return [("client_key_post", client_key_post)]

    def authorize_params(self) -> dict:
        return {"client_key": self.client_id}

    def unwrap(self, data: dict) -> dict:
        error = data.get("error") or {}
        if error.get("code", "ok") != "ok":
            raise ProviderError(f"{self.name} refused the request: {text(error.get('message'), 200) or error['code']}.")
        return data["data"]

    def fetch_profile(self, *, access_token: str) -> Account:
        data, _ = self.api_json(
            "GET", "user/info/", access_token=access_token,
            params={"fields": "open_id,union_id,avatar_url,display_name,bio_description,profile_deep_link"},
        )
        user = self.unwrap(data)["user"]
        return Account(
            subject=text(user["open_id"], 255),
            profile=Profile(
                display_name=text(user.get("display_name"), 200),
                bio=text(user.get("bio_description")),
                avatar_url=text(user.get("avatar_url"), 1000),
                profile_url=text(user.get("profile_deep_link"), 1000),
            ),
        )
