"""Processing received events: each type's effect on creators, unknown types, out-of-order events,
retries and the sweep, 20 concurrent copies processed once, and the admin's list and reprocess."""

import threading
import time
from datetime import timedelta

import pytest
import requests
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from common import cache as cache_door
from integrations.oauth.models import LinkedAccount, OAuthToken
from integrations.webhooks import tasks
from integrations.webhooks.inbound import handlers
from integrations.webhooks.inbound import services as inbound_services
from integrations.webhooks.models import InboundEvent
from portfolio.creators import services as creator_services
from portfolio.creators.models import Video
from tests.conftest import wait_until
from tests.creators.conftest import link_account, make_creator, remote_videos
from tests.integrations.webhooks.inbound_helpers import (
    PROVIDER,
    make_partner,
    post,
    send,
    signed_headers,
    standard_body,
    tiktok_body,
)

Status = InboundEvent.Status


@pytest.fixture
def partner(db):
    return make_partner()


@pytest.fixture
def creator(db):
    return make_creator("casey@example.com", "Casey Creator")


@pytest.fixture
def video_account(creator):
    account = link_account(creator, provider_id=PROVIDER, role=LinkedAccount.Role.VIDEOS, subject="sbx-v-1")
    OAuthToken.objects.create(linked_account=account, access_token_encrypted="x", refresh_token_encrypted="")
    return account


@pytest.fixture
def video(video_account):
    creator_services.videos_sync(linked_account=video_account, videos=remote_videos(1))
    return Video.objects.get(platform_video_id="v-1001")


def receive_and_process(client, partner, event_type, data, **kwargs) -> InboundEvent:
    response = send(client, partner, event_type, data, **kwargs)
    assert response.status_code == 200, response.content
    event = InboundEvent.objects.order_by("-pk").first()
    return inbound_services.inbound_event_process(event_pk=event.pk)


@pytest.mark.django_db
def test_an_unknown_event_type_is_stored_acknowledged_and_ignored(client, partner):
    event = receive_and_process(client, partner, "video.liked", {"video_id": "v-1"})
    assert event.status == Status.IGNORED
    assert event.error == "Reelfolio does not act on video.liked events."
    assert event.processed_at is not None


@pytest.mark.django_db
def test_video_removed_takes_the_video_out_and_an_older_published_does_not_bring_it_back(client, partner, video):
    """Out of order: the removal arrives first, then a "published" event that happened before it."""
    removed_at = timezone.now()
    event = receive_and_process(client, partner, "video.removed", {"platform": PROVIDER, "video_id": "v-1001",
                                                                   "reason": "deleted"}, at=removed_at)
    assert event.status == Status.DONE
    video.refresh_from_db()
    assert (video.status, video.removed_reason, video.removed_at) == (
        Video.Status.REMOVED, Video.RemovedReason.PLATFORM, removed_at
    )

    published = {"platform": PROVIDER, "video_id": "v-1001", "account_id": "sbx-v-1", "title": "Old news"}
    event = receive_and_process(client, partner, "video.published", published, at=removed_at - timedelta(minutes=5))
    assert event.status == Status.IGNORED
    assert "older than what Reelfolio holds" in event.error
    video.refresh_from_db()
    assert video.status == Video.Status.REMOVED
    assert video.title == "Clip 1"

    # Published again after the removal: it comes back.
    event = receive_and_process(client, partner, "video.published", {**published, "title": "Back"},
                                at=timezone.now())
    assert event.status == Status.DONE
    video.refresh_from_db()
    assert (video.status, video.title) == (Video.Status.ACTIVE, "Back")


@pytest.mark.django_db
def test_a_removal_older_than_the_videos_last_update_changes_nothing(client, partner, video):
    event = receive_and_process(client, partner, "video.removed", {"video_id": "v-1001"},
                                at=video.updated_at - timedelta(minutes=1))
    assert event.status == Status.IGNORED
    video.refresh_from_db()
    assert video.status == Video.Status.ACTIVE


@pytest.mark.django_db
def test_video_published_imports_a_new_video_under_the_linked_account(client, partner, video_account):
    data = {"platform": PROVIDER, "video_id": "v-9", "account_id": "sbx-v-1", "title": "Fresh cut",
            "url": "https://video.example/watch/v-9", "thumbnail_url": "https://cdn.video.example/v-9.jpg",
            "published_at": "2026-02-01T09:00:00Z"}
    event = receive_and_process(client, partner, "video.published", data)
    assert event.status == Status.DONE
    video = Video.objects.get(platform=PROVIDER, platform_video_id="v-9")
    assert (video.owner_id, video.linked_account_id, video.title, video.share_url) == (
        video_account.user_id, video_account.pk, "Fresh cut", "https://video.example/watch/v-9"
    )


