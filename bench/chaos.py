#!/usr/bin/env python3
"""The chaos suite: real faults under real traffic, and proof that nothing is lost and nothing answers 500.

    ./dev chaos            # about 4 minutes; writes the results into docs/chaos.md
    ./dev chaos --no-write # the same, leaving the doc alone (CI)
    (./dev chaos runs .venv/bin/python bench/chaos.py, which takes the same options)

It starts everything it breaks, on free ports in a temporary folder, and stops all of it at the end: a
PostgreSQL cluster of its own (initdb, run as the `postgres` user when started as root), a Redis for the
cache and the click counters (append-only, as the README asks) and a Redis for the Celery broker (no
persistence: a killed broker forgets its queue), gunicorn the way production runs it (bench/run.py), a
Celery worker (two processes) and beat under common/supervision.py (restarted when they exit or when the
worker's liveness file goes stale), and bench/receiver.py as the applicants' freelance provider and the
employers' ATS endpoint. Nothing shared is touched, so it runs beside other test runs.

Each scenario sends real traffic while its fault lasts and after: one-click applications (each one an
`application.created` delivery to the ATS receiver), clicks on short links and signed webhook events from a
partner. A client that gets a 503 retries after its Retry-After, as partners and browsers do; a 500 is a
failure. At the end of each scenario it waits for the sweeps to catch up and counts what arrived:

- applications: every apply answered 302 has its application row; every application reached the ATS
  receiver (one `webhook-id` each, sent once or, after a worker was killed mid-delivery, again with the
  same id);
- clicks: every redirect answered 302 is counted in the daily rows once the fold has run;
- webhooks in: every event answered 200 is stored, once.

The scenarios: the cache's Redis killed (SIGKILL) and started again, the cache's Redis stalled (SIGSTOP, then
SIGCONT), the broker killed while the worker holds unacknowledged deliveries and started again (the worker
must come back by itself), the worker killed mid-delivery, PostgreSQL restarted. It exits non-zero on any
loss, any 500, or an apply that took longer than the broker's connect timeout allows while the broker was
down.
"""

import argparse
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402
    BIN,
    BROWSER,
    PROVIDER,
    PYTHON,
    Processes,
    free_port,
    manage,
    production_env,
    side,
    start_web,
    wait_for,
)
from common.supervision import Supervisor  # noqa: E402

DOC = ROOT / "docs" / "chaos.md"
DOC_BEGIN = "<!-- bench/chaos.py: begin -->"
DOC_END = "<!-- bench/chaos.py: end -->"
SIZES = {"videos": 120, "creators": 200, "anchors": 40, "jobs": 10}
APPLICANTS = 200
# What each scenario sends, spread over its fault and the time after it.
APPLIES_PER_SCENARIO = 20
CLICKS_PER_SCENARIO = 100
EVENTS_PER_SCENARIO = 40
# A request that answers within this, broker down or not (BROKER_CONNECT_TIMEOUT is 1 s; one retry).
APPLY_LIMIT_SECONDS = 3.0
CATCH_UP_SECONDS = 90.0
# How long the ATS receiver takes to answer a delivery: long enough that the worker holds some, unacknowledged,
# when the broker or the worker is killed.
DELIVERY_SECONDS = 0.5


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def wait(predicate: Callable[[], object], seconds: float, what: str, interval: float = 0.3) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    say(f"gave up waiting for {what} after {seconds:g} s")
    return False


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


# --- the servers it breaks -----------------------------------------------------------------------------


class RedisServer:
    def __init__(self, folder: Path, name: str, *, persistent: bool):
        self.folder = folder / name
        self.folder.mkdir()
        self.port = free_port()
        self.persistent = persistent
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.persistent else ["--appendonly", "no"]
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", *persistence,
                   "--dir", str(self.folder)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        if not wait(lambda: port_answers(self.port), 10, f"redis-server on port {self.port}", 0.05):
            sys.exit(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process = None

    def stall(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class PostgresServer:
    """A cluster of its own in the folder, on a free port (initdb and pg_ctl of the newest version installed,
    run as the `postgres` user when this runs as root: PostgreSQL refuses to run as root)."""

    def __init__(self, folder: Path):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
        binary = found[-1] if found else shutil.which("pg_ctl")
        if not binary:
            sys.exit("The chaos suite needs PostgreSQL's server binaries (Debian: apt-get install postgresql).")
        self.bin = Path(binary).parent
        self.folder = folder / "postgres"
        self.folder.mkdir()
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            os.chmod(folder, 0o755)  # noqa: S103 - the postgres user must reach its folder; nothing secret here
            shutil.chown(self.folder, "postgres")

    def _run(self, *command: str) -> None:
        done = subprocess.run([*self.as_user, *command], capture_output=True, text=True)  # noqa: S603
        if done.returncode:
            sys.exit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *args: str) -> None:
        """pg_ctl with the server's output in its log file (a server left holding a pipe of ours would keep
        subprocess.run waiting for ever)."""
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"),
                  "-w", *args)

    def start(self) -> None:
        if not self.data.exists():
            self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        self._pg_ctl("start")

    def restart(self) -> None:
        """A fast shutdown (every connection is cut) and a start."""
        self._pg_ctl("-m", "fast", "restart")

    def create_database(self, name: str) -> None:
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run([*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",  # noqa: S603
                            "stop"], capture_output=True)


