#!/usr/bin/env python3
"""The benchmark of Reelfolio's hot paths, in one command.

    ./dev bench            # full size: 100,000 videos, 20,000 creators, 5,000 anchors, 500 jobs
    ./dev bench --quick    # 1,000 videos, a short run, to check the benchmark itself
    (./dev bench runs .venv/bin/python bench/run.py, which takes the same options)

It starts Reelfolio the way production runs it: gunicorn (sync workers, DEBUG off, static files collected
and served by WhiteNoise), PostgreSQL, Redis as cache and as Celery broker, and a Celery worker with two
processes. It creates throwaway PostgreSQL databases (`bench_<random>_*`, dropped at the end), seeds them
with bulk inserts, and drives load with `wrk` (Debian: `apt-get install -y wrk`) from a separate process
at a fixed concurrency. In the same run it measures two baselines, `/healthz` and a minimal Django view
answering a small JSON through the same middleware (`/bench/baseline`, routed only by bench.settings),
then every hot path, checks that the counts are exact, and prints the table; a full-size run also
writes it to docs/performance.md (`--no-write` to leave the doc alone, `--write` to write a quick run).

Set beyond production, and why: SECURE_SSL_REDIRECT=false (plain HTTP on 127.0.0.1; TLS ends at the load
balancer), ALLOWED_HOSTS=127.0.0.1, PARTNER_API_RATE high (one key makes every request; the throttle still
counts each one), WEBHOOK_ALLOWED_NETWORKS=127.0.0.0/8 and WEBHOOK_REQUIRE_HTTPS=false (the ATS endpoint is
the local receiver), OAUTH_PROVIDERS with one provider whose API is the local receiver (apply fetches the
applicant's profile fresh), SANDBOX_ENABLED=false.

The Redis databases given by --cache-url (EMPTIED at the start of each phase) and --broker-url must be
throwaway ones.
"""

import argparse
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
BIN = Path(PYTHON).parent
LUA = BENCH / "wrk" / "requests.lua"
DOC = ROOT / "docs" / "performance.md"
DOC_BEGIN = "<!-- bench/run.py: begin -->"
DOC_END = "<!-- bench/run.py: end -->"
PLATFORM = "bench-video"
PROVIDER = "bench-folio"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
CRAWLER = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

FULL = {"videos": 100_000, "creators": 20_000, "anchors": 5_000, "jobs": 500}
QUICK = {"videos": 1_000, "creators": 400, "anchors": 200, "jobs": 20}
# The small data set the full run compares against (cost must not grow with the data).
SMALL = {"videos": 1_000, "creators": 200, "anchors": 50, "jobs": 5}

# Targets: (throughput ratio to /healthz at least, p99 at most this times /healthz's p99).
TARGETS = {
    "anchors GET, 1 id, warm": (0.9, 1.5),
    "anchors GET, 50 ids, warm": (0.5, None),
    "/l/<code>, counted": (0.85, None),
    "webhook receive": (0.6, None),
}
SIZE_LIMIT = 1.2
# Measured in every run, --only or not: each path's ratio is to them.
BASELINES = ("/healthz", "Django JSON view")
# Each path is compared with a /healthz run of this many seconds made just before it.
ADJACENT_SECONDS = 2.0


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 videos and short runs (checks the benchmark)")
    for name, value in FULL.items():
        parser.add_argument(f"--{name}", type=int, help=f"how many to seed (default {value:,}; quick {QUICK[name]:,})")
    parser.add_argument("--seconds", type=float, help="each timed scenario's duration (default 8; quick 2)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections of wrk (default 4)")
    parser.add_argument("--web-workers", type=int, default=4,
                        help="gunicorn sync workers (default 4, the README's production command)")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL server's URL, to create and drop the throwaway databases in")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/13", help="a throwaway Redis database (emptied)")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/0", help="the Celery broker's Redis database")
    parser.add_argument("--write", action="store_true", help="write docs/performance.md even for a quick run")
    parser.add_argument("--no-write", action="store_true", help="leave docs/performance.md as it is")
    parser.add_argument("--keep", action="store_true", help="keep the folder with the logs (its path is printed)")
    parser.add_argument("--only", metavar="SUBSTRING",
                        help="run only the scenarios whose name contains it (the anchor lookups, `webhook "
                        "receive`), beside the baselines (prints the table, writes nothing)")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    for name, value in sizes.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.seconds = args.seconds or (2.0 if args.quick else 8.0)
    # Distinct lines for the scenarios that must not repeat one (more than a run at this size sends).
    scale = 0.25 if args.quick else 1.0
    args.webhook_events = int(16_000 * scale)
    args.applicants = min(args.creators, int(4000 * scale))
    args.outbound_events = int(1000 * scale)
    args.outbound_seconds = 10.0 if args.quick else 25.0
    return args


