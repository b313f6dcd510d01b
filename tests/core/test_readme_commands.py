"""Every command the README shows works as written, run the way a newcomer would after `./dev up`.

The commands come from the README itself: its ```sh blocks and the inline commands of its text. The safe
ones run for real, in processes of their own, against a fresh variable folder and a `./dev up` of their
own; the others are skipped with the reason printed. A command this test does not know fails it, so a
new command in the README comes with a way to check it.
"""

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import wait_until

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PRODUCTION = "Running in production"
# Inline `code` that is a command to type, not a name or a path.
INLINE_COMMAND = re.compile(r"^(\./dev [a-z]|curl |python3? |\.venv/bin/|manage\.py )")


@dataclass(frozen=True)
class Command:
    text: str
    section: str
    fenced: bool


def readme_commands() -> list[Command]:
    """The README's commands in order: each line of a ```sh block (comments dropped), then inline ones."""
    commands: list[Command] = []
    section = ""
    fence: list[str] | None = None
    for line in README.read_text().splitlines():
        if fence is not None:
            if line.startswith("```"):
                commands += [Command(text, section, True) for text in fence]
                fence = None
            elif (text := line.split(" #")[0].strip()) and not text.startswith("#"):
                fence.append(text)
            continue
        if line.startswith("## "):
            section = line[3:].strip()
        elif line.startswith("```sh"):
            fence = []
    # Inline spans may wrap onto the next line; the fenced blocks hold no single backticks.
    text = re.sub(r"```.*?```", "", README.read_text(), flags=re.S)
    for match in re.finditer(r"`([^`]+)`", text):
        span = " ".join(match.group(1).split())
        if INLINE_COMMAND.match(span):
            heading = [h for h in re.findall(r"^## (.+)$", text[: match.start()], flags=re.M)]
            commands.append(Command(span, heading[-1] if heading else "", False))
    return commands


def test_the_readme_runs_management_commands_through_dev_manage():
    """`python manage.py ...` failed as written ("No module named django", "SECRET_KEY is not set"):
    outside production, the README runs management commands with `./dev manage`."""
    bare = [
        c.text for c in readme_commands()
        if c.section != PRODUCTION and re.match(r"^(python3? |\.venv/bin/python |manage\.py )", c.text)
    ]
    assert bare == []
    assert any(c.text == "./dev manage createsuperuser" for c in readme_commands())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (a local address)
            return response.status == 200
    except OSError:
        return False


