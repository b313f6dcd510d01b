"""The supervisor `./dev up` and the chaos suite run the worker and beat under: real processes, started
again when they exit, killed and started again when their liveness file goes stale, stopped for good on
request."""

import sys
import time

import pytest

from common.supervision import Supervisor
from tests.conftest import ROOT, wait_until

# A stand-in for the worker: touches its liveness file while it is "consuming", then stops doing so.
TOUCHES_THEN_HANGS = (
    "import os, pathlib, sys, time\n"
    "path = pathlib.Path(os.environ['WORKER_LIVENESS_FILE'])\n"
    "for _ in range(int(sys.argv[1])):\n"
    "    path.touch(); time.sleep(0.2)\n"
    "time.sleep(600)\n"
)


@pytest.fixture
def supervisor():
    messages: list[str] = []
    running = Supervisor(say=messages.append)
    running.messages = messages  # type: ignore[attr-defined]
    yield running
    running.stop_all(timeout=5)


def test_a_process_that_exits_is_started_again(supervisor, tmp_path):
    """A worker that ended itself (as one can when its broker goes away) is back within seconds."""
    runs = tmp_path / "runs"
    code = f"open({str(runs)!r}, 'a').write('run\\n')"
    entry = supervisor.start("worker", [sys.executable, "-c", code], env={}, cwd=ROOT)
    supervisor.watch(interval=0.1)

    wait_until(lambda: runs.exists() and runs.read_text().count("run") >= 3, timeout=15,
               message="the process to be started twice more")
    assert entry.restarts >= 2
    assert entry.reasons[:2] == ["exited with code 0", "exited with code 0"]
    assert "worker exited with code 0; starting it again in 1 s" in supervisor.messages


def test_a_process_whose_liveness_file_goes_stale_is_killed_and_started_again(supervisor, tmp_path):
    """A worker still running but no longer consuming (its liveness file unchanged) is replaced."""
    alive = tmp_path / "alive"
    entry = supervisor.start("worker", [sys.executable, "-c", TOUCHES_THEN_HANGS, "3"], env={}, cwd=ROOT,
                             liveness_file=alive, stale_seconds=1.5)
    first = entry.process
    supervisor.watch(interval=0.1)

    wait_until(lambda: entry.restarts >= 1, timeout=15, message="the stale process to be replaced")
    assert first is not None and first.returncode == -9
    assert entry.reasons[0] == "no sign of life for 1.5 s (its liveness file is stale)"
    assert entry.running()


def test_a_process_not_to_be_restarted_is_reported_as_ended(supervisor):
    """The web server of `./dev up`: when it ends, the supervisor says so and everything stops."""
    supervisor.start("web", [sys.executable, "-c", "pass"], env={}, cwd=ROOT, restart=False)
    deadline = time.monotonic() + 10
    ended: list[str] = []
    while not ended and time.monotonic() < deadline:
        ended = supervisor.check()
        time.sleep(0.05)
    assert ended == ["web"]


def test_stopping_ends_every_process(supervisor, tmp_path):
    entry = supervisor.start("beat", [sys.executable, "-c", "import time; time.sleep(600)"], env={}, cwd=ROOT)
    supervisor.stop_all(timeout=5)
    assert entry.process is not None and entry.process.poll() is not None
