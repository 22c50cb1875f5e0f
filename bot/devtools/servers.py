"""Start the real action server and Rasa server on free ports (for tests and benchmarks)."""

from __future__ import annotations

import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional
from urllib.parse import quote

import requests

from bot import PROJECT_ROOT
from bot import endpoints as endpoints_file
from bot.channels.credentials import write_credentials
from bot.channels.ids import conversation_id, split
from bot.runner import action_server_cmd, rasa_server_cmd, server_env
from bot.settings import Settings

TOKEN = "test-token"
RASA_START_SECONDS = 1500  # on a shared, loaded machine loading the model takes minutes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(proc: Optional[subprocess.Popen], timeout: float = 20) -> None:
    """Terminate a server process, killing it if it does not stop in time."""
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_until(url: str, timeout: float, proc: subprocess.Popen, ok=lambda r: r.ok) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before {url} answered")
        try:
            if ok(requests.get(url, timeout=2)):
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@dataclass
class ActionServer:
    port: int
    env: Dict[str, str]
    log: Path
    proc: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ActionServer:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                action_server_cmd(self.port),
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_until(f"{self.url}/health", 60, self.proc)
        return self

    def stop(self) -> None:
        stop_process(self.proc, timeout=15)

    def restart(self) -> None:
        self.stop()
        self.start()


@dataclass
class RasaServer:
    port: int
    endpoints: Path
    env: Dict[str, str]
    log: Path
    extra_args: List[str] = field(default_factory=list)
    model: Optional[Path] = None
    start_timeout: float = RASA_START_SECONDS
    proc: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> RasaServer:
        credentials = self.log.parent / f"credentials-{self.port}.yml"
        write_credentials(credentials, self.env)
        cmd = (
            rasa_server_cmd(
                PROJECT_ROOT,
                self.port,
                self.endpoints,
                Settings.from_env().cors_origins,
                model=self.model,
                credentials=credentials,
            )
            + self.extra_args
        )
        env = {**self.env, "RASA_TOKEN": TOKEN}  # never on the command line (bot/serve.py)
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                cmd, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        try:
            wait_until(
                f"{self.url}/status?token={TOKEN}",
                self.start_timeout,
                self.proc,
                ok=lambda r: r.ok and bool(r.json().get("model_file")),
            )
        except Exception:
            self.stop()  # never leave a half-started server behind
            raise
        return self

    def stop(self) -> None:
        stop_process(self.proc, timeout=20)

    def restart(self) -> None:
        self.stop()
        self.start()

    def tracker(self, sender: str) -> dict:
        """The conversation as Rasa's HTTP API returns it (all events).

        `sender`: a conversation id ("twilio:+316...") or a REST sender, whose conversation
        is "rest:<sender>" (docs/channels.md).
        """
        try:
            split(sender)
            conversation = sender
        except ValueError:
            conversation = conversation_id("rest", sender)
        resp = requests.get(
            f"{self.url}/conversations/{quote(conversation, safe=':+')}/tracker",
            params={"token": TOKEN, "include_events": "ALL"},
            timeout=30,
        )
        resp.raise_for_status()
        return resp.json()

    def say(self, sender: str, text: str, timeout: float = 30) -> List[dict]:
        """Send one message over the REST channel and return the bot's messages."""
        token = self.env.get("REST_TOKEN")
        resp = requests.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            headers={"Authorization": f"Bearer {token}"} if token else {},
            timeout=timeout,
        )
        resp.raise_for_status()
        return resp.json()


def start_rasa(
    workdir: Path,
    env: Dict[str, str],
    action_url: str,
    port: Optional[int] = None,
    name: str = "rasa-server",
    model: Optional[Path] = None,
) -> RasaServer:
    """A Rasa server whose endpoints file is generated from `env` (as `make run` does)."""
    port = port or free_port()
    env = {**env, "ACTION_SERVER_URL": f"{action_url}/webhook"}
    endpoints = endpoints_file.write(workdir / f"endpoints-{port}.yml", Settings.from_env(env))
    return RasaServer(port, endpoints, env, workdir / f"{name}.log", model=model).start()


def pair_env(workdir: Path, env_extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The servers' environment: conversations in SQLite under `workdir`/var unless overridden."""
    return server_env({"DATA_DIR": str(workdir / "var"), **(env_extra or {})})


def start_pair(
    workdir: Path,
    env_extra: Optional[Dict[str, str]] = None,
    rasa_port: Optional[int] = None,
    model: Optional[Path] = None,
):
    """An action server and a Rasa server that talks to it, each on a free port.

    `rasa_port`: a port chosen beforehand (when the environment must name it, e.g.
    a channel's webhook URL). `model`: a model archive other than models/current.tar.gz."""
    env = pair_env(workdir, env_extra)
    action = ActionServer(free_port(), env, workdir / "action-server.log").start()
    try:
        rasa = start_rasa(workdir, env, action.url, port=rasa_port, model=model)
    except Exception:
        action.stop()
        raise
    return action, rasa


@contextmanager
def running_pair(workdir: Path, env_extra: Optional[Dict[str, str]] = None, **kwargs):
    """start_pair() as a context: both servers stop when it ends (for session fixtures)."""
    from bot import training

    training.train(PROJECT_ROOT)
    action, rasa = start_pair(workdir, env_extra, **kwargs)
    try:
        yield action, rasa
    finally:
        rasa.stop()
        action.stop()
