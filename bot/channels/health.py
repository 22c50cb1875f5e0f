"""Health probes of the Rasa server for a load balancer or Kubernetes, at /healthz/.

- `GET /healthz/live`: always 200 while the process serves HTTP (liveness: restart when not).
- `GET /healthz/ready`: 200 only when the model is loaded (`app.ctx.agent.is_ready()`) and the
  tracker-store database answers `SELECT 1`; else 503 with a short JSON reason (readiness: send
  no traffic to this replica until it is). The result is kept for `CACHE_SECONDS`, so frequent
  probes from several sources cost one query per 5 seconds.

Rasa's own `GET /` answers 200 before a model is loaded and never looks at the database, so it
says nothing about whether a replica can hold a conversation. Registered in credentials.yml;
Rasa mounts it at `url_prefix()` ("/healthz", kept absolute by `urljoin("/webhooks/", ...)`).
The routes never show a password or a database URL, only which check failed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import retention
from bot.settings import Settings

logger = logging.getLogger(__name__)

CACHE_SECONDS = 5.0
DATABASE_TIMEOUT_SECONDS = 3.0


class Readiness:
    """The readiness check of one server process: model loaded and database reachable."""

    def __init__(
        self,
        settings: Optional[Settings] = None,
        cache_seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._engine: Optional[sa.engine.Engine] = None
        self._engine_made = False
        self._cached: Optional[Tuple[float, bool, str]] = None
        self._lock: Optional[asyncio.Lock] = None
        self.database_checks = 0  # how many SELECT 1 were sent (for the tests)

    def _database(self) -> Optional[sa.engine.Engine]:
        """One pooled engine for the probes (None for the in-memory tracker store)."""
        if not self._engine_made:
            settings = self._settings or Settings.from_env()
            url = retention.database_url(settings)
            if url is not None:
                options: Dict[str, Any] = {"pool_pre_ping": True}
                if url.get_backend_name() == "postgresql":
                    # One connection per process, and a bounded wait for an unreachable host.
                    options.update(
                        pool_size=1,
                        max_overflow=0,
                        connect_args={"connect_timeout": int(DATABASE_TIMEOUT_SECONDS)},
                    )
                self._engine = sa.create_engine(url, **options)
            self._engine_made = True
        return self._engine

    def _select_one(self) -> None:
        engine = self._database()
        if engine is None:
            return
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1")).scalar_one()

    async def _database_ok(self) -> Tuple[bool, str]:
        self.database_checks += 1
        try:
            await asyncio.wait_for(
                asyncio.to_thread(self._select_one), timeout=DATABASE_TIMEOUT_SECONDS + 1
            )
        except Exception as error:  # noqa: BLE001 (any failure means: not ready)
            logger.warning("readiness: the tracker-store database did not answer: %r", error)
            return False, "database unreachable"
        return True, "ready"

    async def check(self, agent: Any) -> Tuple[bool, str]:
        """(ready, reason). The model is checked on every call, the database at most every 5 s."""
        if agent is None or not agent.is_ready():
            return False, "model not loaded"
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:  # one query at a time; the others use its result
            now = self._clock()
            if self._cached is not None and now - self._cached[0] < self._cache_seconds:
                return self._cached[1], self._cached[2]
            ok, reason = await self._database_ok()
            self._cached = (self._clock(), ok, reason)
            return ok, reason

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


class HealthInput(InputChannel):
    """`/healthz/live` and `/healthz/ready` (no messages are received here)."""

    def __init__(self, readiness: Optional[Readiness] = None) -> None:
        self.readiness = readiness or Readiness()

    @classmethod
    def name(cls) -> Text:
        return "health"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls()

    def url_prefix(self) -> Text:
        return "/healthz"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        health = Blueprint("healthz", __name__)
        headers = {"Cache-Control": "no-store"}

        @health.route("/live", methods=["GET"])
        async def live(_: Request) -> HTTPResponse:
            return response.json({"status": "alive"}, headers=headers)

        @health.route("/ready", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            ok, reason = await self.readiness.check(agent)
            return response.json(
                {"status": "ready" if ok else "not ready", "reason": reason},
                status=200 if ok else 503,
                headers=headers,
            )

        return health
