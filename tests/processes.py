"""Servers and workers the tests start as processes of their own: one way to start one, wait until it is
ready (failing with what it printed if it ends first) and stop it, and the README's gunicorn command."""

import re
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


@contextmanager
def process_running(
    command: list[str], *, env: dict, log_path: Path, ready: Callable[[], bool], what: str, timeout: float = 60
) -> Iterator[subprocess.Popen]:
    """`command` started in the project's folder, its output in `log_path`; yielded once `ready()`, stopped
    (killed if it will not end) afterwards."""
    from tests.conftest import wait_until  # the conftest starts its worker with this module

    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: process.poll() is not None or ready(), timeout=timeout, message=what)
        if process.poll() is not None:
            pytest.fail(f"{what}: it exited at start:\n{log_path.read_text()[-3000:]}")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def celery_worker_running(*options: str, env: dict, log_path: Path) -> Iterator[subprocess.Popen]:
    """`celery -A portfolio worker` with `options`, once it says it is ready."""
    command = [sys.executable, "-m", "celery", "-A", "portfolio", "worker", "--loglevel", "INFO", *options]
    with process_running(
        command, env=env, log_path=log_path, ready=lambda: b"ready." in log_path.read_bytes(),
        what="the Celery worker to start",
    ) as process:
        yield process


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def raw_get(port: int, target: str) -> tuple[int, bytes]:
    """GET `target` as written, over a socket of its own: (status, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    return status, answer.split(b"\r\n\r\n", 1)[-1]


def readme_request_line_limit() -> int:
    match = re.search(r"--limit-request-line (\d+)", README.read_text())
    assert match, "the README's gunicorn command names --limit-request-line"
    return int(match.group(1))


@contextmanager
def gunicorn_running(*, workers: int, env: dict, log_path: Path) -> Iterator[int]:
    """The README's gunicorn command with `workers` workers on a free port; yields the port once /healthz
    answers."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "portfolio.wsgi", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--limit-request-line", str(readme_request_line_limit())]

    def answers() -> bool:
        try:
            return raw_get(port, "/healthz")[0] == 200
        except OSError:
            return False

    with process_running(command, env=env, log_path=log_path, ready=answers, what="gunicorn to answer /healthz"):
        yield port
