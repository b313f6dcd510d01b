""""A sync is on its way" is true even when the broker is down: the request is a row (sync_requested_at)
written in the same transaction, and the beat's sweep enqueues it again; the same outbox pattern as the
webhook deliveries, on the linked account's own row."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.oauth import services as oauth_services
from integrations.oauth.models import LinkedAccount
from portfolio.accounts.models import User
from tests.conftest import ROOT, database_url_for_subprocesses
from tests.jobs.webhooks_support import DEAD_BROKER_URL

pytestmark = pytest.mark.django_db(transaction=True)


def test_sync_now_with_the_broker_down_is_swept_later():
    user = User.objects.create_user("casey@example.com", "a-long-password-1", name="Casey")
    linked = LinkedAccount.objects.create(user=user, provider_id="sandbox-video", role="videos", subject="sbx-v-1",
                                          last_synced_at=timezone.now())
    code = (
        "import django; django.setup()\n"
        "from integrations.oauth.models import LinkedAccount\n"
        "from integrations.oauth.services import linked_account_sync_request\n"
        f"linked_account_sync_request(linked_account=LinkedAccount.objects.get(pk={linked.pk}))\n"
        "print('requested')\n"
    )
    env = dict(os.environ, DATABASE_URL=database_url_for_subprocesses(), CELERY_BROKER_URL=DEAD_BROKER_URL,
               DJANGO_SETTINGS_MODULE="portfolio.settings")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)

    assert result.returncode == 0, result.stderr[-2000:]
    assert "requested" in result.stdout  # the page says "A sync is on its way" although nothing was queued
    linked.refresh_from_db()
    requested = linked.sync_requested_at
    assert requested is not None

    assert oauth_services.linked_accounts_sync_due() == 0  # not lost yet: its task may still come
    LinkedAccount.objects.filter(pk=linked.pk).update(sync_requested_at=requested - timedelta(minutes=11))
    assert oauth_services.linked_accounts_sync_due() == 1  # the beat's sweep enqueues it again
    linked.refresh_from_db()
    assert linked.sync_requested_at > requested
