"""Outgoing HTTP (common/http.py): every call waits at most HTTP_CONNECT_TIMEOUT / HTTP_READ_TIMEOUT, a GET
that meets a 502/503/504 or a refused connection is tried again, a POST never is. Against a local server."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from common import http


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, answers: list[int], *, stall: float = 0.0):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answers, self.stall, self.seen = answers, stall, []

    def handle_error(self, request, client_address):
        pass  # a client that gave up waiting (the timeouts under test) closed the connection


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _answer(self):
        self.server.seen.append(self.command)
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        time.sleep(self.server.stall)
        status = self.server.answers.pop(0) if self.server.answers else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    made: list[_Server] = []

    def start(answers=(), *, stall: float = 0.0) -> tuple[_Server, str]:
        running = _Server(list(answers), stall=stall)
        threading.Thread(target=running.serve_forever, daemon=True).start()
        made.append(running)
        return running, f"http://127.0.0.1:{running.server_address[1]}/hook"

    yield start
    for running in made:
        running.shutdown()
        running.server_close()


def test_a_get_that_meets_a_busy_server_is_tried_again_and_a_post_is_not(server):
    busy, url = server([503, 502])
    response = http.request("GET", url)
    assert (response.status_code, busy.seen) == (200, ["GET", "GET", "GET"])

    busy, url = server([503, 503, 503, 503])
    assert http.request("GET", url).status_code == 503  # given up after two more tries
    assert busy.seen == ["GET"] * (1 + http.RETRIES)

    busy, url = server([503])
    assert http.request("POST", url, json={"a": 1}).status_code == 503
    assert busy.seen == ["POST"]  # a POST may have been applied: never sent twice


def test_every_call_waits_at_most_the_settings_timeouts_even_when_it_asks_for_more(server, settings):
    settings.HTTP_TIMEOUT = (1.0, 0.3)
    _, url = server(stall=2.0)
    for asked in (None, 30, (30, 30)):
        started = time.monotonic()
        with pytest.raises(http.Timeout):
            http.request("POST", url, data=b"{}", timeout=asked)
        assert time.monotonic() - started < 1.5, asked


def test_a_shorter_timeout_a_call_asks_for_is_kept(server, settings):
    settings.HTTP_TIMEOUT = (5.0, 5.0)
    _, url = server(stall=1.0)
    started = time.monotonic()
    with pytest.raises(http.Timeout):
        http.request("GET", url, timeout=(1.0, 0.2))
    assert time.monotonic() - started < 0.9  # one try: a read timeout is not tried again


def test_an_adapter_that_does_not_build_on_the_door_is_refused():
    from requests.adapters import HTTPAdapter

    with pytest.raises(TypeError, match="must build on common.http.TimeoutAdapter"):
        http.session(adapter=HTTPAdapter())
