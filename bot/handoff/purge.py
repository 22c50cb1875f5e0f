"""Retention: delete contact requests and live handovers older than HANDOFF_RETENTION_DAYS.

`python -m bot purge-handoff [--days N]` prints how many it removed. Pure Python.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Optional

from bot.handoff.outbox import Outbox


def purge(
    settings: Any, days: Optional[int] = None, now: Optional[datetime] = None
) -> Dict[str, int]:
    """Delete what is older than `days` (default: the setting); counts per store."""
    keep = settings.handoff_retention_days if days is None else days
    before = (now or datetime.now(timezone.utc)) - timedelta(days=keep)
    box = Outbox.from_settings(settings)
    try:
        counts = {"contact_requests": box.purge(before)}
    finally:
        box.close()
    try:
        from bot.handoff import live
    except ImportError:
        return counts
    if hasattr(live, "purge"):
        counts["live_handoffs"] = live.purge(before, settings)
    return counts
