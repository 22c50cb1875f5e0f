"""Retention (AVG): delete conversations whose last message is older than RETENTION_DAYS, and
the helpdesk's records (handovers, contact requests, sessions, audit entries) older than
HANDOFF_RETENTION_DAYS (bot/handoff/purge.py).

A conversation is all events of one sender id in Rasa's SQL tracker store (table ``events``).
It is deleted as a whole once its newest event is older than the limit, so a conversation that
is still going on keeps its history. Run by ``python -m bot purge`` (cron, the Kubernetes
CronJob, the compose ``retention`` service) and every RETENTION_INTERVAL_HOURS by ``make run``.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Dict, Optional

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

from bot.settings import Settings

log = logging.getLogger(__name__)

DAY = 24 * 3600


def database_url(settings: Settings) -> Optional[URL]:
    """The SQLAlchemy URL of the tracker store; None for the in-memory store."""
    if settings.tracker_store == "sqlite":
        return URL.create("sqlite", database=str(settings.sqlite_path))
    if settings.tracker_store == "postgresql":
        return URL.create(
            "postgresql",
            username=settings.postgres_user,
            password=settings.postgres_password or None,
            host=settings.postgres_host,
            port=settings.postgres_port,
            database=settings.postgres_db,
        )
    return None


def purge(engine: Engine, days: int, now: Optional[float] = None) -> int:
    """Delete every conversation whose newest event is older than `days`; return how many."""
    if not sa.inspect(engine).has_table("events"):
        return 0
    cutoff = (time.time() if now is None else now) - days * DAY
    events = sa.table("events", sa.column("sender_id"), sa.column("timestamp"))
    old = (
        sa.select(events.c.sender_id)
        .group_by(events.c.sender_id)
        .having(sa.func.max(events.c.timestamp) < cutoff)
    )
    with engine.begin() as conn:
        senders = [row[0] for row in conn.execute(old)]
        for start in range(0, len(senders), 500):
            batch = senders[start : start + 500]
            conn.execute(sa.delete(events).where(events.c.sender_id.in_(batch)))
    return len(senders)


def purge_configured(settings: Settings, now: Optional[float] = None) -> int:
    """`purge` on the configured tracker store (0 for the in-memory store or a missing file)."""
    url = database_url(settings)
    if url is None:
        return 0
    if settings.tracker_store == "sqlite" and not settings.sqlite_path.exists():
        return 0
    engine = sa.create_engine(url)
    try:
        count = purge(engine, settings.retention_days, now)
    finally:
        engine.dispose()
    log.info(
        "retention: deleted %d conversation(s) older than %d days", count, settings.retention_days
    )
    return count


def describe(settings: Settings) -> str:
    """One line for the start banner: where conversations are kept and for how long."""
    where = {
        "sqlite": f"SQLite {settings.sqlite_path}",
        "postgresql": f"PostgreSQL {settings.postgres_host}:{settings.postgres_port}/"
        f"{settings.postgres_db}",
        "memory": "memory only (lost on restart)",
    }[settings.tracker_store]
    if settings.tracker_store == "memory":
        return where
    return f"{where}, deleted after {settings.retention_days} days without activity"


def purge_all(settings: Settings, now: Optional[float] = None) -> Dict[str, int]:
    """Conversations and the helpdesk's records: counts per kind."""
    from datetime import datetime, timezone

    from bot.handoff.purge import purge as purge_handoff

    counts = {"conversations": purge_configured(settings, now)}
    when = datetime.fromtimestamp(now, timezone.utc) if now is not None else None
    counts.update(purge_handoff(settings, now=when))
    log.info(
        "retention: deleted %s",
        ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items()),
    )
    return counts


def run_forever(settings: Settings, stop: Optional[threading.Event] = None) -> None:
    """Purge now and then every RETENTION_INTERVAL_HOURS until `stop` is set."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            purge_all(settings)
        except Exception:  # a database that is down now may be back at the next run
            log.exception(
                "retention: purge failed; trying again in %.1f h", settings.retention_interval_hours
            )
        stop.wait(settings.retention_interval_hours * 3600)


def schedule(settings: Settings) -> threading.Event:
    """Start `run_forever` in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(
        target=run_forever, args=(settings, stop), daemon=True, name="retention"
    ).start()
    return stop