@pytest.mark.django_db
def test_an_event_for_an_account_nobody_linked_is_ignored_with_the_reason(client, partner):
    event = receive_and_process(client, partner, "video.published", {"video_id": "v-9", "account_id": "sbx-v-404"})
    assert event.status == Status.IGNORED
    assert event.error == "No Reelfolio account has linked the sandbox-video account 'sbx-v-404'."
    assert not Video.objects.exists()


@pytest.mark.django_db
def test_an_event_about_another_platform_fails_and_changes_nothing(client, partner, video):
    event = receive_and_process(client, partner, "video.removed", {"platform": "github", "video_id": "v-1001"})
    assert event.status == Status.FAILED
    assert event.error == "The event is about the platform 'github', but acme-video speaks for sandbox-video only."
    video.refresh_from_db()
    assert video.status == Video.Status.ACTIVE


@pytest.mark.django_db
def test_account_deauthorized_deletes_the_tokens_and_shows_the_reconnect_banner(client, partner, video_account):
    event = receive_and_process(client, partner, "account.deauthorized", {"provider": PROVIDER,
                                                                          "account_id": "sbx-v-1"})
    assert event.status == Status.DONE
    video_account.refresh_from_db()
    assert video_account.status == LinkedAccount.Status.NEEDS_RECONNECT
    assert not OAuthToken.objects.filter(linked_account=video_account).exists()
    client.force_login(video_account.user)
    page = client.get(reverse("home"), follow=True).content.decode()
    assert "no longer accepts Reelfolio&#x27;s access" in page or "no longer accepts Reelfolio's access" in page


@pytest.mark.django_db
def test_a_tiktok_style_removal_and_authorization_removed_apply_like_their_standard_twins(client, video):
    from integrations.partners.models import Partner

    tiktok = make_partner(slug="tiktok-style", scheme=Partner.SignatureScheme.TIMESTAMP_HEX)
    now = int(timezone.now().timestamp()) + 1  # whole seconds: after the video's last sync
    for event, content in [("post.publish.no_longer_publicaly_available", {"publish_id": "p", "post_id": "v-1001"}),
                           ("authorization.removed", {"reason": 1})]:
        body = tiktok_body(event, user_openid="sbx-v-1", content=content, create_time=now)
        response = post(client, tiktok, body, signed_headers(body, scheme=Partner.SignatureScheme.TIMESTAMP_HEX))
        assert response.status_code == 200
        processed = inbound_services.inbound_event_process(event_pk=InboundEvent.objects.order_by("-pk")[0].pk)
        assert processed.status == Status.DONE, processed.error
    video.refresh_from_db()
    assert video.status == Video.Status.REMOVED
    assert LinkedAccount.objects.get(subject="sbx-v-1").status == LinkedAccount.Status.NEEDS_RECONNECT


@pytest.mark.django_db
def test_profile_updated_asks_for_a_sync(client, partner, video_account):
    event = receive_and_process(client, partner, "profile.updated", {"provider": PROVIDER, "account_id": "sbx-v-1",
                                                                     "updated_at": timezone.now().isoformat()})
    assert event.status == Status.DONE
    video_account.refresh_from_db()
    assert video_account.sync_requested_at is not None


@pytest.mark.django_db
def test_an_unexpected_failure_is_retried_with_backoff_then_recorded_as_failed(client, partner):
    def broken(event):
        raise RuntimeError("the database of record is down")

    handlers.register("test.broken", broken)
    try:
        event = receive_and_process(client, partner, "test.broken", {})
        assert (event.status, event.attempts) == (Status.PENDING, 1)
        assert event.error == "RuntimeError: the database of record is down"
        assert event.next_attempt_at > timezone.now()
        for _ in range(inbound_services.MAX_ATTEMPTS - 1):
            event = inbound_services.inbound_event_process(event_pk=event.pk)
        assert (event.status, event.attempts) == (Status.FAILED, inbound_services.MAX_ATTEMPTS)
    finally:
        handlers.unregister("test.broken")