# --- processes ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(port: int, path: str, *, method: str = "GET", headers: dict | None = None, body: bytes | None = None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method,
                                     headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own local server
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_for(port: int, path: str, process: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{process.args[0]} exited at start:\n{log.read_text()[-3000:]}")
        with suppress(OSError):
            if http(port, path)[0] == 200:
                return
        time.sleep(0.2)
    sys.exit(f"nothing answered {path} on port {port} within {seconds:.0f} s")


class Processes:
    """The processes the benchmark starts; each is stopped by its own id (and its group) at the end."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, Path]:
        log = self.folder / f"{name}.log"
        with open(log, "ab") as out:
            process = subprocess.Popen(  # noqa: S603
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.running[name] = process
        return process, log

    def stop(self, name: str) -> None:
        process = self.running.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)


def side(env: dict[str, str], *args: str, required: bool = True) -> dict | None:
    """Runs a subcommand of bench/side.py (inside Django) and returns its RESULT (None when it failed and
    was not `required`)."""
    command = [PYTHON, str(BENCH / "side.py"), *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode and not required:
        return None
    if done.returncode:
        sys.exit(f"bench/side.py {args[0]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def manage(env: dict[str, str], *args: str) -> None:
    command = [PYTHON, "manage.py", *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")


# --- databases ---------------------------------------------------------------------------------------


class Databases:
    """Throwaway PostgreSQL databases: a migrated template, and copies of it for each data set."""

    def __init__(self, admin_url: str):
        import psycopg

        self.admin_url = admin_url
        self.connection = psycopg.connect(admin_url, autocommit=True)
        self.prefix = f"bench_{secrets.token_hex(3)}"
        self.created: list[str] = []

    def url(self, name: str) -> str:
        parts = urlsplit(self.admin_url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def create(self, suffix: str, template: str | None = None) -> str:
        name = f"{self.prefix}_{suffix}"
        self.connection.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.created.append(name)
        return name

    def drop_all(self) -> None:
        for name in reversed(self.created):
            with suppress(Exception):
                self.connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.connection.close()


# --- the environment ---------------------------------------------------------------------------------


def production_env(args, folder: Path, *, database_url: str, receiver_port: int, web_port: int) -> dict[str, str]:
    from cryptography.fernet import Fernet

    receiver = f"http://127.0.0.1:{receiver_port}"
    provider = {
        "id": PROVIDER, "kind": "oauth2", "name": "Bench Folio", "role": "portfolio",
        "authorize_url": f"{receiver}/oauth/authorize", "token_url": f"{receiver}/oauth/token",
        "profile_url": f"{receiver}/me",
        "profile_mapping": {"subject": "id", "display_name": "name", "headline": "title", "skills": "skills",
                            "profile_url": "links.html"},
        "client_id": "bench", "client_secret": "bench-secret", "scopes": "profile",
    }
    return {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{web_port}",
        "SANDBOX_ENABLED": "false",
        "SECURE_SSL_REDIRECT": "false",
        "REELFOLIO_VAR_DIR": str(folder / "var"),
        "STATIC_ROOT": str(folder / "static"),
        "DATABASE_URL": database_url,
        "CACHE_URL": args.cache_url,
        "CELERY_BROKER_URL": args.broker_url,
        "PARTNER_API_RATE": "1000000000/min",
        "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
        "WEBHOOK_REQUIRE_HTTPS": "false",
        "OAUTH_PROVIDERS": json.dumps([provider]),
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "portfolio.settings",
    }


def flush_cache(args) -> None:
    import redis

    redis.Redis.from_url(args.cache_url).flushdb()


def broker_purge(args) -> int:
    """Empties the Celery queue in the broker's database (the worker stopped): tasks the web enqueued while
    it was measured (processing inbound events), or deliveries a time-boxed run left. Returns how many."""
    import redis

    client = redis.Redis.from_url(args.broker_url)
    waiting = client.llen("celery")
    client.delete("celery")
    return waiting


# --- wrk ---------------------------------------------------------------------------------------------


def write_requests(path: Path, requests: list[tuple[str, str, dict[str, str], str]]) -> Path:
    with open(path, "w") as out:
        for method, target, headers, body in requests:
            header_text = "\x1f".join(f"{name}: {value}" for name, value in headers.items())
            out.write(f"{method}\t{target}\t{header_text}\t{body}\n")
    return path


def wrk(args, port: int, file: Path, *, expected: int, seconds: float | None = None, settle: bool = True) -> dict:
    """One wrk run over the requests in `file` for `seconds` (args.seconds), one connection per thread."""
    threads = args.connections
    command = ["wrk", "-t", str(threads), "-c", str(threads), "-d", f"{seconds or args.seconds:g}s", "--timeout",
               "30s", "-s", str(LUA), f"http://127.0.0.1:{port}", "--", str(file), str(expected), str(threads)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)  # noqa: S603
    line = next((line for line in done.stdout.splitlines() if line.startswith("BENCH ")), None)
    if done.returncode or line is None:
        sys.exit(f"wrk failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    figures = json.loads(line.removeprefix("BENCH "))
    figures["rps"] = figures["requests"] / figures["seconds"]
    if settle:
        time.sleep(1.5)  # the requests still in flight when wrk stopped are finished by the server
    return figures


# --- the scenarios -----------------------------------------------------------------------------------


def anchors_get(ids, key: str) -> tuple[str, str, dict[str, str], str]:
    query = "&".join(f"video_id={video_id}" for video_id in ids)
    return ("GET", f"/api/v1/anchors/?platform={PLATFORM}&{query}", {"Authorization": f"Bearer {key}"}, "")


def anchors_post(ids, key: str) -> tuple[str, str, dict[str, str], str]:
    body = json.dumps({"platform": PLATFORM, "video_ids": list(ids)}, separators=(",", ":"))
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    return ("POST", "/api/v1/anchors/lookup", headers, body)


def plain_get(path: str, user_agent: str = BROWSER) -> tuple[str, str, dict[str, str], str]:
    return ("GET", path, {"User-Agent": user_agent}, "")


class Run:
    """One phase: a seeded database, gunicorn (and the worker) started; the scenarios and their rows."""

    def __init__(self, args, folder: Path, port: int, seeded: dict, env: dict[str, str]):
        self.args = args
        self.env = env
        self.folder = folder
        self.port = port
        self.seeded = seeded
        self.key = seeded["api_key"]
        self.rows: dict[str, dict] = {}
        self.rng = random.Random(12)

    def file(self, name: str, requests) -> Path:
        if len(requests) < self.args.connections:  # every connection needs lines of its own
            requests = requests * self.args.connections
        return write_requests(self.folder / f"{name.replace(' ', '_').replace('/', '_')}.txt", requests)

    def adjacent_baseline(self) -> dict:
        """A short /healthz run just before a path's: on a machine shared with other work the load moves
        from one scenario to the next, so each path is compared with the baseline measured next to it."""
        return wrk(self.args, self.port, self.file("/healthz", [plain_get("/healthz")]), expected=200,
                   seconds=ADJACENT_SECONDS, settle=False)

    def wanted(self, name: str) -> bool:
        return not self.args.only or self.args.only in name or name in BASELINES

    def timed(self, name: str, requests, *, expected: int = 200, seconds: float | None = None) -> dict:
        say(f"{name} ({seconds or self.args.seconds:g} s)")
        baseline = self.adjacent_baseline() if self.rows else None
        self.rows[name] = wrk(self.args, self.port, self.file(name, requests), expected=expected, seconds=seconds)
        self.rows[name]["baseline"] = baseline
        return self.rows[name]

    def baselines(self) -> None:
        self.timed(BASELINES[0], [plain_get("/healthz")])
        self.timed(BASELINES[1], [plain_get("/bench/baseline")])

    def warm(self, ids: list[str]) -> None:
        for start in range(0, len(ids), 100):
            _, _, headers, body = anchors_post(ids[start : start + 100], self.key)
            status, _, answer = http(self.port, "/api/v1/anchors/lookup", method="POST", headers=headers,
                                     body=body.encode())
            assert status == 200, answer[:500]

    def anchors(self, *, cold: bool) -> None:
        ids = self.seeded["video_ids"]
        if cold:
            for size in (1, 50):
                for method, build in (("GET", anchors_get), ("POST", anchors_post)):
                    name = f"anchors {method}, {size} id{'s' if size > 1 else ''}, cold"
                    if not self.wanted(name):
                        continue
                    flush_cache(self.args)  # every id below misses the anchor cache (each line asks for others)
                    shuffled = self.rng.sample(ids, min(len(ids), 40_000) // size * size)
                    requests = [build(shuffled[i : i + size], self.key) for i in range(0, len(shuffled), size)]
                    # 100,000 videos make 2,000 cold batches of 50: half the time keeps them from running out.
                    seconds = self.args.seconds / 2 if size > 1 else None
                    self.timed(name, requests, seconds=seconds)
            return
        hot = ids[: min(len(ids), 10_000)]  # the hot set: warmed first, then asked about at random
        self.warm(hot)
        for size in (1, 50):
            for method, build in (("GET", anchors_get), ("POST", anchors_post)):
                name = f"anchors {method}, {size} id{'s' if size > 1 else ''}, warm"
                if self.wanted(name):
                    requests = [build(self.rng.sample(hot, size), self.key) for _ in range(4000)]
                    self.timed(name, requests)
        if not self.wanted("anchors GET, 1 id, revalidated (304)"):
            return
        # Revalidation, as a CDN does it: If-None-Match with the ETag it holds.
        revalidations = []
        for video_id in self.rng.sample(hot, 200):
            method, path, headers, _ = anchors_get([video_id], self.key)
            status, answer_headers, _ = http(self.port, path, headers=headers)
            assert status == 200
            etag = {name.lower(): value for name, value in answer_headers.items()}["etag"]
            revalidations.append((method, path, {**headers, "If-None-Match": etag}, ""))
        self.timed("anchors GET, 1 id, revalidated (304)", revalidations, expected=304)

    def redirect(self) -> int:
        """Returns how many counted redirects were sent."""
        codes = self.seeded["codes"]
        crawler = [plain_get(f"/l/{code}", CRAWLER) for code in codes]
        # The links are looked up once before the timed redirects (as the redirect does on a cache miss), so
        # that these measure the warm path; if that lookup cannot be called, a crawler's pass warms them.
        if side(self.env, "warm-links", "--seeded", str(self.folder / "seeded.json"), required=False):
            self.timed("/l/<code>, crawler, not counted", crawler, expected=302)
        else:
            self.timed("/l/<code>, crawler, first lookups", crawler, expected=302,
                       seconds=max(self.args.seconds, 6.0) if len(codes) > 1000 else None)
        clicks = [plain_get(f"/l/{self.rng.choice(codes)}") for _ in range(20_000)]
        return self.timed("/l/<code>, counted", clicks, expected=302)["sent"]

    def webhooks(self, env: dict[str, str]) -> tuple[int, str]:
        """Returns how many distinct events were sent, and the prefix of their ids."""
        path = self.folder / "webhooks.txt"
        made = side(env, "webhooks", "--seeded", str(self.folder / "seeded.json"),
                    "--count", str(self.args.webhook_events), "--out", str(path))
        say(f"webhook receive ({self.args.seconds:g} s)")
        baseline = self.adjacent_baseline()
        self.rows["webhook receive"] = wrk(self.args, self.port, path, expected=200)
        self.rows["webhook receive"]["baseline"] = baseline
        return self.rows["webhook receive"]["distinct"], made["prefix"]

    def apply(self) -> int:
        """Returns how many distinct applicants pressed Apply."""
        requests = []
        for applicant in self.seeded["applicants"]:
            headers = {
                "Cookie": f"sessionid={applicant['session']}; csrftoken={applicant['csrf']}",
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": BROWSER,
            }
            body = f"csrfmiddlewaretoken={applicant['csrf']}&provider={PROVIDER}"
            requests.append(("POST", f"/jobs/{applicant['job']}/apply/", headers, body))
        return self.timed("one-click apply", requests, expected=302)["distinct"]


def check_stack(port: int, key: str) -> None:
    """The production stack serves its static files and API docs, and the lookup answers in its shape."""
    for path in ("/static/app.css", "/api/docs/", "/bench/baseline"):
        status = http(port, path)[0]
        assert status == 200, f"{path} answered {status} under the production settings"
    status, _, body = http(port, anchors_get(["v-0", "v-1"], key)[1], headers={"Authorization": f"Bearer {key}"})
    assert status == 200, body[:500]
    assert json.loads(body)["platform"] == PLATFORM


# --- the phases --------------------------------------------------------------------------------------


def start_web(procs: Processes, env: dict[str, str], args, port: int) -> None:
    web_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    command = [str(BIN / "gunicorn"), "portfolio.wsgi", "--bind", f"127.0.0.1:{port}", "--workers",
               str(args.web_workers), "--limit-request-line", "8190"]
    process, log = procs.start("gunicorn", command, web_env)
    wait_for(port, "/healthz", process, log)


def start_worker(procs: Processes, env: dict[str, str], concurrency: int) -> None:
    command = [str(BIN / "celery"), "-A", "portfolio", "worker", "--loglevel", "INFO", "--concurrency",
               str(concurrency), "--without-gossip", "--without-mingle", "--without-heartbeat"]
    process, log = procs.start("worker", command, env)
    deadline = time.monotonic() + 60
    while "ready." not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"the Celery worker did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)


def seed(env: dict[str, str], folder: Path, sizes: dict, applicants: int) -> tuple[dict, dict]:
    out = folder / "seeded.json"
    counts = side(env, "seed", *[f"--{name}={value}" for name, value in sizes.items()],
                  f"--applicants={applicants}", "--out", str(out))
    return counts, json.loads(out.read_text())


def small_phase(args, folder: Path, procs: Processes, dbs: Databases, template: str, receiver_port: int) -> dict:
    """Anchor lookups and redirects at 1,000 videos, for the comparison with the full data set."""
    port = free_port()
    database = dbs.create("small", template)
    env = production_env(args, folder, database_url=dbs.url(database), receiver_port=receiver_port, web_port=port)
    say(f"Seeding the small data set {SMALL}")
    flush_cache(args)
    counts, seeded = seed(env, folder, SMALL, applicants=10)
    start_web(procs, env, args, port)
    run = Run(args, folder, port, seeded, env)
    try:
        check_stack(port, run.key)
        run.baselines()
        run.warm(seeded["video_ids"])
        for size in (1, 50):
            requests = [anchors_get(run.rng.sample(seeded["video_ids"], size), run.key) for _ in range(4000)]
            run.timed(f"anchors GET, {size} id{'s' if size > 1 else ''}, warm", requests)
        run.redirect()
    finally:
        procs.stop("gunicorn")
    return {"counts": counts, "rows": run.rows}


def full_phase(args, folder: Path, procs: Processes, dbs: Databases, template: str, receiver_port: int) -> dict:
    port = free_port()
    database = dbs.create("full", template)
    env = production_env(args, folder, database_url=dbs.url(database), receiver_port=receiver_port, web_port=port)
    sizes = {name: getattr(args, name) for name in FULL}
    say(f"Seeding {sizes} and {args.applicants} applicants with sessions")
    flush_cache(args)
    counts, seeded = seed(env, folder, sizes, applicants=args.applicants)
    say(f"Seeded in {counts['seconds']} s: {counts}")
    start_web(procs, env, args, port)
    run = Run(args, folder, port, seeded, env)
    exact: dict = {}
    outbound: dict = {}
    load = {"before": os.getloadavg()}
    try:
        check_stack(port, run.key)
        run.baselines()
        run.anchors(cold=True)
        run.anchors(cold=False)
        if args.only:  # the scenarios asked for alone: their counts and the worker are skipped
            if run.wanted("webhook receive"):
                run.webhooks(env)
            return {"counts": counts, "rows": run.rows, "load": load}
        clicks_sent = run.redirect()
        exact["clicks_sent"] = clicks_sent
        exact["clicks_counted"] = side(env, "fold")["clicks"]
        events_sent, prefix = run.webhooks(env)
        applied = run.apply()
        load["after"] = os.getloadavg()
        stored = side(env, "counts", "--event-prefix", prefix)
        exact |= {"events_sent": events_sent, "events_stored": stored["events"],
                  "event_ids_stored": stored["event_ids"], "events_repeated": stored["events_repeated"],
                  "applicants": applied, "applications": stored["applications"],
                  "applying_users": stored["applicants"]}
        procs.stop("gunicorn")
        # The worker runs on machines of its own in production: here it starts once the web is measured,
        # on an empty queue (processing the inbound events just stored is not part of the measurement).
        exact["tasks_purged"] = broker_purge(args)
        receiver = f"http://127.0.0.1:{receiver_port}/hook"
        for concurrency in (2, 1):
            start_worker(procs, env, concurrency)
            say(f"outbound delivery, up to {args.outbound_events} events in {args.outbound_seconds:g} s, "
                f"worker with {concurrency} processes")
            outbound[concurrency] = side(env, "outbound", "--organization", str(seeded["organization"]),
                                         "--receiver", receiver, "--count", str(args.outbound_events),
                                         "--seconds", str(args.outbound_seconds))
            procs.stop("worker")
            broker_purge(args)
        status, _, body = http(receiver_port, "/stats")
        outbound["receiver"] = json.loads(body)
    finally:
        procs.stop("gunicorn")
        procs.stop("worker")
    return {"counts": counts, "rows": run.rows, "exact": exact, "outbound": outbound, "load": load}


# --- the report --------------------------------------------------------------------------------------


def held(value: float, limit: float, *, at_least: bool) -> str:
    ok = value >= limit if at_least else value <= limit
    return f"{'held' if ok else 'NOT held'} ({'≥' if at_least else '≤'} {limit:g})"


def table(rows: dict[str, dict], *, targets: bool) -> list[str]:
    base = rows["/healthz"]
    django_view = rows["Django JSON view"]
    lines = [
        "| path | requests | req/s | p50 ms | p99 ms | /healthz beside it, req/s | ÷ /healthz | ÷ JSON view "
        "| p99 ÷ /healthz p99 | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, r in rows.items():
        adjacent = r.get("baseline") or base
        ratio = r["rps"] / adjacent["rps"]
        p99_ratio = r["p99_ms"] / adjacent["p99_ms"]
        verdict = ""
        if targets and name in TARGETS:
            throughput, p99 = TARGETS[name]
            verdict = f"throughput {held(ratio, throughput, at_least=True)}"
            if p99:
                verdict += f"; p99 {held(p99_ratio, p99, at_least=False)}"
        notes = []
        if r["unexpected"] or r["errors"]:
            notes.append(f"{r['unexpected']} unexpected status, {r['errors']} socket errors")
        if r.get("reused") and ("cold" in name or name in ("webhook receive", "one-click apply")):
            notes.append(f"{r['reused']} lines sent twice")
        flags = f" ({'; '.join(notes)})" if notes else ""
        lines.append(
            f"| {name}{flags} | {r['requests']} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
            f"{adjacent['rps']:.0f} | {ratio:.2f} | {r['rps'] / django_view['rps']:.2f} | {p99_ratio:.2f} | {verdict} |"
        )
    return lines


def ratio_to_baseline(rows: dict[str, dict], name: str) -> float:
    return rows[name]["rps"] / (rows[name].get("baseline") or rows["/healthz"])["rps"]


def size_lines(small: dict, full: dict) -> list[str]:
    lines = [
        "| path | at 1,000 videos, ÷ /healthz | at 100,000 videos, ÷ /healthz | cost at 100,000 ÷ cost at 1,000 | "
        f"target (≤ {SIZE_LIMIT:g}) |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for name in ("anchors GET, 1 id, warm", "anchors GET, 50 ids, warm", "/l/<code>, counted"):
        ratio_small = ratio_to_baseline(small["rows"], name)
        ratio_full = ratio_to_baseline(full["rows"], name)
        growth = ratio_small / ratio_full  # time per request relative to /healthz's, full over small
        lines.append(f"| {name} | {ratio_small:.2f} | {ratio_full:.2f} | {growth:.2f} | "
                     f"{held(growth, SIZE_LIMIT, at_least=False)} |")
    return lines


def exact_lines(exact: dict) -> list[str]:
    def verdict(ok: bool) -> str:
        return "exact" if ok else "NOT exact"

    return [
        f"- Clicks: {exact['clicks_sent']} counted redirects sent, {exact['clicks_counted']} clicks in the daily "
        f"rows after the fold: {verdict(exact['clicks_sent'] == exact['clicks_counted'])}.",
        f"- Apply: {exact['applicants']} distinct applicants pressed Apply, {exact['applications']} applications "
        f"({exact['applying_users']} applicants): "
        f"{verdict(exact['applicants'] == exact['applications'] == exact['applying_users'])}.",
        f"- Webhooks: {exact['events_sent']} distinct events sent, {exact['events_stored']} stored under "
        f"{exact['event_ids_stored']} ids, {exact['events_repeated']} stored twice: "
        f"{verdict(exact['events_sent'] == exact['events_stored'] == exact['event_ids_stored'])}.",
    ]


def outbound_lines(outbound: dict) -> list[str]:
    lines = [
        "| worker processes | events in the outbox | delivered | seconds | events/s |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for concurrency in (2, 1):
        o = outbound[concurrency]
        lines.append(f"| {concurrency} | {o['events']} | {o['delivered']} | {o['seconds']} | {o['per_second']} |")
    receiver = outbound["receiver"]
    lines.append("")
    lines.append(
        f"The receiver got {receiver['received']} requests carrying {receiver['distinct']} distinct `webhook-id`s "
        f"({receiver['received'] - receiver['distinct']} repeated, {receiver['unsigned']} without a signature)."
    )
    return lines


def report(args, command: str, small: dict | None, full: dict) -> str:
    load = full["load"]
    out = [
        f"Command: `{command}`",
        "",
        f"Machine: {os.cpu_count()} CPUs shared by gunicorn ({args.web_workers} sync workers), PostgreSQL, Redis, "
        f"the receiver and wrk ({args.connections} connections, one thread each), and by whatever else runs "
        f"there; the Celery worker starts after the web scenarios (on its own machines in production); "
        f"load average {load['before'][0]:.1f} before the full-size scenarios, {load['after'][0]:.1f} after; "
        f"{datetime.now(tz=UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        f"Data: {full['counts']['videos']:,} videos, {full['counts']['creators']:,} creators, "
        f"{full['counts']['anchors']:,} anchors, {full['counts']['jobs']:,} published jobs, "
        f"{full['counts']['applicants']:,} applicants with sessions (seeded in {full['counts']['seconds']} s). "
        f"Each scenario lasts {args.seconds:g} s. Each path is compared with a {ADJACENT_SECONDS:g}-s `/healthz` "
        "run made just before it (its rate is in the table), so that a change in the machine's load between "
        "scenarios does not move the ratios; ÷ JSON view is to the JSON view's row.",
        "",
        *table(full["rows"], targets=True),
        "",
        "Exactness under load:",
        "",
        *exact_lines(full["exact"]),
        "",
        "Outbound delivery (outbox to a local receiver):",
        "",
        *outbound_lines(full["outbound"]),
    ]
    if small:
        out += [
            "",
            f"The same lookups and redirects at {small['counts']['videos']:,} videos "
            f"({small['counts']['anchors']} anchors), in the same run:",
            "",
            *table(small["rows"], targets=False),
            "",
            "Cost against the data (each path's time per request relative to that of the /healthz beside it):",
            "",
            *size_lines(small, full),
        ]
    return "\n".join(out) + "\n"


def write_doc(text: str) -> None:
    content = DOC.read_text()
    block = f"{DOC_BEGIN}\n{text}{DOC_END}"
    if DOC_BEGIN in content:
        before, rest = content.split(DOC_BEGIN, 1)
        after = rest.split(DOC_END, 1)[1]
        content = before + block + after
    else:
        content += f"\n{block}\n"
    DOC.write_text(content)


def main() -> int:
    args = parse_args()

    def stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # the finally below stops the processes and drops the databases
    if shutil.which("wrk") is None:
        sys.exit("bench/run.py drives the load with wrk: install it first (Debian: apt-get install -y wrk).")
    command = "./dev bench" + (" " + " ".join(sys.argv[1:]) if len(sys.argv) > 1 else "")
    folder = Path(tempfile.mkdtemp(prefix="reelfolio-bench-"))
    procs = Processes(folder)
    dbs = Databases(args.postgres)
    started = time.monotonic()
    try:
        receiver_port = free_port()
        receiver = [PYTHON, str(BENCH / "receiver.py"), str(receiver_port)]
        process, log = procs.start("receiver", receiver, os.environ.copy())
        wait_for(receiver_port, "/stats", process, log)
        template = dbs.create("template")
        env = production_env(args, folder, database_url=dbs.url(template), receiver_port=receiver_port, web_port=8000)
        say(f"Migrating a template database and collecting static files in {folder}")
        manage(env, "migrate", "--no-input")
        manage(env, "collectstatic", "--no-input")
        small = None if args.quick or args.only else small_phase(args, folder, procs, dbs, template, receiver_port)
        full = full_phase(args, folder, procs, dbs, template, receiver_port)
    finally:
        procs.stop_all()
        dbs.drop_all()
        flush_cache(args)
        if args.keep:
            say(f"Logs kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    if args.only:
        print()
        print("\n".join(table(full["rows"], targets=True)))
        print(f"(the whole run took {time.monotonic() - started:.0f} s)")
        return 0 if not any(r["unexpected"] or r["errors"] for r in full["rows"].values()) else 1
    text = report(args, command, small, full)
    print()
    print(text)
    print(f"(the whole run took {time.monotonic() - started:.0f} s)")
    if (not args.quick or args.write) and not args.no_write:
        write_doc(text)
        say(f"Wrote the results into {DOC.relative_to(ROOT)}")
    exact = full["exact"]
    ok = (
        exact["clicks_sent"] == exact["clicks_counted"]
        and exact["applicants"] == exact["applications"]
        and exact["events_sent"] == exact["events_stored"] == exact["event_ids_stored"]
        and not any(r["unexpected"] or r["errors"] for r in full["rows"].values())
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
