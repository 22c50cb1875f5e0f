"""bot/channels/health.py: /healthz/live and /healthz/ready over real HTTP (no Rasa server).

The channel is registered on a bare Sanic app the way Rasa registers input channels
(`rasa.core.channels.channel.register`), with a stand-in agent; the database is a real SQLite
file, or a PostgreSQL address where nothing listens.
"""

from __future__ import annotations

import asyncio
import socket

import pytest
import requests
from rasa.core.channels.channel import register
from sanic import Sanic

from bot.channels.credentials import build_credentials
from bot.channels.health import HealthInput, Readiness
from bot.settings import Settings
from tests.security.inprocess import serving


class Agent:
    def __init__(self, ready: bool = True) -> None:
        self.ready = ready

    def is_ready(self) -> bool:
        return self.ready


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends


def _sqlite(tmp_path) -> Settings:
    return Settings.from_env({"TRACKER_STORE": "sqlite", "DATA_DIR": str(tmp_path)})


def _unreachable_postgres() -> Settings:
    return Settings.from_env(
        {
            "TRACKER_STORE": "postgresql",
            "POSTGRES_HOST": "127.0.0.1",
            "POSTGRES_PORT": str(_closed_port()),
            "POSTGRES_PASSWORD": "not-shown",
        }
    )


def _app(name: str, readiness: Readiness, agent) -> Sanic:
    Sanic.test_mode = True
    app = Sanic(name)
    register([HealthInput(readiness)], app, route="/webhooks/")
    if agent is not None:
        app.ctx.agent = agent
    return app


def test_ready_when_the_model_is_loaded_and_the_database_answers(tmp_path):
    readiness = Readiness(_sqlite(tmp_path))
    with serving(_app("health-ok", readiness, Agent())) as url:
        got = requests.get(url + "/healthz/ready", timeout=10)
        assert got.status_code == 200, got.text
        assert got.json() == {"status": "ready", "reason": "ready"}
        assert got.headers["Cache-Control"] == "no-store"
        live = requests.get(url + "/healthz/live", timeout=10)
        assert live.status_code == 200
    readiness.close()


@pytest.mark.parametrize("agent", [None, Agent(ready=False)], ids=["no agent", "not ready"])
def test_not_ready_without_a_loaded_model(tmp_path, agent):
    readiness = Readiness(_sqlite(tmp_path))
    with serving(_app(f"health-model-{agent is None}", readiness, agent)) as url:
        got = requests.get(url + "/healthz/ready", timeout=10)
        assert got.status_code == 503
        assert got.json() == {"status": "not ready", "reason": "model not loaded"}
        # Liveness does not depend on the model: a loading server is not restarted.
        assert requests.get(url + "/healthz/live", timeout=10).status_code == 200
    assert readiness.database_checks == 0


def test_not_ready_when_the_database_does_not_answer():
    readiness = Readiness(_unreachable_postgres())
    with serving(_app("health-db", readiness, Agent())) as url:
        got = requests.get(url + "/healthz/ready", timeout=15)
        assert got.status_code == 503
        assert got.json() == {"status": "not ready", "reason": "database unreachable"}
        assert "not-shown" not in got.text and "127.0.0.1" not in got.text
        assert requests.get(url + "/healthz/live", timeout=10).status_code == 200
    readiness.close()


def test_the_database_result_is_kept_for_five_seconds(tmp_path):
    now = [1000.0]
    readiness = Readiness(_sqlite(tmp_path), clock=lambda: now[0])

    async def probe(times: int):
        return [await readiness.check(Agent()) for _ in range(times)]

    assert asyncio.run(probe(3)) == [(True, "ready")] * 3
    assert readiness.database_checks == 1
    now[0] += 4.9
    asyncio.run(probe(1))
    assert readiness.database_checks == 1
    now[0] += 0.2
    asyncio.run(probe(1))
    assert readiness.database_checks == 2
    # A model that is unloaded is seen at once, whatever the cache holds.
    assert asyncio.run(readiness.check(Agent(ready=False))) == (False, "model not loaded")
    readiness.close()


def test_a_failed_database_check_is_cached_too_and_then_retried():
    now = [0.0]
    readiness = Readiness(_unreachable_postgres(), clock=lambda: now[0])
    assert asyncio.run(readiness.check(Agent())) == (False, "database unreachable")
    assert asyncio.run(readiness.check(Agent())) == (False, "database unreachable")
    assert readiness.database_checks == 1
    now[0] += 6
    asyncio.run(readiness.check(Agent()))
    assert readiness.database_checks == 2
    readiness.close()


def test_memory_tracker_store_needs_no_database():
    readiness = Readiness(Settings.from_env({"TRACKER_STORE": "memory"}))
    assert asyncio.run(readiness.check(Agent())) == (True, "ready")


def test_the_generated_credentials_keep_the_health_channel():
    assert "bot.channels.health.HealthInput" in build_credentials({})
    assert HealthInput.name() == "health" and HealthInput().url_prefix() == "/healthz"


def test_ready_against_a_real_postgresql():
    from tests.services import POSTGRES, require

    require(POSTGRES)
    settings = Settings.from_env(
        {
            "TRACKER_STORE": "postgresql",
            "POSTGRES_HOST": POSTGRES[1],
            "POSTGRES_PORT": str(POSTGRES[2]),
            "POSTGRES_DB": "postgres",
            "POSTGRES_USER": "postgres",
        }
    )
    readiness = Readiness(settings)
    assert asyncio.run(readiness.check(Agent())) == (True, "ready")
    readiness.close()