@pytest.mark.django_db
def test_the_sweep_processes_events_whose_wake_was_lost_and_leaves_fresh_ones_to_their_drain(client, partner):
    """The receiver stored the events, but the drain it woke never ran (a broker that lost it): the beat's
    sweep processes them, oldest first, once one is overdue; before that it does nothing."""
    send(client, partner, "video.liked", {"n": 1})
    send(client, partner, "video.liked", {"n": 2})
    assert inbound_services.inbound_events_sweep() == 0
    assert set(InboundEvent.objects.values_list("status", flat=True)) == {Status.PENDING}
    lost, fresh = InboundEvent.objects.order_by("pk")
    InboundEvent.objects.filter(pk=lost.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=6))
    assert inbound_services.inbound_events_sweep() == 2
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert (lost.status, lost.attempts) == (fresh.status, fresh.attempts) == (Status.IGNORED, 1)
    assert lost.processed_at <= fresh.processed_at
    assert inbound_services.inbound_events_sweep() == 0


@pytest.mark.django_db
def test_the_drain_applies_due_events_in_arrival_order_and_keeps_a_retry_until_it_is_due(client, partner):
    applied = []
    handlers.register("test.recorded", lambda event: applied.append(event.id))
    handlers.register("test.broken", lambda event: 1 / 0)
    try:
        for event_type in ("test.recorded", "test.broken", "test.recorded", "test.recorded"):
            assert send(client, partner, event_type, {}).status_code == 200
        recorded = list(InboundEvent.objects.filter(event_type="test.recorded").order_by("pk"))
        broken = InboundEvent.objects.get(event_type="test.broken")

        drained = inbound_services.inbound_events_drain()
        assert drained.processed == 4
        assert applied == [event.pk for event in recorded]
        broken.refresh_from_db()
        assert (broken.status, broken.attempts) == (Status.PENDING, 1)
        assert broken.error == "ZeroDivisionError: division by zero"
        assert drained.retry_at == broken.next_attempt_at > timezone.now()

        assert inbound_services.inbound_events_drain().processed == 0  # the retry is not due yet
        InboundEvent.objects.filter(pk=broken.pk).update(next_attempt_at=timezone.now())
        assert inbound_services.inbound_events_drain().processed == 1
        broken.refresh_from_db()
        assert (broken.status, broken.attempts) == (Status.PENDING, 2)
        assert applied == [event.pk for event in recorded]
        assert set(InboundEvent.objects.filter(event_type="test.recorded").values_list("status", flat=True)) == {
            Status.DONE
        }
    finally:
        handlers.unregister("test.recorded")
        handlers.unregister("test.broken")


@pytest.mark.django_db
def test_an_event_whose_wake_was_lost_waits_for_the_sweep_and_is_then_processed_once(
    client, partner, private_redis, django_capture_on_commit_callbacks
):
    """A drain was woken and its task lost with the broker: its mark stays until it expires, so an event
    received meanwhile wakes nothing. The beat's sweep processes it once it is overdue; the drain frees the
    mark, so the next event wakes a drain again."""
    assert cache_door.add(inbound_services.WAKE_KEY, 1, timeout=inbound_services.WAKE_SECONDS)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, partner, "video.liked", {})
    assert response.json() == {"received": True, "duplicate": False}
    event = InboundEvent.objects.get()
    assert inbound_services.inbound_events_sweep() == 0
    event.refresh_from_db()
    assert (event.status, event.attempts) == (Status.PENDING, 0)

    InboundEvent.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=6))
    assert inbound_services.inbound_events_sweep() == 1
    event.refresh_from_db()
    assert (event.status, event.attempts) == (Status.IGNORED, 1)
    assert inbound_services.inbound_events_sweep() == 0
    assert cache_door.add(inbound_services.WAKE_KEY, 1, timeout=inbound_services.WAKE_SECONDS)  # it was free


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_applies_received_events_once_in_arrival_order(celery_worker_process, client, partner):
    """Events arrive one after another; the drains they wake run in the worker and apply each one once,
    oldest first, with nothing else asked of it."""
    for n in range(12):
        assert send(client, partner, "video.liked", {"n": n}).status_code == 200
    assert send(client, partner, "video.liked", {"n": 0}, event_id=InboundEvent.objects.first().event_id).json() == {
        "received": True, "duplicate": True
    }

    def all_processed():
        return not InboundEvent.objects.filter(status=Status.PENDING).exists()

    wait_until(all_processed, timeout=60, message="the worker to drain the received events")
    events = list(InboundEvent.objects.order_by("pk"))
    assert len(events) == 12
    assert {(event.status, event.attempts) for event in events} == {(Status.IGNORED, 1)}
    processed = [event.processed_at for event in events]
    assert processed == sorted(processed)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_beat_sweep_task_in_a_real_worker_processes_an_event_left_pending(celery_worker_process, partner):
    """An event stored while no drain ran for it (its wake lost with the broker) is processed by the sweep
    the beat sends."""
    recorded = InboundEvent.objects.create(
        partner=partner, event_id="msg_lost", event_type="video.liked", body='{"type": "video.liked"}',
        next_attempt_at=timezone.now() - timedelta(minutes=6),
    )
    tasks.inbound_events_sweep.delay()
    wait_until(lambda: InboundEvent.objects.filter(pk=recorded.pk, status=Status.IGNORED).exists(), timeout=60,
               message="the worker's sweep to process the event")
    assert InboundEvent.objects.get(pk=recorded.pk).attempts == 1


