"""The Prometheus alerting rules in ops/prometheus/alerts.yml and the Grafana dashboard in ops/grafana/: they
parse, each alert says what to do, and every metric they read is one that GET /metrics serves (a renamed
metric would leave an alert that never fires and a panel that stays empty)."""

import json
import re
from pathlib import Path

import pytest
import yaml

from portfolio.core.tasks import heartbeat
from portfolio.creators.tasks import clicks_fold_task
from tests.metrics import TOKEN

pytestmark = pytest.mark.django_db

OPS = Path(__file__).resolve().parents[2] / "ops"
RULES = OPS / "prometheus" / "alerts.yml"
DASHBOARD = OPS / "grafana" / "reelfolio.json"
METRIC = re.compile(r"\breelfolio_[a-z_]+")
HISTOGRAM_SERIES = re.compile(r"_(bucket|count|sum)$")


def served_metric_names(client) -> set[str]:
    text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    return {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")}


def test_every_alert_says_what_to_do_and_watches_metrics_that_are_served(client, settings):
    settings.METRICS_TOKEN = TOKEN
    heartbeat.apply()  # the heartbeat's age and the fold's are served once a worker has run them
    clicks_fold_task.apply()
    served = served_metric_names(client)
    rules = [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]

    alerts = {rule["alert"] for rule in rules}
    assert {
        "ReelfolioInboxDrainBehind", "ReelfolioAtsEndpointFailing", "ReelfolioClicksNotFolded",
        "ReelfolioCacheBreakerOpen", "ReelfolioWorkerSilent",
    } <= alerts
    for rule in rules:
        assert rule["annotations"]["summary"].strip(), rule["alert"]
        assert len(rule["annotations"]["action"].split()) >= 10, f"{rule['alert']} says too little of what to do"
        watched = set(METRIC.findall(rule["expr"]))
        assert watched, rule["alert"]
        assert watched <= served, f"{rule['alert']} watches {watched - served}, which /metrics does not serve"


def test_every_dashboard_panel_reads_metrics_that_are_served(client, settings):
    settings.METRICS_TOKEN = TOKEN
    heartbeat.apply()
    clicks_fold_task.apply()
    served = served_metric_names(client)
    panels = json.loads(DASHBOARD.read_text())["panels"]
    assert len(panels) >= 10
    for panel in panels:
        exprs = [target["expr"] for target in panel["targets"]]
        read = {HISTOGRAM_SERIES.sub("", name) for expr in exprs for name in METRIC.findall(expr)}
        assert read, panel["title"]
        assert read <= served, f"the panel {panel['title']!r} reads {read - served}, which /metrics does not serve"
