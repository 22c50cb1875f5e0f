"""Signed JSON webhooks to a municipality's own live-chat system (HANDOFF_WEBHOOK_URL).

Each event is POSTed as JSON with the v2 signature headers of `bot.handoff.signing` (method,
path, timestamp and body, signed with HANDOFF_WEBHOOK_SECRET). Delivery is fire and
forget from the Rasa server's event loop, with a few retries and backoff; a failure is logged
(without the message text) and never blocks the conversation.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Dict, Optional, Set

import aiohttp

from bot.handoff.signing import path_of, sign

logger = logging.getLogger(__name__)

RETRIES = 3
TIMEOUT_SECONDS = 10


def body_of(event: str, data: Dict[str, Any]) -> bytes:
    return json.dumps({"event": event, **data}, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


class WebhookSender:
    """Posts signed events; does nothing when no URL is configured."""

    def __init__(self, url: str, secret: str) -> None:
        self.url = url.strip()
        self.secret = secret
        self._session: Optional[aiohttp.ClientSession] = None
        self._tasks: Set[asyncio.Task] = set()
        if self.url and not self.secret:
            logger.warning(
                "HANDOFF_WEBHOOK_URL is set without HANDOFF_WEBHOOK_SECRET: "
                "the live-chat webhook is off"
            )

    @property
    def enabled(self) -> bool:
        return bool(self.url and self.secret)

    async def send(self, event: str, data: Dict[str, Any]) -> None:
        """Schedule the delivery of one event (returns at once)."""
        if not self.enabled:
            return
        task = asyncio.ensure_future(self._deliver(event, body_of(event, data)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, event: str, body: bytes) -> bool:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
            )
        for attempt in range(1, RETRIES + 1):
            headers = {
                "Content-Type": "application/json",
                **sign(self.secret, body, method="POST", path=path_of(self.url)),
            }
            try:
                async with self._session.post(self.url, data=body, headers=headers) as resp:
                    if resp.status < 300:
                        logger.debug("Webhook %s delivered", event)
                        return True
                    logger.warning(
                        "Live-chat webhook %s answered HTTP %s (attempt %s)",
                        event,
                        resp.status,
                        attempt,
                    )
                    if 400 <= resp.status < 500 and resp.status != 429:
                        return False
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                logger.warning(
                    "Live-chat webhook %s failed (attempt %s): %s",
                    event,
                    attempt,
                    type(error).__name__,
                )
            await asyncio.sleep(2**attempt)
        return False

    async def drain(self) -> None:
        """Wait for the deliveries in flight (tests, shutdown)."""
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        await self.drain()
        if self._session is not None:
            await self._session.close()