def _run(command: list[str], env: dict[str, str], timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


SKIPPED = {
    "./dev test": "the test suite itself: this run is it",
    "./dev lint": "ruff and mypy: CI runs them as a step of their own (.ci/run)",
    "./dev lock": "needs network access to the package index",
    "apt-get ": "installs a system package",
    "./dev bench cdn": "the CDN measurement: minutes of load through nginx, PostgreSQL and Redis, not a test",
    "./dev bench": "the benchmark: minutes of load against PostgreSQL and Redis, not a test",
    "./dev chaos": "the chaos suite: minutes of faults under load; CI runs it as a step of its own (.ci/run)",
}
# Placeholders in the README's commands and what this run puts in their place.
PLACEHOLDERS = {
    "<command>": "check",
    "<type>": "profile.updated",
    "<partner>": '"Acme Video"',  # by its name, as create_partner was given it
}


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="the README's commands run on the embedded defaults; the run without DATABASE_URL checks them",
)
def test_every_command_in_the_readme_works_as_written(tmp_path, capsys):
    port = _free_port()
    site = f"http://127.0.0.1:{port}"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "LANG": "C.UTF-8",
        "REELFOLIO_VAR_DIR": str(tmp_path / "var"),
        "PORT": str(port),
    }
    if "REELFOLIO_VENV" in os.environ:
        env["REELFOLIO_VENV"] = os.environ["REELFOLIO_VENV"]
    commands = readme_commands()
    unknown = [
        c.text for c in commands
        if c.section != PRODUCTION and not c.text.startswith(("./dev up", "./dev manage ", "curl ", *SKIPPED))
    ]
    assert unknown == [], "the README shows commands this test does not know how to run"

    log = tmp_path / "dev-up.log"
    started = time.monotonic()
    server = subprocess.Popen(
        [sys.executable, "dev", "up"], cwd=ROOT, env=env, start_new_session=True,
        stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    report: list[str] = []
    try:
        wait_until(lambda: _answers(f"{site}/healthz") or server.poll() is not None, timeout=100, message="./dev up")
        assert server.poll() is None, f"./dev up stopped before it served /healthz:\n{log.read_text()[-3000:]}"
        report.append(f"ran: ./dev up (answered {site}/healthz after {time.monotonic() - started:.0f}s)")
        api_key = ""
        done: set[str] = set()
        for command in commands:
            text = command.text
            for placeholder, value in PLACEHOLDERS.items():
                text = text.replace(placeholder, value)
            if text in done:
                continue  # shown more than once, run once
            done.add(text)
            if command.section == PRODUCTION:
                if PRODUCTION not in done:
                    done.add(PRODUCTION)
                    report.append(
                        f"skipped: the {PRODUCTION!r} block (it sets its own environment: PostgreSQL, Redis, "
                        "SMTP; tests/core/test_settings.py starts Reelfolio under it)"
                    )
                continue
            if skip := next((why for prefix, why in SKIPPED.items() if text.startswith(prefix)), None):
                report.append(f"skipped: {text} ({skip})")
                continue
            if text.startswith("./dev up"):
                continue  # running since the start
            if text.startswith("curl "):
                assert api_key, "the README shows the anchors curl before create_partner"
                text = text.replace("rfk_...", api_key).replace("http://127.0.0.1:8000", site)
                result = _run(["sh", "-c", text], env)
                assert result.returncode == 0, result.stderr
                assert "error" not in json.loads(result.stdout) and "videos" in json.loads(result.stdout), result.stdout
                report.append(f"ran: {command.text}")
                continue
            args = shlex.split(text)[2:]
            # A second shell, without the PORT that `./dev up` was started with: `./dev manage` finds the
            # running server's address itself (it called :8000 before, and sandbox_send_event failed).
            manage_env = {name: value for name, value in env.items() if name != "PORT"}
            if args == ["createsuperuser"]:  # it asks on a terminal; the same questions, answered ahead
                args.append("--no-input")
                manage_env = {
                    **manage_env, "DJANGO_SUPERUSER_EMAIL": "ops@example.com", "DJANGO_SUPERUSER_NAME": "Ops",
                    "DJANGO_SUPERUSER_PASSWORD": "orchid-lantern-42",
                }
            result = _run([sys.executable, "dev", "manage", *args], manage_env)
            assert result.returncode == 0, f"{text}\n{result.stdout}\n{result.stderr}"
            if args[0] == "create_partner":
                # The webhook URL is the running service's, not a port written in the code.
                assert f"Webhook URL: {site}/integrations/webhooks/acme-video/" in result.stdout
                api_key = re.search(r"(rfk_\S+)", result.stdout).group(1)  # type: ignore[union-attr]
            if args[0] == "create_org_api_key":
                assert f"{site}/api/v1/jobs/" in result.stdout
            if args[0] == "sandbox_send_event":
                assert "Reelfolio answered 2" in result.stdout  # it reached the running server
            report.append(f"ran: {command.text} ({time.monotonic() - started:.0f}s)")
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # ./dev up stops its web server, worker and beat on SIGTERM
        try:
            code = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
            code = -1
        with capsys.disabled():
            print("\nREADME commands:\n  " + "\n  ".join(report))
    assert code == 0, log.read_text()[-3000:]
    assert any(line.startswith("ran: ./dev manage create_partner") for line in report)

