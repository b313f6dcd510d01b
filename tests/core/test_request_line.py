"""The request-line limit the README gives gunicorn: a lookup's URL up to 8190 bytes reaches the API and gets
its JSON answer; a longer one is refused by gunicorn itself with a plain 414 (documented), before Reelfolio
sees it. Partners with long lists of ids use POST /api/v1/anchors/lookup instead."""

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import wait_until

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _raw_get(port: int, target: str) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    return status, answer.split(b"\r\n\r\n", 1)[-1]


def _readme_limit() -> int:
    match = re.search(r"--limit-request-line (\d+)", README.read_text())
    assert match, "the README's gunicorn command names --limit-request-line"
    return int(match.group(1))


@pytest.fixture
def gunicorn(tmp_path):
    port = _free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    log = tmp_path / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "portfolio.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
               "--limit-request-line", str(_readme_limit())]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        def answers() -> bool:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited at start:\n{log.read_text()[-2000:]}")
            try:
                return _raw_get(port, "/healthz")[0] == 200
            except OSError:
                return False

        wait_until(answers, timeout=60, message="gunicorn to answer /healthz")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_a_request_line_within_the_readme_limit_reaches_the_api_and_a_longer_one_is_refused(gunicorn):
    limit = _readme_limit()
    assert limit == 8190  # gunicorn's own ceiling: a larger value would not be honoured
    base = "/api/v1/anchors/?platform=sandbox-video"
    overhead = len("GET  HTTP/1.1")

    def target(length: int) -> str:
        ids = ""
        while len(base) + len(ids) + overhead < length:
            ids += "&video_id=v-1234567"
        return base + ids

    status, body = _raw_get(gunicorn, target(limit - 200))
    assert status == 401 and b'"error"' in body  # Django's answer: the one JSON error shape (no key sent)
    status, body = _raw_get(gunicorn, target(limit + 200))
    assert status == 414 and b'"error"' not in body  # gunicorn's plain refusal, as the README and schema say
