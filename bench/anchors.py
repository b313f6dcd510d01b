#!/usr/bin/env python3
"""Benchmark of the partner anchor lookup (GET /api/v1/anchors/), the API's hot path.

Starts Reelfolio the way production runs it (gunicorn, DEBUG off, a generated SECRET_KEY and
TOKEN_ENCRYPTION_KEYS, collected static files served by WhiteNoise) on a throwaway SQLite database (or
--database-url), seeds N videos with portfolio anchors and a partner with an API key, and measures from
client processes on 127.0.0.1, with a bounded number of requests per scenario:

    healthz        GET /healthz (the baseline: the same stack without any work)
    anchors-cold   100 ids per request, nothing cached yet: one query per request (the warm-up pass)
    anchors-100    100 ids per request, warm cache
    anchors-1      1 id per request, warm cache

    .venv/bin/python bench/anchors.py [--videos 5000] [--requests 2000] [--concurrency 4] [--workers 2]
                                      [--cache-url redis://127.0.0.1:6379/11] [--database-url postgres://...]

Without --cache-url the project's embedded default (the database cache) is used. A --database-url is
migrated and seeded: give it a throwaway database. Prints a Markdown table.

The production-like environment, gunicorn and the timing clients are bench/common.py's (which says
what it sets beyond production, and why). This benchmark adds PARTNER_API_RATE=100000000/min: one key
makes every request here; the throttle still counts each one.
"""

import argparse
import json
import os
import random
import sys

from common import (
    add_common_arguments,
    bench_folder,
    describe_stack,
    fetch,
    free_port,
    manage_shell,
    prepare_database,
    print_table,
    production_env,
    run,
    start_server,
    stop_server,
)

PLATFORM = "bench-video"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=int, default=5000, help="videos seeded (default 5000)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per warm scenario (default 2000)")
    add_common_arguments(parser)
    return parser.parse_args()


SEED = """
import random
from django.core.cache import cache
from integrations.partners.services import partner_create
from portfolio.accounts.models import User
from portfolio.creators.models import PortfolioAnchor, Video

count = int(COUNT)
cache.clear()
owner = User.objects.create_user(email="bench@example.com", password=None, name="Bench", role="creator")
videos = Video.objects.bulk_create(
    [Video(owner=owner, platform="PLATFORM", platform_video_id=f"v-{n}") for n in range(count)], batch_size=500
)
videos = list(Video.objects.filter(owner=owner).order_by("id"))
PortfolioAnchor.objects.bulk_create(
    [
        PortfolioAnchor(video=video, code=f"b{n:09d}", target_kind="reelfolio_page",
                        target_url="https://reelfolio.example/@bench")
        for n, video in enumerate(videos) if n % 10  # every tenth video has no anchor
    ],
    batch_size=500,
)
print("KEY", partner_create(name="Bench Partner").key)
"""


def prepare(env: dict[str, str], count: int) -> str:
    prepare_database(env, flush=False)
    return manage_shell(env, SEED.replace("COUNT", str(count)).replace("PLATFORM", PLATFORM), "KEY").split()[0]


def anchors_path(ids) -> str:
    return f"/api/v1/anchors/?platform={PLATFORM}&" + "&".join(f"video_id=v-{n}" for n in ids)


def main() -> int:
    args = parse_args()
    with bench_folder("reelfolio-bench-") as folder:
        env = production_env(folder, args, PARTNER_API_RATE="100000000/min")
        print(f"Preparing {args.videos} videos in {folder} ...", file=sys.stderr)
        key = prepare(env, args.videos)
        port = free_port()
        server = start_server(env, port, args.workers, folder / "gunicorn.log")
        try:
            auth = {"Authorization": f"Bearer {key}"}

            # The production stack must serve its own static files and pages too.
            for path in ("/static/app.css", "/api/docs/", "/api/schema/"):
                status, _ = fetch(port, path, {})
                assert status == 200, f"{path} answered {status} under the production settings"
            status, body = fetch(port, anchors_path([1, 10]), auth)
            assert status == 200, body
            videos = json.loads(body)["videos"]
            assert videos[0]["anchors"][0]["kind"] == "portfolio" and videos[1]["anchors"] == [], videos

            rng = random.Random(4)
            ids = list(range(args.videos))
            rng.shuffle(ids)
            cold = [anchors_path(ids[i : i + 100]) for i in range(0, len(ids), 100)]
            scenarios = [
                ("healthz", ["/healthz"] * args.requests, {}),
                ("anchors-cold (100 ids, cache empty)", cold, auth),
                ("anchors-100 (warm)", [anchors_path(rng.sample(ids, 100)) for _ in range(args.requests)], auth),
                ("anchors-1 (warm)", [anchors_path([rng.choice(ids)]) for _ in range(args.requests)], auth),
            ]
            load_before = os.getloadavg()[0]
            rows = [
                (name, run(port, [(path, headers) for path in paths], 200, args.concurrency))
                for name, paths, headers in scenarios
            ]
            load_after = os.getloadavg()[0]
        finally:
            stop_server(server)

    print(
        f"\n{args.videos} videos; {describe_stack(args)}; load average before {load_before:.1f}, "
        f"after {load_after:.1f}.\n"
    )
    print_table(rows)
    return 1 if any(r["errors"] for _, r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
