"""A Redis server of the test's own, on a free port, that the test stops, restarts and stalls (SIGSTOP).

Outage tests never touch a shared Redis. The server keeps an append-only file (fsync on every write)
in the test's temporary folder, as the README asks of the click counters' Redis, so what it held before
a stop is there again after the restart.
"""

import os
import shutil
import signal
import socket
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches

from common.cache import outage_forget
from common.rate_limits import local_counts_forget
from tests.conftest import wait_until


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    def __init__(self, folder: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("needs redis-server on the PATH (apt-get install redis-server)")
        self.binary, self.folder, self.port = binary, folder, _free_port()
        self.process: subprocess.Popen | None = None
        self.stalled = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def caches(self) -> dict:
        """CACHES for both aliases on this server, with the timeouts settings.py gives a Redis cache."""
        options = {
            "socket_connect_timeout": settings.CACHE_CONNECT_TIMEOUT, "socket_timeout": settings.CACHE_READ_TIMEOUT
        }
        backend = "django.core.cache.backends.redis.RedisCache"
        config = {"BACKEND": backend, "LOCATION": self.url}
        return {alias: {**config, "OPTIONS": dict(options)} for alias in ("default", "clicks")}

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
                "--appendfsync", "always", "--dir", str(self.folder), "--daemonize", "no",
            ],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=10, message=f"redis-server on port {self.port}")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """The server goes down: connections are refused until start()."""
        if self.process is not None:
            if self.stalled:
                self.resume()
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        cache_outage_forget()

    def stall(self) -> None:
        """The server keeps accepting connections (the kernel does) but answers nothing."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)
        self.stalled = True

    def resume(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)
        self.stalled = False


def cache_outage_forget() -> None:
    """Every cache is tried again at the next call, and the counts of the last outage are forgotten."""
    outage_forget()
    local_counts_forget()


def private_redis_running(tmp_path, settings):
    """A Redis of the test's own, started, with both cache aliases on it (a fixture's body: it yields)."""
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = server.caches()
    cache_outage_forget()
    yield server
    caches.close_all()
    server.stop()
    cache_outage_forget()
