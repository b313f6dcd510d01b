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

What the benchmark sets beyond the production environment, and why:
- SECURE_SSL_REDIRECT=false: production terminates TLS at the load balancer; this client speaks plain
  HTTP to 127.0.0.1 and would otherwise be redirected to https.
- PARTNER_API_RATE=100000000/min: one key makes every request here; the throttle still counts each one.
- ALLOWED_HOSTS=127.0.0.1 and STATIC_ROOT in the throwaway folder.
"""

import argparse
import http.client
import json
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
PLATFORM = "bench-video"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=int, default=5000, help="videos seeded (default 5000)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per warm scenario (default 2000)")
    parser.add_argument("--concurrency", type=int, default=4, help="client processes (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--cache-url", default="", help="CACHE_URL (default: the embedded database cache)")
    parser.add_argument("--database-url", default="", help="DATABASE_URL of a throwaway database (default: SQLite)")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(folder: Path, args) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SANDBOX_ENABLED": "false",
        "REELFOLIO_VAR_DIR": str(folder / "var"),
        "STATIC_ROOT": str(folder / "static"),
        "DATABASE_URL": args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}",
        "SECURE_SSL_REDIRECT": "false",
        "PARTNER_API_RATE": "100000000/min",
        "PYTHONUNBUFFERED": "1",
    }
    if args.cache_url:
        env["CACHE_URL"] = args.cache_url
    return env


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
    python = sys.executable

    def manage(*args):
        command = [python, "manage.py", *args]
        subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603

    manage("migrate", "--no-input")
    manage("createcachetable")
    manage("collectstatic", "--no-input")
    code = SEED.replace("COUNT", str(count)).replace("PLATFORM", PLATFORM)
    command = [python, "manage.py", "shell", "-c", code]
    result = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    return next(line.split()[1] for line in result.stdout.splitlines() if line.startswith("KEY "))


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
            status, _ = fetch(port, "/healthz", {})
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not answer /healthz within 60 s")


def fetch(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _client(job) -> list[tuple[float, int]]:
    port, paths, headers = job
    results = []
    for path in paths:
        started = time.perf_counter()
        status, _ = fetch(port, path, headers)
        results.append((time.perf_counter() - started, status))
    return results


def run(port: int, paths: list[str], headers: dict[str, str], concurrency: int) -> dict:
    shares = [paths[i::concurrency] for i in range(concurrency)]
    started = time.perf_counter()
    with multiprocessing.Pool(concurrency) as pool:
        results = [r for share in pool.map(_client, [(port, s, headers) for s in shares]) for r in share]
    elapsed = time.perf_counter() - started
    latencies = sorted(seconds * 1000 for seconds, _ in results)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "requests": len(results),
        "errors": sum(1 for _, status in results if status != 200),
        "rps": len(results) / elapsed,
        "p50": cuts[49],
        "p95": cuts[94],
        "p99": cuts[98],
    }


def anchors_path(ids) -> str:
    return f"/api/v1/anchors/?platform={PLATFORM}&" + "&".join(f"video_id=v-{n}" for n in ids)


def main() -> int:
    args = parse_args()
    folder = Path(tempfile.mkdtemp(prefix="reelfolio-bench-"))
    server = None
    try:
        env = production_env(folder, args)
        print(f"Preparing {args.videos} videos in {folder} ...", file=sys.stderr)
        key = prepare(env, args.videos)
        port = free_port()
        server = start_server(env, port, args.workers, folder / "gunicorn.log")
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
        rows = [(name, run(port, paths, headers, args.concurrency)) for name, paths, headers in scenarios]

        print(
            f"\n{args.videos} videos; gunicorn {args.workers} sync workers; {args.concurrency} client processes; "
            f"cache {args.cache_url or 'database (embedded default)'}; "
            f"database {'SQLite' if not args.database_url else args.database_url.split(':')[0]}; "
            f"{os.cpu_count()} CPUs shared by server and client; load average before {load_before:.1f}, "
            f"after {os.getloadavg()[0]:.1f}.\n"
        )
        print("| scenario | requests | errors | req/s | p50 ms | p95 ms | p99 ms |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, r in rows:
            print(
                f"| {name} | {r['requests']} | {r['errors']} | {r['rps']:.0f} | {r['p50']:.1f} | "
                f"{r['p95']:.1f} | {r['p99']:.1f} |"
            )
        return 1 if any(r["errors"] for _, r in rows) else 0
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