# --- traffic -------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """What one scenario sent and how it was answered."""

    statuses: Counter = field(default_factory=Counter)  # (kind, status) -> n, every answer including retries
    accepted: Counter = field(default_factory=Counter)  # kind -> requests that finally succeeded
    refused: Counter = field(default_factory=Counter)  # kind -> requests that never succeeded
    slowest: dict[str, float] = field(default_factory=dict)  # kind -> seconds of its slowest answer
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.statuses[(kind, status)] += 1
            self.slowest[kind] = max(self.slowest.get(kind, 0.0), seconds)

    def server_errors(self) -> int:
        return sum(n for (_, status), n in self.statuses.items() if status >= 500 and status != 503)


def send(port: int, method: str, path: str, headers: dict[str, str], body: bytes | None) -> tuple[int, dict, float]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method, headers=headers)
    started = time.monotonic()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            status, answer_headers = response.status, dict(response.headers)
            response.read()
    except urllib.error.HTTPError as error:
        status, answer_headers = error.code, dict(error.headers)
        error.read()
    except OSError:
        status, answer_headers = 0, {}  # no answer at all (the connection was refused or cut)
    return status, answer_headers, time.monotonic() - started


def attempt(port: int, tally: Tally, kind: str, request: tuple[str, str, dict[str, str], bytes | None],
            ok: int) -> None:
    """Sends one request; on 503 (or no answer) waits as Retry-After says and sends it again, up to 6 times."""
    method, path, headers, body = request
    for _ in range(6):
        status, answer_headers, seconds = send(port, method, path, headers, body)
        tally.record(kind, status, seconds)
        if status == ok:
            with tally.lock:
                tally.accepted[kind] += 1
            return
        if status not in (0, 503):
            break
        time.sleep(min(float(answer_headers.get("Retry-After", 1) or 1), 5.0))
    with tally.lock:
        tally.refused[kind] += 1


class Traffic:
    """The requests of the whole run, handed out a slice per scenario."""

    def __init__(self, env: dict[str, str], folder: Path, port: int, seeded: dict):
        self.env, self.folder, self.port, self.seeded = env, folder, port, seeded
        self.applicants = list(seeded["applicants"])
        self.codes = seeded["codes"]
        self.clicks_sent = 0
        self.events_prefixes: list[str] = []

    def applies(self, count: int) -> list[tuple[str, str, dict[str, str], bytes | None]]:
        taken, self.applicants = self.applicants[:count], self.applicants[count:]
        requests = []
        for applicant in taken:
            headers = {
                "Cookie": f"sessionid={applicant['session']}; csrftoken={applicant['csrf']}",
                "Content-Type": "application/x-www-form-urlencoded", "User-Agent": BROWSER,
                "Referer": f"http://127.0.0.1:{self.port}/jobs/{applicant['job']}/",
            }
            body = f"csrfmiddlewaretoken={applicant['csrf']}&provider={PROVIDER}".encode()
            requests.append(("POST", f"/jobs/{applicant['job']}/apply/", headers, body))
        return requests

    def clicks(self, count: int) -> list[tuple[str, str, dict[str, str], bytes | None]]:
        return [("GET", f"/l/{self.codes[n % len(self.codes)]}", {"User-Agent": BROWSER}, None) for n in range(count)]

    def events(self, count: int) -> list[tuple[str, str, dict[str, str], bytes | None]]:
        """Signed now (the partner's signature is valid for 5 minutes), each with an id of its own."""
        path = self.folder / "events.txt"
        made = side(self.env, "webhooks", "--seeded", str(self.folder / "seeded.json"), "--count", str(count),
                    "--out", str(path))
        self.events_prefixes.append(made["prefix"])
        requests = []
        for line in path.read_text().splitlines():
            method, target, header_text, body = line.split("\t", 3)
            headers = dict(item.split(": ", 1) for item in header_text.split("\x1f") if item)
            requests.append((method, target, headers, body.encode()))
        return requests

    def mix(self, applies: int, clicks: int, events: int) -> list[tuple[str, tuple, int]]:
        """One scenario's requests, interleaved: (kind, request, the status that means done)."""
        batches = [[("apply", r, 302) for r in self.applies(applies)],
                   [("click", r, 302) for r in self.clicks(clicks)],
                   [("event", r, 200) for r in self.events(events)]]
        mixed = []
        longest = max(len(batch) for batch in batches)
        for n in range(longest):
            for batch in batches:
                if n < len(batch):
                    mixed.append(batch[n])
        return mixed


