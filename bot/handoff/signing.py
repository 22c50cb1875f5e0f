"""HMAC-SHA256 signatures with a timestamp for the helpdesk webhooks and the live-chat API.

The sender signs `"<timestamp>.<raw body>"` with the shared secret (HANDOFF_WEBHOOK_SECRET) and
sends two headers:

    X-Handoff-Timestamp: 1764340000            (Unix seconds)
    X-Handoff-Signature: sha256=<hex digest>

The receiver recomputes the digest over the exact bytes it received, compares in constant time,
and refuses a timestamp more than `tolerance` seconds away from its clock (a replay of an old
request). Within the tolerance a receiver refuses a signature it has seen before
(`ReplayGuard`). Pure Python: no Rasa imports.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from typing import Dict, Mapping, Optional, Union

TIMESTAMP_HEADER = "X-Handoff-Timestamp"
SIGNATURE_HEADER = "X-Handoff-Signature"
DEFAULT_TOLERANCE = 300


def signature(secret: str, timestamp: Union[int, str], body: bytes) -> str:
    """`sha256=<hex>` over `<timestamp>.<body>`."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, now: Optional[float] = None) -> Dict[str, str]:
    """The two headers to send with `body`."""
    timestamp = str(int(time.time() if now is None else now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body)}


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    now: Optional[float] = None,
    tolerance: int = DEFAULT_TOLERANCE,
) -> bool:
    """True when the headers carry a valid, fresh signature of `body`."""
    if not secret:
        return False
    lowered = {k.lower(): v for k, v in headers.items()}
    timestamp = lowered.get(TIMESTAMP_HEADER.lower(), "")
    given = lowered.get(SIGNATURE_HEADER.lower(), "")
    if not timestamp.isdigit() or not given:
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(given, signature(secret, timestamp, body))


class ReplayGuard:
    """Remembers the signatures seen within the tolerance; a second use is a replay."""

    def __init__(self, tolerance: int = DEFAULT_TOLERANCE) -> None:
        self.tolerance = tolerance
        self._seen: Dict[str, float] = {}
        self._lock = threading.Lock()

    def first_use(self, headers: Mapping[str, str], now: Optional[float] = None) -> bool:
        lowered = {k.lower(): v for k, v in headers.items()}
        key = lowered.get(SIGNATURE_HEADER.lower(), "")
        current = time.time() if now is None else now
        with self._lock:
            for old, seen_at in list(self._seen.items()):
                if current - seen_at > 2 * self.tolerance:
                    del self._seen[old]
            if key in self._seen:
                return False
            self._seen[key] = current
        return True
