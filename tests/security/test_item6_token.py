"""Item 6: the API token is never on a command line, and never printed whole."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from bot import PROJECT_ROOT
from bot.runner import banner, rasa_server_cmd
from bot.settings import Settings
from tests.servers import TOKEN

pytestmark = pytest.mark.servers


def cmdline(pid):
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def test_the_running_server_has_no_token_on_its_command_line(rasa, action):
    for proc in (rasa.proc, action.proc):
        line = cmdline(proc.pid)
        assert "bot.serve" in line
        assert TOKEN not in line and "--auth-token" not in line
    assert "RASA_TOKEN" not in Path(f"/proc/{action.proc.pid}/environ").read_bytes().decode(
        errors="replace"
    )


def test_the_api_needs_the_token_from_the_environment(rasa):
    assert requests.get(f"{rasa.url}/status", timeout=10).status_code in (401, 403)
    assert requests.get(
        f"{rasa.url}/status", params={"token": "wrong"}, timeout=10
    ).status_code in (401, 403)
    assert requests.get(f"{rasa.url}/status", params={"token": TOKEN}, timeout=10).ok


def test_the_command_never_has_a_token():
    cmd = rasa_server_cmd(PROJECT_ROOT, 5005, PROJECT_ROOT / "endpoints.yml", "")
    assert "--auth-token" not in cmd


def test_the_server_refuses_a_token_on_the_command_line_or_none_at_all():
    env = {k: v for k, v in os.environ.items() if k != "RASA_TOKEN"}
    none = subprocess.run(
        [sys.executable, "-m", "bot.serve", "rasa"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_ROOT,
    )
    assert none.returncode != 0 and "RASA_TOKEN" in none.stderr
    given = subprocess.run(
        [sys.executable, "-m", "bot.serve", "rasa", "--auth-token", "x"],
        env={**env, "RASA_TOKEN": "y" * 20},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_ROOT,
    )
    assert given.returncode != 0 and "RASA_TOKEN" in given.stderr


def test_a_generated_token_is_not_printed_whole(monkeypatch):
    monkeypatch.delenv("RASA_TOKEN", raising=False)
    token = "s3cr3t-generated-token-value"
    text = banner(Settings.from_env(), token, ["rest"])
    assert token not in text and token[:4] in text
