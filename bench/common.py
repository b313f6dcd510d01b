"""What the benchmarks share: a production-like environment, gunicorn, seeding through manage.py, and
the client processes that time each request.

Every benchmark starts Reelfolio the way production runs it (gunicorn sync workers, DEBUG off, a
generated SECRET_KEY and TOKEN_ENCRYPTION_KEYS, static files collected and served by WhiteNoise) on a
throwaway SQLite database (or --database-url) in a throwaway folder.

Set beyond the production environment, and why:
- SECURE_SSL_REDIRECT=false: production terminates TLS at the load balancer; the clients speak plain
  HTTP to 127.0.0.1 and would otherwise be redirected to https.
- ALLOWED_HOSTS=127.0.0.1, SANDBOX_ENABLED=false, STATIC_ROOT and REELFOLIO_VAR_DIR in the folder.
"""

import http.client
import multiprocessing
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

Request = tuple[str, dict[str, str]]  # path, headers


def add_common_arguments(parser) -> None:
    parser.add_argument("--concurrency", type=int, default=4, help="client processes (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--cache-url", default="", help="CACHE_URL (default: the embedded database cache)")
    parser.add_argument("--database-url", default="", help="DATABASE_URL of a throwaway database (default: SQLite)")


def production_env(folder: Path, args, **extra: str) -> dict[str, str]:
    """The production environment in `folder`, plus the benchmark's own `extra` variables."""
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
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    if args.cache_url:
        env["CACHE_URL"] = args.cache_url
    return env


def manage(env: dict[str, str], *args: str) -> None:
    command = [sys.executable, "manage.py", *args]
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def manage_shell(env: dict[str, str], code: str, marker: str) -> str:
    """Runs `code` in `manage.py shell` and returns what it printed after `marker` on a line of its own."""
    command = [sys.executable, "manage.py", "shell", "-c", code]
    result = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    return next(line.split(" ", 1)[1] for line in result.stdout.splitlines() if line.startswith(marker + " "))


def prepare_database(env: dict[str, str], *, flush: bool) -> None:
    """Migrates (and with `flush` empties) the database, creates the cache table, collects static files."""
    manage(env, "migrate", "--no-input")
    if flush:
        manage(env, "flush", "--no-input")
    manage(env, "createcachetable")
    manage(env, "collectstatic", "--no-input")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
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
            status, _ = fetch(port, "/healthz", {})
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not answer /healthz within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@contextmanager
def bench_folder(prefix: str) -> Iterator[Path]:
    """A throwaway folder for the database, static files and logs, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _client(job) -> list[tuple[float, int]]:
    port, requests = job
    results = []
    for path, headers in requests:
        started = time.perf_counter()
        status, _ = fetch(port, path, headers)
        results.append((time.perf_counter() - started, status))
    return results


def run(port: int, requests: list[Request], expected: int, concurrency: int) -> dict:
    """Makes the requests from `concurrency` client processes; each request's latency is its own fetch."""
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


def describe_stack(args) -> str:
    return (
        f"gunicorn {args.workers} sync workers; {args.concurrency} client processes; "
        f"cache {args.cache_url or 'database (embedded default)'}; "
        f"database {'SQLite' if not args.database_url else args.database_url.split(':')[0]}; "
        f"{os.cpu_count()} CPUs shared by server and client"
    )


def print_table(rows: list[tuple[str, dict]], *, errors_header: str = "errors") -> None:
    print(f"| scenario | requests | {errors_header} | req/s | p50 ms | p95 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, r in rows:
        print(
            f"| {name} | {r['requests']} | {r['errors']} | {r['rps']:.0f} | {r['p50']:.1f} | "
            f"{r['p95']:.1f} | {r['p99']:.1f} |"
        )
