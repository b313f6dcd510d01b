"""The sandbox partner sends its events over real HTTP, signed, to the live server: removing a video on the
"platform" takes it out of Reelfolio by itself."""

import io

import pytest
from django.core.management import call_command

from integrations.oauth.models import LinkedAccount
from integrations.providers.types import RemoteVideo
from integrations.sandbox import services as sandbox_services
from integrations.sandbox import webhooks as sandbox_webhooks
from integrations.sandbox.models import SandboxVideo
from integrations.webhooks.inbound import services as inbound_services
from integrations.webhooks.models import InboundEvent
from portfolio.creators import services as creator_services
from portfolio.creators.models import Video
from tests.creators.conftest import link_account, make_creator

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)


@pytest.fixture
def casey_videos(sandbox_partner):
    """Casey's sandbox video account linked in Reelfolio, with its two newest videos imported."""
    sandbox_webhooks.sandbox_partners_seed()
    creator = make_creator("casey@example.com", "Casey Creator")
    account = link_account(creator, provider_id="sandbox-video", role=LinkedAccount.Role.VIDEOS, subject="sbx-v-1")
    creator_services.videos_sync(
        linked_account=account,
        videos=[RemoteVideo(platform_video_id="v-1001", title="One"), RemoteVideo(platform_video_id="v-1002")],
    )
    return account


def process_latest() -> InboundEvent:
    event = InboundEvent.objects.order_by("-pk").first()
    return inbound_services.inbound_event_process(event_pk=event.pk)


def test_removing_a_video_in_the_sandbox_removes_it_from_reelfolio(casey_videos):
    sandbox_services.sandbox_video_delete(video=SandboxVideo.objects.get(public_id="v-1001"))
    event = process_latest()
    assert (event.partner.slug, event.event_type, event.status) == ("sandbox-video", "video.removed", "done")
    assert Video.objects.get(platform_video_id="v-1001").status == Video.Status.REMOVED
    assert Video.objects.get(platform_video_id="v-1002").status == Video.Status.ACTIVE


@pytest.mark.parametrize("event_type", sandbox_webhooks.EVENT_TYPES)
def test_the_sandbox_sends_every_event_type_signed_and_reelfolio_accepts_it(casey_videos, event_type):
    out = io.StringIO()
    call_command("sandbox_send_event", event_type, "--video", "v-1002", stdout=out)
    assert f"Sent {event_type}" in out.getvalue() and "answered 200" in out.getvalue()
    event = process_latest()
    assert event.event_type == event_type
    assert event.status == InboundEvent.Status.DONE, event.error
