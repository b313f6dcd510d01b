"""Beat's fold task on a real Celery worker process: clicks counted by the web process reach the rows."""

import pytest
from django.conf import settings
from django.db import transaction

from portfolio.creators import services
from portfolio.creators.models import LinkClickDaily
from portfolio.creators.tasks import clicks_fold_task
from tests.conftest import wait_until
from tests.creators.conftest import BROWSER_UA, target_for


@pytest.mark.worker
@pytest.mark.skipif(
    settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"),
    reason="the worker process cannot see this process's local-memory cache (CI runs it with CACHE_URL=redis://...)",
)
@pytest.mark.django_db(transaction=True)
def test_a_worker_folds_the_clicks_counted_by_the_web_process(celery_worker_process, client, creator, videos):
    [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    for n in range(3):
        assert client.get(f"/l/{anchor.code}", HTTP_USER_AGENT=f"{BROWSER_UA} v{n % 2}").status_code == 302
    with transaction.atomic():
        transaction.on_commit(clicks_fold_task.delay)
    folded = LinkClickDaily.objects.filter(anchor=anchor)
    row = wait_until(folded.first, timeout=30, message="the worker to fold the clicks")
    assert (row.clicks, row.unique_visitors) == (3, 2)
