"""The outbox worker: delivers stored contact requests with retries and exponential backoff.

It runs as a daemon thread inside the action server (`bot.serve actions`, which `make run`
starts), so no extra process is needed; after a restart of every process it picks up where
the outbox says it stopped. Several action servers may run it at once: deliveries are leased.

A starting worker makes every pending delivery due at once (`Outbox.reschedule_pending`): a
restart is the operator's "try again now", so a request that failed while the mail server was
down does not wait out a backoff of up to an hour that an earlier process chose (issue 18).
An adapter may cap its own backoff lower (`max_backoff`, e.g. SMTP: 10 minutes).
"""

from __future__ import annotations

import logging
import random
import threading
from typing import Any, Callable, Dict, List, Optional

from bot.handoff.adapters import Adapter, configured
from bot.handoff.outbox import Job, Outbox
from bot.text.redact import redact

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 3600.0
POLL_SECONDS = 2.0


def backoff(
    attempts: int,
    base: float,
    cap: float = MAX_BACKOFF_SECONDS,
    jitter: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait after the `attempts`-th failure: base * 2^(n-1), at most `cap`, +-10%."""
    delay = min(base * (2 ** min(max(attempts - 1, 0), 30)), cap)
    return delay * (0.9 + 0.2 * jitter())


class Worker:
    """Delivers due outbox rows through the configured adapters."""

    def __init__(
        self,
        outbox: Outbox,
        adapters: List[Adapter],
        retry_seconds: float = 30.0,
        lease_seconds: float = 120.0,
        poll_seconds: float = POLL_SECONDS,
        max_backoff: float = MAX_BACKOFF_SECONDS,
    ) -> None:
        self.outbox = outbox
        self.adapters: Dict[str, Adapter] = {a.name: a for a in adapters}
        self.retry_seconds = retry_seconds
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.max_backoff = max_backoff
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        if self.adapters:
            self.outbox.ensure_deliveries(self.adapters)

    @classmethod
    def from_settings(cls, settings: Any) -> Worker:
        return cls(
            Outbox.from_settings(settings),
            configured(settings),
            retry_seconds=settings.handoff_retry_seconds,
            max_backoff=settings.handoff_retry_max_seconds,
            poll_seconds=min(POLL_SECONDS, settings.handoff_retry_seconds),
            lease_seconds=max(60.0, 8 * settings.handoff_timeout_seconds),
        )

    def run_once(self) -> int:
        """Try every due delivery once; return how many were delivered."""
        done = 0
        for job in self.outbox.claim(self.adapters, self.lease_seconds):
            done += self._deliver(job)
        return done

    def _deliver(self, job: Job) -> int:
        adapter = self.adapters[job.adapter]

        def save(state: Dict[str, Any]) -> None:
            self.outbox.save_state(job.request.reference, job.adapter, state)

        try:
            adapter.deliver(job.request, job.state, save)
        except Exception as error:  # any failure: keep it, try again later
            cap = min(self.max_backoff, getattr(adapter, "max_backoff", self.max_backoff))
            delay = backoff(job.attempts, self.retry_seconds, cap)
            message = redact(f"{type(error).__name__}: {error}")
            logger.warning(
                "handoff %s via %s failed (attempt %d), next try in %.0f s: %s",
                job.request.reference,
                job.adapter,
                job.attempts,
                delay,
                message,
                exc_info=not isinstance(error, (OSError, RuntimeError)),
            )
            self.outbox.retry_later(
                job.request.reference, job.adapter, self.outbox.clock() + delay, message
            )
            return 0
        self.outbox.delivered(job.request.reference, job.adapter)
        logger.info("handoff %s delivered via %s", job.request.reference, job.adapter)
        return 1

    # ------------------------------------------------------------------ background thread
    def wake(self) -> None:
        """Deliver now (a new request was stored)."""
        self._wake.set()

    def start(self) -> Worker:
        if not self.adapters:
            logger.info("handoff: no delivery adapter configured; requests stay in the outbox")
            return self
        try:
            due = self.outbox.reschedule_pending(self.outbox.clock())
        except Exception:  # the outbox is unreachable now: the loop keeps trying
            logger.exception("handoff outbox worker: pending deliveries not rescheduled")
            due = 0
        logger.info(
            "handoff outbox worker started (%s); %d waiting deliveries retried now",
            ", ".join(sorted(self.adapters)),
            due,
        )
        self._thread = threading.Thread(target=self._loop, name="handoff-outbox", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # the outbox itself failed (disk full, locked): keep going
                logger.exception("handoff outbox worker: a round failed")
            self._wake.wait(self.poll_seconds)
            self._wake.clear()


_background: Optional[Worker] = None
_lock = threading.Lock()


def start_background(settings: Any) -> Worker:
    """Start this process's worker thread once (the action server calls this at start-up)."""
    global _background
    with _lock:
        if _background is None:
            _background = Worker.from_settings(settings).start()
        return _background


def background() -> Optional[Worker]:
    return _background