def drive(port: int, requests: list[tuple[str, tuple, int]], tally: Tally, seconds: float) -> None:
    """Sends the requests spread over `seconds` from 8 client threads."""
    gap = seconds / max(1, len(requests))
    with ThreadPoolExecutor(max_workers=8) as pool:
        for kind, request, ok in requests:
            pool.submit(attempt, port, tally, kind, request, ok)
            time.sleep(gap)


# --- the run -------------------------------------------------------------------------------------------


@dataclass
class Stack:
    folder: Path
    env: dict[str, str]
    port: int
    procs: Processes
    supervisor: Supervisor
    postgres: PostgresServer
    cache: RedisServer
    broker: RedisServer
    receiver_port: int
    worker_command: list[str]
    beat_command: list[str]

    def start_worker(self) -> None:
        self.supervisor.start("worker", self.worker_command, env=self.env, cwd=ROOT,
                              liveness_file=self.folder / "worker-alive", stale_seconds=30,
                              log_path=self.folder / "worker.log")

    def worker_restarts(self) -> int:
        entry = self.supervisor.processes.get("worker")
        return entry.restarts if entry else 0


def receiver_stats(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/stats", timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


@dataclass
class Result:
    name: str
    fault: str
    tally: Tally
    sent: dict[str, int]
    arrived: dict[str, int]
    lost: dict[str, int]
    worker_restarts: int
    seconds: float
    notes: list[str]

    def ok(self) -> bool:
        return not any(self.lost.values()) and not self.tally.server_errors() and not self.notes_failed

    @property
    def notes_failed(self) -> list[str]:
        return [note for note in self.notes if note.startswith("FAILED")]


class Ledger:
    """Running totals of what was accepted and what arrived, across scenarios."""

    def __init__(self, stack: Stack, traffic: Traffic):
        self.stack = stack
        self.traffic = traffic
        self.applied = 0
        self.clicked = 0
        self.events = 0

    def settle(self, tally: Tally) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        """Waits for the worker and the sweeps to deliver what this scenario's applications caused, folds the
        clicks and counts; returns what was sent (accepted), what arrived and what is missing, all to date."""
        self.applied += tally.accepted["apply"]
        self.clicked += tally.accepted["click"]
        self.events += tally.accepted["event"]
        env, port = self.stack.env, self.stack.receiver_port
        wait(lambda: receiver_stats(port)["distinct"] >= self.applied, CATCH_UP_SECONDS,
             "the ATS receiver to get every application.created")
        counts = side(env, "counts", "--event-prefix", "evt_bench_")  # every event id this run sent starts so
        clicks = side(env, "fold")["clicks"]
        stats = receiver_stats(port)
        sent = {"applications": self.applied, "ATS deliveries": self.applied, "clicks": self.clicked,
                "webhook events": self.events}
        arrived = {"applications": counts["applications"], "ATS deliveries": stats["distinct"], "clicks": clicks,
                   "webhook events": counts["event_ids"]}
        lost = {name: max(0, sent[name] - arrived[name]) for name in sent}
        return sent, arrived, lost


def scenario(stack: Stack, ledger: Ledger, traffic: Traffic, name: str, fault: str, *, begin: Callable[[], None],
             end: Callable[[], None], hold: float, notes: Callable[[Tally], list[str]] | None = None) -> Result:
    """Traffic starts; 2 s later the fault begins, lasts `hold` seconds and ends; the traffic goes on for 3 s
    more. Then the worker and the sweeps are given time to catch up, and what arrived is counted."""
    say(f"scenario: {name}")
    started = time.monotonic()
    restarts_before = stack.worker_restarts()
    tally = Tally()
    requests = traffic.mix(APPLIES_PER_SCENARIO, CLICKS_PER_SCENARIO, EVENTS_PER_SCENARIO)
    lead, tail = 2.0, 3.0
    during = int(len(requests) * (lead + hold) / (lead + hold + tail))
    client = threading.Thread(target=drive, args=(stack.port, requests[:during], tally, lead + hold))
    client.start()
    time.sleep(lead)
    begin()
    time.sleep(hold)
    end()
    client.join()
    drive(stack.port, requests[during:], tally, tail)
    sent, arrived, lost = ledger.settle(tally)
    result = Result(name=name, fault=fault, tally=tally, sent=sent, arrived=arrived, lost=lost,
                    worker_restarts=stack.worker_restarts() - restarts_before,
                    seconds=time.monotonic() - started, notes=notes(tally) if notes else [])
    print_result(result)
    return result


def answers_line(tally: Tally) -> str:
    parts = []
    for kind in ("apply", "click", "event"):
        statuses = sorted((status, n) for (k, status), n in tally.statuses.items() if k == kind)
        shown = ", ".join(f"{status or 'no answer'}×{n}" for status, n in statuses)
        parts.append(f"{kind}: {shown} (slowest {tally.slowest.get(kind, 0):.2f} s)")
    return "; ".join(parts)


def print_result(result: Result) -> None:
    print(f"\n{result.name} — {result.fault}")
    print(f"  answers: {answers_line(result.tally)}")
    print("  sent (accepted, to date): " + ", ".join(f"{k} {v}" for k, v in result.sent.items()))
    print("  arrived (to date):        " + ", ".join(f"{k} {v}" for k, v in result.arrived.items()))
    print(f"  lost: {sum(result.lost.values())}; 500s: {result.tally.server_errors()}; "
          f"worker restarted by its supervisor: {result.worker_restarts}×; {result.seconds:.0f} s")
    for note in result.notes:
        print(f"  {note}")
    sys.stdout.flush()


def run_scenarios(stack: Stack, traffic: Traffic) -> list[Result]:
    ledger = Ledger(stack, traffic)

    def worker_killed() -> None:
        entry = stack.supervisor.processes["worker"]
        assert entry.process is not None
        os.killpg(entry.process.pid, signal.SIGKILL)

    def broker_notes(tally: Tally) -> list[str]:
        slowest = tally.slowest.get("apply", 0.0)
        verdict = "held" if slowest <= APPLY_LIMIT_SECONDS else "FAILED"
        return [f"{verdict}: the slowest apply took {slowest:.2f} s, the broker down or not "
                f"(limit {APPLY_LIMIT_SECONDS:g} s)"]

    plan = [
        ("Redis (cache) killed", "SIGKILL to the cache's Redis; started again 6 s later", stack.cache.kill,
         stack.cache.start, 6.0, None),
        ("Redis (cache) stalled", "SIGSTOP to the cache's Redis; SIGCONT 6 s later", stack.cache.stall,
         stack.cache.resume, 6.0, None),
        # The receiver takes DELIVERY_SECONDS per delivery: when the broker dies, the worker holds the deliveries of the
        # applications of the first 2 s, unacknowledged.
        ("Broker killed", "SIGKILL to the broker's Redis while the worker holds unacknowledged deliveries; "
         "started again, empty, 8 s later", stack.broker.kill, stack.broker.start, 8.0, broker_notes),
        ("Worker killed mid-delivery", "SIGKILL to the worker and its pool while it sends deliveries; its "
         "supervisor starts it again", worker_killed, lambda: None, 2.0, None),
        ("PostgreSQL restarted", "pg_ctl restart -m fast under load (every connection cut)", stack.postgres.restart,
         lambda: None, 2.0, None),
    ]
    return [scenario(stack, ledger, traffic, name, fault, begin=begin, end=end, hold=hold, notes=notes)
            for name, fault, begin, end, hold, notes in plan]


def report(results: list[Result], command: str, seconds: float) -> str:
    lines = [
        f"Command: `{command}`",
        "",
        f"Run on {datetime.now(tz=UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs shared by everything it "
        f"starts; the whole run took {seconds:.0f} s.",
        "",
        "| scenario | fault | answers | lost | 500s | worker restarts | verdict |",
        "| --- | --- | --- | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        verdict = "passed" if r.ok() else "FAILED"
        lines.append(f"| {r.name} | {r.fault} | {answers_line(r.tally)} | {sum(r.lost.values())} | "
                     f"{r.tally.server_errors()} | {r.worker_restarts} | {verdict} |")
    last = results[-1]
    lines += [
        "",
        "Totals at the end (every request a client saw accepted, and what of it arrived):",
        "",
        "| | accepted | arrived | lost |",
        "| --- | ---: | ---: | ---: |",
        *[f"| {name} | {last.sent[name]} | {last.arrived[name]} | {last.lost[name]} |" for name in last.sent],
    ]
    notes = [note for r in results for note in r.notes]
    if notes:
        lines += ["", *[f"- {note}" for note in notes]]
    return "\n".join(lines) + "\n"


def write_doc(text: str) -> None:
    content = DOC.read_text()
    before, rest = content.split(DOC_BEGIN, 1)
    after = rest.split(DOC_END, 1)[1]
    DOC.write_text(before + f"{DOC_BEGIN}\n{text}{DOC_END}" + after)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-write", action="store_true", help="leave docs/chaos.md as it is")
    parser.add_argument("--keep", action="store_true", help="keep the folder with the logs (its path is printed)")
    args = parser.parse_args()
    for binary in ("redis-server",):
        if shutil.which(binary) is None:
            sys.exit(f"The chaos suite needs {binary} (Debian: apt-get install redis-server).")

    def stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    command = "./dev chaos" + (" " + " ".join(sys.argv[1:]) if len(sys.argv) > 1 else "")
    folder = Path(tempfile.mkdtemp(prefix="reelfolio-chaos-"))
    procs = Processes(folder)
    supervisor = Supervisor(say=lambda message: say(f"supervisor: {message}"))
    postgres = PostgresServer(folder)
    cache = RedisServer(folder, "redis-cache", persistent=True)
    broker = RedisServer(folder, "redis-broker", persistent=False)
    started = time.monotonic()
    results: list[Result] = []
    try:
        say(f"Starting PostgreSQL, two Redis servers and the receiver in {folder}")
        postgres.start()
        postgres.create_database("reelfolio")
        cache.start()
        broker.start()
        receiver_port = free_port()
        receiver = [PYTHON, str(ROOT / "bench" / "receiver.py"), str(receiver_port), str(DELIVERY_SECONDS)]
        process, log = procs.start("receiver", receiver, os.environ.copy())
        wait_for(receiver_port, "/stats", process, log)
        port = free_port()
        options = argparse.Namespace(cache_url=cache.url, broker_url=broker.url, web_workers=2)
        env = production_env(options, folder, database_url=postgres.url("reelfolio"), receiver_port=receiver_port,
                             web_port=port)
        env |= {
            # Failed deliveries come back quickly, a claim left by a killed worker runs out after 10 s, and the
            # inbound sweep takes events whose wake was lost after 5 s: the run waits seconds, not hours.
            "WEBHOOK_RETRY_SECONDS": "1,1,1,1,1,1,1", "WEBHOOK_IN_FLIGHT_SECONDS": "10",
            "WEBHOOK_INBOUND_SWEEP_AFTER_SECONDS": "5",
        }
        say("Migrating, collecting static files, seeding")
        manage(env, "migrate", "--no-input")
        manage(env, "createcachetable")
        manage(env, "collectstatic", "--no-input")
        side(env, "seed", *[f"--{name}={value}" for name, value in SIZES.items()], f"--applicants={APPLICANTS}",
             "--out", str(folder / "seeded.json"))
        side(env, "endpoints", "--receiver", f"http://127.0.0.1:{receiver_port}/hook", "--event", "application.created")
        seeded = json.loads((folder / "seeded.json").read_text())
        celery = str(BIN / "celery")
        stack = Stack(
            folder=folder, env=env, port=port, procs=procs, supervisor=supervisor, postgres=postgres, cache=cache,
            broker=broker, receiver_port=receiver_port,
            worker_command=[celery, "-A", "portfolio", "worker", "--loglevel", "INFO", "--concurrency", "2"],
            beat_command=[celery, "-A", "portfolio", "beat", "--loglevel", "INFO"],
        )
        say("Starting gunicorn, the worker and beat")
        start_web(procs, env, options, port)
        stack.start_worker()
        supervisor.start("beat", stack.beat_command, env=env, cwd=ROOT, log_path=folder / "beat.log")
        supervisor.watch()
        if not wait(lambda: (folder / "worker-alive").exists(), 60, "the worker to connect"):
            sys.exit(f"The worker did not start:\n{(folder / 'worker.log').read_text()[-3000:]}")
        results = run_scenarios(stack, Traffic(env, folder, port, seeded))
    finally:
        supervisor.stop_all()
        procs.stop_all()
        cache.stop()
        broker.stop()
        postgres.stop()
        if args.keep:
            say(f"Logs kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    seconds = time.monotonic() - started
    text = report(results, command, seconds)
    print()
    print(text)
    if not args.no_write:
        write_doc(text)
        say(f"Wrote the results into {DOC.relative_to(ROOT)}")
    failed = [r.name for r in results if not r.ok()]
    if failed:
        say(f"FAILED: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
