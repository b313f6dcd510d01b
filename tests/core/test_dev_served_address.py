"""`./dev manage` speaks to the `./dev up` that is running: its HOST and PORT, unless the environment names
others. Before, `PORT=8610 ./dev up` and then `./dev manage sandbox_send_event` in another shell called :8000."""

import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.fixture
def dev(monkeypatch, tmp_path):
    loader = importlib.machinery.SourceFileLoader("reelfolio_dev", str(ROOT / "dev"))
    spec = importlib.util.spec_from_loader("reelfolio_dev", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    for name in ("HOST", "PORT", "SITE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REELFOLIO_VAR_DIR", str(tmp_path))
    return module


def _record(tmp_path, *, pid: int, port: str = "8610") -> None:
    (tmp_path / "dev-up.json").write_text(json.dumps({"host": "127.0.0.1", "port": port, "pid": pid}))


def test_a_running_dev_up_gives_its_port(dev, tmp_path):
    _record(tmp_path, pid=os.getpid())
    env, host, port = dev.served_env()
    assert (host, port, env["SITE_URL"]) == ("127.0.0.1", "8610", "http://127.0.0.1:8610")


def test_a_dev_up_that_stopped_is_not_followed(dev, tmp_path):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    _record(tmp_path, pid=int(finished.stdout))
    assert dev.served_env()[0]["SITE_URL"] == "http://127.0.0.1:8000"


def test_the_environment_wins_over_the_running_server(dev, tmp_path, monkeypatch):
    _record(tmp_path, pid=os.getpid())
    monkeypatch.setenv("PORT", "9001")
    assert dev.served_env()[0]["SITE_URL"] == "http://127.0.0.1:9001"
    monkeypatch.delenv("PORT")
    monkeypatch.setenv("SITE_URL", "https://reelfolio.example")
    assert dev.served_env()[0]["SITE_URL"] == "https://reelfolio.example"
