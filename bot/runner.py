"""Start the action server and the Rasa server together; Ctrl-C stops both."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

from bot import endpoints as endpoints_file
from bot import retention
from bot.channels.credentials import write_credentials
from bot.settings import Settings
from bot.training import model_path


def action_server_cmd(port: int) -> List[str]:
    """The action server (bot/serve.py: log redaction, ACTION_HOST)."""
    return [
        sys.executable,
        "-m",
        "bot.serve",
        "actions",
        "--actions",
        "actions",
        "--port",
        str(port),
    ]


def rasa_server_cmd(
    root: Path,
    port: int,
    endpoints: Path,
    cors: str,
    model: Optional[Path] = None,
    credentials: Optional[Path] = None,
) -> List[str]:
    """The Rasa server (bot/serve.py). The API token is not on the command line: put it in
    the environment as RASA_TOKEN (see `server_env`).

    `credentials`: the effective file from bot.channels.credentials (default: credentials.yml).
    """
    cmd = [
        sys.executable,
        "-m",
        "bot.serve",
        "rasa",
        "--model",
        str(model or model_path(root)),
        "--port",
        str(port),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(credentials or root / "credentials.yml"),
        "--enable-api",
    ]
    for origin in cors.split(","):
        if origin.strip():
            cmd += ["--cors", origin.strip()]
    return cmd


def server_env(
    extra: Optional[Dict[str, str]] = None, token: Optional[str] = None
) -> Dict[str, str]:
    """The servers' environment; `token` becomes RASA_TOKEN (the Rasa server reads it)."""
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.update(extra or {})
    if token:
        env["RASA_TOKEN"] = token
    return env


def masked(secret: str) -> str:
    """A secret shown in part, enough to tell two apart: "abcd…" (never the whole)."""
    return secret[:4] + "…" if len(secret) > 8 else "…"


def banner(settings: Settings, token: str, channels: List[str]) -> str:
    """What `make run` prints at start: the addresses, never the whole API token."""
    base = f"http://localhost:{settings.rasa_port}"
    token_note = (
        ""
        if settings.rasa_token
        else (f"; this run a random one, {masked(token)}: set RASA_TOKEN to choose it")
    )
    return (
        "\nThe assistant is starting (about 30 seconds).\n"
        f"  Chat (REST):   curl -s {base}/webhooks/rest/webhook "
        "-H 'Content-Type: application/json' "
        '-d \'{"sender": "ik", "message": "Wat betekent LOL?"}\'\n'
        f"  Web chat demo: {base}/webchat/\n"
        f"  Socket.IO:     {base}/socket.io\n"
        f"  HTTP API:      {base}/status?token=...  (token from RASA_TOKEN{token_note})\n"
        f"  Action server: http://{settings.action_host}:{settings.action_port}/health\n"
        f"  Channels:      {', '.join(channels)}\n"
        f"  Conversations: {retention.describe(settings)}\n"
        "Press Ctrl-C to stop both servers.\n"
    )


def run(root: Path) -> int:
    """Run both servers in the foreground until Ctrl-C or until one of them exits."""
    settings = Settings.from_env()
    token = settings.rasa_token or secrets.token_urlsafe(24)
    env = server_env(token=token)
    fd, name = tempfile.mkstemp(prefix="rasa-credentials-", suffix=".yml")
    os.close(fd)
    credentials = Path(name)
    fd, name = tempfile.mkstemp(prefix="rasa-endpoints-", suffix=".yml")
    os.close(fd)
    endpoints = endpoints_file.write(Path(name), settings)
    try:
        channels = write_credentials(credentials, env)
    except ValueError as error:  # a messaging channel configured only in part
        credentials.unlink()
        endpoints.unlink()
        print(f"Cannot start: {error}", file=sys.stderr)
        return 2
    procs = [
        subprocess.Popen(
            action_server_cmd(settings.action_port),
            cwd=root,
            env={k: v for k, v in env.items() if k != "RASA_TOKEN"},
        ),
        subprocess.Popen(
            rasa_server_cmd(
                root, settings.rasa_port, endpoints, settings.cors_origins, credentials=credentials
            ),
            cwd=root,
            env=env,
        ),
    ]
    print(banner(settings, token, channels), flush=True)

    def stop(*_: object) -> None:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    retention.schedule(settings)
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    finally:
        stop()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        credentials.unlink(missing_ok=True)
        endpoints.unlink(missing_ok=True)
    return max((p.returncode or 0) for p in procs)


def serve(root: Path, part: str) -> int:
    """One server in the foreground (a container): `rasa` (endpoints from the environment) or
    `actions`. Retention runs as its own process: `python -m bot purge --loop`."""
    settings = Settings.from_env()
    if part == "actions":
        env = {k: v for k, v in server_env().items() if k != "RASA_TOKEN"}
        return _foreground(action_server_cmd(settings.action_port), root, env)
    # The token goes to the server in its environment, never on its command line.
    env = server_env(token=settings.rasa_token or secrets.token_urlsafe(24))
    with tempfile.TemporaryDirectory(prefix="rasa-config-") as tmp:
        endpoints = endpoints_file.write(Path(tmp) / "endpoints.yml", settings)
        credentials = Path(tmp) / "credentials.yml"
        write_credentials(credentials, env)
        return _foreground(
            rasa_server_cmd(
                root, settings.rasa_port, endpoints, settings.cors_origins, credentials=credentials
            ),
            root,
            env,
        )


def _foreground(cmd: List[str], root: Path, env: Dict[str, str]) -> int:
    """Run `cmd` until it exits; SIGTERM/SIGINT (container stop) are passed on to it."""
    proc = subprocess.Popen(cmd, cwd=root, env=env)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: proc.terminate())
    return proc.wait()