@pytest.mark.django_db
def test_the_admin_lists_filters_and_reprocesses_events(admin_client, client, partner, django_assert_max_num_queries):
    event = receive_and_process(client, partner, "video.liked", {})
    url = reverse("admin:webhooks_inboundevent_changelist")
    with django_assert_max_num_queries(12):
        page = admin_client.get(url, {"status": "ignored", "partner__id__exact": partner.pk})
    assert page.status_code == 200
    assert "video.liked" in page.content.decode()
    assert page.context["cl"].result_count == 1
    assert admin_client.get(url, {"status": "done"}).context["cl"].result_count == 0
    assert admin_client.get(reverse("admin:webhooks_inboundevent_change", args=[event.pk])).status_code == 200
    response = admin_client.post(url, {"action": "reprocess_selected", "_selected_action": [event.pk]}, follow=True)
    assert "Queued 1 event(s) for processing again." in response.content.decode()
    event.refresh_from_db()
    assert (event.status, event.error) == (Status.PENDING, "")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_copies_of_one_event_are_stored_once_and_processed_once(live_server, partner):
    """The partner retries impatiently: 20 copies at once over real HTTP are one row, applied once even when
    20 workers race to process it."""
    applied = []
    handlers.register("test.counted", lambda event: applied.append(event.id))
    copies = 20
    body = standard_body("test.counted", {})
    headers = {key.removeprefix("HTTP_").replace("_", "-").lower(): value
               for key, value in signed_headers(body, event_id="msg_copies").items()}
    url = f"{live_server.url}/integrations/webhooks/{partner.slug}/"
    start, answers = threading.Barrier(copies), []

    def deliver():
        start.wait()
        answers.append(requests.post(url, data=body, headers={**headers, "content-type": "application/json"},
                                     timeout=30).status_code)

    def process(event_pk):
        start.wait()
        try:
            inbound_services.inbound_event_process(event_pk=event_pk)
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=deliver) for _ in range(copies)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert answers == [200] * copies
        event = InboundEvent.objects.get()
        threads = [threading.Thread(target=process, args=(event.pk,)) for _ in range(copies)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        event.refresh_from_db()
        # The event's own task, enqueued when it was stored, may reach a Celery worker that the suite
        # started on the same broker before these threads do: that worker does not know this test's
        # handler and records the event ignored. Either way it was processed exactly once.
        assert event.attempts == 1
        assert applied in ([], [event.pk])
        assert event.status == (Status.DONE if applied else Status.IGNORED)
    finally:
        handlers.unregister("test.counted")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("outage", ["down", "stalled"])
def test_events_received_while_redis_is_away_wake_their_drains_and_are_processed_at_once(
    celery_worker_process, client, partner, private_redis, outage
):
    """The wake's mark lives in the cache: while Redis is away each received event publishes its drain
    itself, so a real worker processes the events at once instead of the sweep minutes later, and a
    stalled Redis holds the receiver one timeout at most."""
    private_redis.stop() if outage == "down" else private_redis.stall()
    for n in range(3):
        started = time.monotonic()
        assert send(client, partner, "video.liked", {"n": n}).json() == {"received": True, "duplicate": False}
        assert time.monotonic() - started < 2.0  # a stalled cache costs one read timeout (1 s) at most

    wait_until(
        lambda: not InboundEvent.objects.filter(status=Status.PENDING).exists(),
        timeout=60,
        message="the worker to drain the events received while Redis was away",
    )
    assert set(InboundEvent.objects.values_list("status", "attempts")) == {(Status.IGNORED, 1)}
