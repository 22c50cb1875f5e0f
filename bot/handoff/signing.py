"""HMAC-SHA256 signatures (version 2) for the helpdesk webhooks and the live-chat API.

The sender signs the method, the path (with its query string), a timestamp and the raw body:

    "v2\\n" + METHOD + "\\n" + path + "\\n" + timestamp + "\\n" + body

with its secret and sends two headers:

    X-Handoff-Timestamp: 1764340000            (Unix seconds)
    X-Handoff-Signature: v2=<hex digest>       (the prefix is the version of this scheme)

Each direction has its own secret: HANDOFF_WEBHOOK_SECRET signs what this server sends
(webhooks), HANDOFF_API_SECRET is what the live-chat API checks incoming requests with, so a
leaked receiver of webhooks can't call the API. A signature covers method and path, so a signed
`GET /conversations` can't be replayed as another request, nor a body on another path.

The receiver recomputes the digest over the exact bytes it received, compares in constant time,
and refuses a timestamp more than `tolerance` seconds away from its clock. Within the tolerance
a receiver refuses a signature it has seen before (`ReplayGuard`, in bot.counters: shared by the
replicas with LOCK_STORE=redis). Pure Python: no Rasa imports.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from typing import Dict, Mapping, Optional, Union
from urllib.parse import urlsplit

from bot.counters import Counters, CountersUnavailable, MemoryCounters

logger = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-Handoff-Timestamp"
SIGNATURE_HEADER = "X-Handoff-Signature"
VERSION = "v2"
DEFAULT_TOLERANCE = 300


def path_of(url: str) -> str:
    """The path and query string of a URL, as the receiver sees them ("/" when empty)."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def signature(
    secret: str, timestamp: Union[int, str], body: bytes, method: str = "POST", path: str = "/"
) -> str:
    """`v2=<hex>` over version, method, path, timestamp and body."""
    message = (
        "\n".join([VERSION, method.upper(), path or "/", str(timestamp)]).encode() + b"\n" + body
    )
    return f"{VERSION}=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(
    secret: str,
    body: bytes,
    now: Optional[float] = None,
    method: str = "POST",
    path: str = "/",
) -> Dict[str, str]:
    """The two headers to send with `body` as `method path`."""
    timestamp = str(int(time.time() if now is None else now))
    return {
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body, method, path),
    }


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    now: Optional[float] = None,
    tolerance: int = DEFAULT_TOLERANCE,
    method: str = "POST",
    path: str = "/",
) -> bool:
    """True when the headers carry a valid, fresh v2 signature of this request."""
    if not secret:
        return False
    lowered = {k.lower(): v for k, v in headers.items()}
    timestamp = lowered.get(TIMESTAMP_HEADER.lower(), "")
    given = lowered.get(SIGNATURE_HEADER.lower(), "")
    if not timestamp.isdigit() or not given.startswith(f"{VERSION}="):
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(given, signature(secret, timestamp, body, method, path))


class ReplayGuard:
    """Remembers the signatures seen within twice the tolerance; a second use is a replay.

    With Redis counters a replica sees the signatures the others have seen. When Redis does
    not answer, every request is refused (fail closed: a replay could take or close a
    conversation) and that is logged."""

    def __init__(
        self, tolerance: int = DEFAULT_TOLERANCE, counters: Optional[Counters] = None
    ) -> None:
        self.tolerance = tolerance
        self.counters: Counters = counters if counters is not None else MemoryCounters()

    def first_use(self, headers: Mapping[str, str], now: Optional[float] = None) -> bool:
        lowered = {k.lower(): v for k, v in headers.items()}
        given = lowered.get(SIGNATURE_HEADER.lower(), "")
        if not given:
            return False
        key = "nonce:" + hashlib.sha256(given.encode()).hexdigest()
        try:
            return self.counters.claim(key, 2 * self.tolerance)
        except CountersUnavailable as error:
            logger.error("Replay check impossible, request refused (fail closed): %s", error)
            return False
