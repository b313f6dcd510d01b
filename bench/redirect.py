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

Set beyond the production environment: SECURE_SSL_REDIRECT=false (TLS ends at the load balancer; this
client speaks plain HTTP), ALLOWED_HOSTS=127.0.0.1, SANDBOX_ENABLED=false, STATIC_ROOT in the throwaway folder.
"""

import argparse
import http.client
import multiprocessing
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
    parser.add_argument("--concurrency", type=int, default=4, help="client processes (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--cache-url", default="", help="CACHE_URL (default: the embedded database cache)")
    parser.add_argument("--database-url", default="", help="DATABASE_URL of a throwaway database (default: SQLite)")
    return parser.parse_args()


def production_env(folder: Path, args) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SANDBOX_ENABLED": "false",
        "SECURE_SSL_REDIRECT": "false",
        "REELFOLIO_VAR_DIR": str(folder / "var"),
        "STATIC_ROOT": str(folder / "static"),
        "DATABASE_URL": args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    if args.cache_url:
        env["CACHE_URL"] = args.cache_url
    return env


def manage_shell(env: dict[str, str], code: str, marker: str) -> str:
    command = [sys.executable, "manage.py", "shell", "-c", code]
    result = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    return next(line.split(" ", 1)[1] for line in result.stdout.splitlines() if line.startswith(marker + " "))


def prepare(env: dict[str, str], links: int) -> list[str]:
    steps = (["migrate", "--no-input"], ["flush", "--no-input"], ["createcachetable"], ["collectstatic", "--no-input"])
    for args in steps:
        command = [sys.executable, "manage.py", *args]
        subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    return manage_shell(env, SEED.replace("LINKS", str(links)), "CODES").split(",")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port: int, path: str, user_agent: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"User-Agent": user_agent})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def start_server(env: dict[str, str], port: int, workers: int, log_path: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "portfolio.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited at start:\n{log_path.read_text()[-3000:]}")
        try:
            if fetch(port, "/healthz", BROWSER) == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not answer /healthz within 60 s")


def _client(job) -> list[tuple[float, int]]:
    port, requests = job
    results = []
    for path, user_agent in requests:
        started = time.perf_counter()
        status = fetch(port, path, user_agent)
        results.append((time.perf_counter() - started, status))
    return results


def run(port: int, requests: list[tuple[str, str]], expected: int, concurrency: int) -> dict:
    shares = [requests[i::concurrency] for i in range(concurrency)]
    started = time.perf_counter()
    with multiprocessing.Pool(concurrency) as pool:
        results = [r for share in pool.map(_client, [(port, s) for s in shares]) for r in share]
    elapsed = time.perf_counter() - started
    latencies = sorted(seconds * 1000 for seconds, _ in results)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "requests": len(results),
        "errors": sum(1 for _, status in results if status != expected),
        "rps": len(results) / elapsed,
        "p50": cuts[49],
        "p95": cuts[94],
        "p99": cuts[98],
    }


def main() -> int:
    args = parse_args()
    folder = Path(tempfile.mkdtemp(prefix="reelfolio-bench-redirect-"))
    server = None
    try:
        env = production_env(folder, args)
        print(f"Preparing {args.links} links in {folder} ...", file=sys.stderr)
        codes = prepare(env, args.links)
        port = free_port()
        server = start_server(env, port, args.workers, folder / "gunicorn.log")
        rng = random.Random(4)
        visitors = [f"{BROWSER} visitor/{n}" for n in range(500)]
        n = args.requests
        scenarios = [
            ("healthz (baseline)", [("/healthz", BROWSER)] * args.requests, 200),
            ("redirect (counted)", [(f"/l/{rng.choice(codes)}", rng.choice(visitors)) for _ in range(n)], 302),
            ("redirect (bot, not counted)", [(f"/l/{rng.choice(codes)}", CRAWLER) for _ in range(n)], 302),
            ("unknown code (404 page)", [(f"/l/Unknown{n % 50:04d}", BROWSER) for n in range(args.requests)], 404),
        ]
        # Warm-up, not measured: every link looked up once (a crawler's visit, so nothing is counted).
        run(port, [(f"/l/{code}", CRAWLER) for code in codes], 302, args.concurrency)
        rows = [(name, run(port, requests, expected, args.concurrency)) for name, requests, expected in scenarios]
        counted = rows[1][1]["requests"] - rows[1][1]["errors"]
        folded = int(manage_shell(env, FOLD, "FOLDED"))

        print(
            f"\n{args.links} links; gunicorn {args.workers} sync workers; {args.concurrency} client processes; "
            f"cache {args.cache_url or 'database (embedded default)'}; "
            f"database {'SQLite' if not args.database_url else args.database_url.split(':')[0]}; "
            f"{os.cpu_count()} CPUs shared by server and client.\n"
        )
        print("| scenario | requests | unexpected status | req/s | p50 ms | p95 ms | p99 ms |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, r in rows:
            print(
                f"| {name} | {r['requests']} | {r['errors']} | {r['rps']:.0f} | {r['p50']:.1f} | "
                f"{r['p95']:.1f} | {r['p99']:.1f} |"
            )
        print(f"\nClicks counted: {counted} redirects made, {folded} in the daily rows after the fold.")
        return 1 if folded != counted or any(r["errors"] for _, r in rows) else 0
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
