"""Retention: delete contact requests, live handovers, console sessions and audit entries older
than HANDOFF_RETENTION_DAYS.

`python -m bot purge-handoff [--days N]` prints how many it removed; `python -m bot purge`
(what `make run`, compose and Helm schedule) does this and the conversations. Pure Python.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Optional

from bot.handoff.audit import AuditLog
from bot.handoff.db import handoff_db
from bot.handoff.live import LiveDesk
from bot.handoff.outbox import Outbox
from bot.handoff.sessions import Sessions


def purge(
    settings: Any, days: Optional[int] = None, now: Optional[datetime] = None
) -> Dict[str, int]:
    """Delete what is older than `days` (default: the setting); counts per kind."""
    keep = settings.handoff_retention_days if days is None else days
    before = (now or datetime.now(timezone.utc)) - timedelta(days=keep)
    db = handoff_db(settings)
    return {
        "contact_requests": Outbox(db).purge(before),
        "live_handoffs": LiveDesk(db=db).purge(before),
        "console_sessions": Sessions(
            db,
            settings.console_session_minutes,
            getattr(settings, "console_idle_minutes", 30),
        ).purge(),
        "audit_entries": AuditLog(db).purge(before),
    }
