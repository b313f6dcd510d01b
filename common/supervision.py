"""Keeping Reelfolio's long-running processes up: a Celery worker or beat that exits is started again, and a
worker whose liveness file went stale is killed and started again.

A Celery worker can exit by itself when its broker goes away (an error its transport raises while it cleans
up the lost connection ends it as "unrecoverable"), and one that is stuck shows no error at all. Production
runs each worker under a supervisor that restarts it (systemd's `Restart=always`, a container's restart
policy, with the liveness check below); `./dev up` and the chaos suite run them under this one.

The worker touches its liveness file (`WORKER_LIVENESS_FILE`, portfolio/celery.py) every few seconds while it
is connected to its broker and consuming. A file older than `stale_seconds` means a worker that is gone,
stuck, or still without its broker: it is killed (its whole process group) and started again. Restarting
loses nothing: every task Reelfolio enqueues stands for a row that the beat's sweeps enqueue again.

Only the standard library: `./dev` runs this before any dependency is installed.
"""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# Waits between restarts of a process that keeps exiting: 1 s, doubling up to this.
MAX_BACKOFF_SECONDS = 30.0
# A process that ran this long counts as having started well: its next restart waits 1 s again.
STEADY_SECONDS = 60.0


@dataclass
class Supervised:
    name: str
    command: list[str]
    env: dict[str, str]
    cwd: Path
    restart: bool = True
    liveness_file: Path | None = None
    stale_seconds: float = 60.0
    log_path: Path | None = None
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    next_start: float = 0.0
    backoff: float = 1.0
    restarts: int = 0
    reasons: list[str] = field(default_factory=list)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def _say(message: str) -> None:
    print(f"supervisor: {message}", file=sys.stderr, flush=True)


class Supervisor:
    """Starts processes (each in a session of its own) and, on `check()`, restarts those that exited or whose
    liveness file is stale. `watch()` checks once a second in a thread until `stop_all()`."""

    def __init__(self, *, say: Callable[[str], None] = _say):
        self.say = say
        self.processes: dict[str, Supervised] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, name: str, command: list[str], *, env: dict[str, str], cwd: Path, restart: bool = True,
              liveness_file: Path | None = None, stale_seconds: float = 60.0,
              log_path: Path | None = None) -> Supervised:
        entry = Supervised(name=name, command=[str(part) for part in command], env=env, cwd=cwd, restart=restart,
                           liveness_file=liveness_file, stale_seconds=stale_seconds, log_path=log_path)
        if liveness_file is not None:
            entry.env = {**env, "WORKER_LIVENESS_FILE": str(liveness_file)}
        with self._lock:
            self.processes[name] = entry
            self._spawn(entry)
        return entry

    def _spawn(self, entry: Supervised) -> None:
        if entry.liveness_file is not None:
            entry.liveness_file.unlink(missing_ok=True)  # its age counts from this start
        output = open(entry.log_path, "ab") if entry.log_path else None  # noqa: SIM115 - the child keeps it
        try:
            entry.process = subprocess.Popen(  # noqa: S603 - our own commands
                entry.command, cwd=entry.cwd, env=entry.env, stdout=output,
                stderr=subprocess.STDOUT if output else None, start_new_session=True,
            )
        finally:
            if output:
                output.close()
        entry.started_at = time.monotonic()

    def _stale(self, entry: Supervised, now: float) -> bool:
        if entry.liveness_file is None or now - entry.started_at < entry.stale_seconds:
            return False
        try:
            age = time.time() - entry.liveness_file.stat().st_mtime
        except FileNotFoundError:
            return True  # never connected in all that time
        return age > entry.stale_seconds

    def check(self) -> list[str]:
        """Restarts what must be; returns the names of processes that ended and are not to be restarted."""
        ended = []
        now = time.monotonic()
        with self._lock:
            for entry in self.processes.values():
                if self._stopping.is_set():
                    break
                if entry.process is not None and entry.process.poll() is None and self._stale(entry, now):
                    reason = f"no sign of life for {entry.stale_seconds:g} s (its liveness file is stale)"
                    self.say(f"{entry.name}: {reason}; killing it")
                    self._kill(entry.process)
                    entry.reasons.append(reason)
                if entry.process is None or entry.process.poll() is None:
                    continue
                if not entry.restart:
                    ended.append(entry.name)
                    continue
                if entry.next_start == 0.0:
                    code = entry.process.returncode
                    entry.reasons.append(f"exited with code {code}")
                    if now - entry.started_at > STEADY_SECONDS:
                        entry.backoff = 1.0
                    entry.next_start = now + entry.backoff
                    self.say(f"{entry.name} exited with code {code}; starting it again in {entry.backoff:g} s")
                    entry.backoff = min(entry.backoff * 2, MAX_BACKOFF_SECONDS)
                elif now >= entry.next_start:
                    entry.next_start = 0.0
                    self._spawn(entry)
                    entry.restarts += 1
        return ended

    def watch(self, interval: float = 1.0) -> None:
        """Checks every `interval` seconds in a daemon thread, until stop_all()."""

        def loop() -> None:
            while not self._stopping.wait(interval):
                self.check()

        self._thread = threading.Thread(target=loop, name="supervisor", daemon=True)
        self._thread.start()

    @staticmethod
    def _kill(process: subprocess.Popen) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self, name: str, timeout: float = 15.0) -> None:
        """Stops one process for good (SIGTERM, then SIGKILL to its group after `timeout`)."""
        with self._lock:
            entry = self.processes.pop(name, None)
        if entry is not None and entry.process is not None:
            self._terminate([entry.process], timeout)

    def stop_all(self, timeout: float = 15.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            processes = [entry.process for entry in self.processes.values() if entry.process is not None]
            self.processes.clear()
        self._terminate(processes, timeout)

    def _terminate(self, processes: list[subprocess.Popen], timeout: float) -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()  # each one shuts down its own children (the worker's pool)
        deadline = time.monotonic() + timeout
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._kill(process)
