"""A RabbitMQ node of the test's own, on free ports, that the test kills (SIGKILL) and starts again.

The node has its own name, ports, database and logs in a temporary folder of its own, and no plugin (so no
management listener): the shared RabbitMQ is never touched. Its Erlang port mapper (epmd) is the machine's,
as for every node. Run as root, the node runs as the `rabbitmq` user, which then owns the node's folders.
Its queues are durable and Celery's messages persistent, so what the node held before it was killed is
there again after the restart.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.conftest import IN_CI, wait_until

LIBEXEC = "/usr/lib/rabbitmq/bin/rabbitmq-server"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RabbitMQServer:
    def __init__(self, folder: Path):
        # Debian's /usr/sbin/rabbitmq-server switches to the `rabbitmq` user with `su`, whose child runs in a
        # session of its own (so a SIGKILL to the test's process group would miss the node): as root, the
        # script behind it is run directly as that user (setpriv execs it in place).
        binary = shutil.which("rabbitmq-server", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
        if os.geteuid() == 0 and Path(LIBEXEC).exists():
            binary = LIBEXEC
        if binary is None:
            reason = "needs rabbitmq-server (apt-get install rabbitmq-server)"
            if IN_CI:
                pytest.fail(f"The broker-loss tests must run in CI, but this machine {reason}.")
            pytest.skip(reason)
        self.binary = binary
        # A folder of its own under the system's temporary folder: pytest's folders are private to this user,
        # and the node may run as `rabbitmq`. `folder` (the test's) only names it.
        self.folder = Path(tempfile.mkdtemp(prefix=f"reelfolio-{folder.name}-rabbitmq-"))
        self.port, self.dist_port = _free_port(), _free_port()
        self.process: subprocess.Popen | None = None
        for name in ("mnesia", "log"):
            (self.folder / name).mkdir(parents=True, exist_ok=True)
        (self.folder / "enabled_plugins").write_text("[].\n")
        if os.geteuid() == 0:
            for path in [self.folder, *self.folder.rglob("*")]:
                shutil.chown(path, "rabbitmq", "rabbitmq")

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def start(self) -> None:
        env = dict(
            os.environ,
            RABBITMQ_NODENAME=f"reelfolio-test-{self.port}@localhost",
            RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
            RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(self.dist_port),
            RABBITMQ_MNESIA_BASE=str(self.folder / "mnesia"),
            RABBITMQ_LOG_BASE=str(self.folder / "log"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(self.folder / "enabled_plugins"),
            RABBITMQ_CONFIG_FILE=str(self.folder / "none"),
        )
        command = [self.binary]
        if os.geteuid() == 0:
            command = ["setpriv", "--reuid", "rabbitmq", "--regid", "rabbitmq", "--init-groups", *command]
            env["HOME"] = "/var/lib/rabbitmq"  # the rabbitmq user's Erlang cookie
        with open(self.folder / "server.out", "ab") as out:
            self.process = subprocess.Popen(
                command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_until(self._answers, timeout=90, interval=0.3, message=f"rabbitmq-server on port {self.port}")

    def _answers(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            pytest.fail(f"rabbitmq-server exited:\n{(self.folder / 'server.out').read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL to the node (the whole process group: the script, its `su` and the Erlang VM)."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)
            self.process = None

    def stop(self) -> None:
        self.kill()
        shutil.rmtree(self.folder, ignore_errors=True)
