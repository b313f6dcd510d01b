#!/usr/bin/env python3
"""The benchmark's stand-in for the outside world, on 127.0.0.1: a freelance provider's profile API and an
employer's ATS webhook endpoint, in one small threaded HTTP server (standard library only).

    GET  /me         the profile of the bearer token's account (token `tok-<subject>`), as the benchmark's
                     OAuth 2.0 provider `bench-folio` describes it (apply fetches it fresh)
    POST /hook       an ATS endpoint: answers 204 (after DELAY seconds) and counts each `webhook-id` it receives
    GET  /stats      {"received": n, "distinct": n, "unsigned": n} of /hook
    GET  /oauth/...  not used by the benchmark (the provider's configuration needs the addresses)

    python bench/receiver.py PORT [DELAY]     (DELAY: seconds /hook takes to answer; default 0)
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_lock = threading.Lock()
_received: dict[str, int] = {}
_unsigned = 0
_delay = 0.0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - quiet: thousands of requests
        pass

    def _answer(self, status: int, body: dict | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802
        if self.path == "/me":
            token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            if not token.startswith("tok-"):
                return self._answer(401, {"error": "invalid_token"})
            subject = token.removeprefix("tok-")
            return self._answer(
                200,
                {
                    "id": subject,
                    "name": "Bench Creator",
                    "title": "Motion designer",
                    "skills": ["After Effects", "Cinema 4D"],
                    "links": {"html": f"https://folio.example/{subject}"},
                },
            )
        if self.path == "/stats":
            with _lock:
                stats = {"received": sum(_received.values()), "distinct": len(_received), "unsigned": _unsigned}
            return self._answer(200, stats)
        return self._answer(404, {"error": "not found"})

    def do_POST(self):  # noqa: N802
        global _unsigned
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.path != "/hook":
            return self._answer(404, {"error": "not found"})
        msg_id = self.headers.get("webhook-id", "")
        if _delay:
            time.sleep(_delay)  # an endpoint that takes its time: the worker holds the task meanwhile
        with _lock:
            _received[msg_id] = _received.get(msg_id, 0) + 1
            if not self.headers.get("webhook-signature", "").startswith("v1,"):
                _unsigned += 1
        return self._answer(204)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


if __name__ == "__main__":
    _delay = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
