#!/usr/bin/env python3
"""Benchmark of the tracked short link (GET /l/<code>), the creators' hot path.

Starts Reelfolio the way production runs it (gunicorn sync workers, DEBUG off, a generated SECRET_KEY
and TOKEN_ENCRYPTION_KEYS) on a throwaway SQLite database (or --database-url), seeds --links videos
with a "View My Portfolio" anchor each, and measures from client processes on 127.0.0.1:

    healthz          GET /healthz: the baseline, the same stack doing no work
    redirect         GET /l/<code> from browsers, many links and visitors: a 302, counted in the cache
    redirect-bot     GET /l/<code> from a crawler: the same 302, not counted (the cost of counting shows)
    redirect-404     GET /l/<unknown>: the friendly 404 page (the unknown code is remembered in the cache)

Then it folds the counts into the daily rows (what beat does every minute) and checks that the rows
hold exactly as many clicks as the "redirect" scenario made: no increment lost under the load.

    .venv/bin/python bench/redirect.py [--links 1000] [--requests 2000] [--concurrency 4] [--workers 2]
                                       [--cache-url redis://127.0.0.1:6379/12] [--database-url postgres://...]

Without --cache-url the embedded default (the database cache) is used. A --database-url is migrated,
emptied and seeded: give it a throwaway database. Prints a Markdown table.

The production-like environment, gunicorn and the timing clients are bench/common.py's; this
benchmark adds LOG_LEVEL=WARNING.
"""

import argparse
import random
import sys

from common import (
    add_common_arguments,
    bench_folder,
    describe_stack,
    free_port,
    manage_shell,
    prepare_database,
    print_table,
    production_env,
    run,
    start_server,
    stop_server,
)

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
CRAWLER = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

SEED = """
from django.core.cache import cache
from portfolio.accounts.models import User
from portfolio.creators.models import CreatorProfile, PortfolioAnchor, Video

cache.clear()
owner = User.objects.create_user(email="bench@example.com", password=None, name="Bench", role="creator")
CreatorProfile.objects.create(user=owner, handle="bench")
Video.objects.bulk_create(
    [Video(owner=owner, platform="bench-video", platform_video_id=f"v-{n}") for n in range(LINKS)], batch_size=500
)
PortfolioAnchor.objects.bulk_create(
    [
        PortfolioAnchor(video=video, code=f"bench{video.pk:06d}", target_kind="reelfolio_page",
                        target_url="https://reelfolio.example/@bench")
        for video in Video.objects.filter(owner=owner)
    ],
    batch_size=500,
)
print("CODES", ",".join(PortfolioAnchor.objects.order_by("id").values_list("code", flat=True)))
"""

FOLD = """
from django.db.models import Sum
from portfolio.creators.models import LinkClickDaily
from portfolio.creators.services import clicks_fold

clicks_fold()
print("FOLDED", LinkClickDaily.objects.aggregate(total=Sum("clicks"))["total"] or 0)
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--links", type=int, default=1000, help="links seeded (default 1000)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per scenario (default 2000)")
    add_common_arguments(parser)
    return parser.parse_args()


def prepare(env: dict[str, str], links: int) -> list[str]:
    prepare_database(env, flush=True)
    return manage_shell(env, SEED.replace("LINKS", str(links)), "CODES").split(",")


def main() -> int:
    args = parse_args()
    with bench_folder("reelfolio-bench-redirect-") as folder:
        env = production_env(folder, args, LOG_LEVEL="WARNING")
        print(f"Preparing {args.links} links in {folder} ...", file=sys.stderr)
        codes = prepare(env, args.links)
        port = free_port()
        server = start_server(env, port, args.workers, folder / "gunicorn.log")
        try:
            rng = random.Random(4)
            visitors = [{"User-Agent": f"{BROWSER} visitor/{n}"} for n in range(500)]
            browser, crawler = {"User-Agent": BROWSER}, {"User-Agent": CRAWLER}
            n = args.requests
            scenarios = [
                ("healthz (baseline)", [("/healthz", browser)] * n, 200),
                ("redirect (counted)", [(f"/l/{rng.choice(codes)}", rng.choice(visitors)) for _ in range(n)], 302),
                ("redirect (bot, not counted)", [(f"/l/{rng.choice(codes)}", crawler) for _ in range(n)], 302),
                ("unknown code (404 page)", [(f"/l/Unknown{i % 50:04d}", browser) for i in range(n)], 404),
            ]
            # Warm-up, not measured: every link looked up once (a crawler's visit, so nothing is counted).
            run(port, [(f"/l/{code}", crawler) for code in codes], 302, args.concurrency)
            rows = [(name, run(port, requests, expected, args.concurrency)) for name, requests, expected in scenarios]
            counted = rows[1][1]["requests"] - rows[1][1]["errors"]
            folded = int(manage_shell(env, FOLD, "FOLDED"))
        finally:
            stop_server(server)

    print(f"\n{args.links} links; {describe_stack(args)}.\n")
    print_table(rows, errors_header="unexpected status")
    print(f"\nClicks counted: {counted} redirects made, {folded} in the daily rows after the fold.")
    return 1 if folded != counted or any(r["errors"] for _, r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
