"""One live source with a timeout, a retry, a TTL cache and a fallback to the last good copy.

``Feed.get()`` never blocks longer than ``wait`` seconds (default 2.5, under the 3-second budget):
the download runs in a background thread; when it is not done in time the caller gets the last
good copy (or the embedded data) marked ``stale``, and the download still fills the cache for the
next caller. After a failure the source is left alone for ``backoff`` seconds, so a broken source
does not slow down every answer.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Generic, List, Literal, Optional, TypeVar

import requests

from bot.catalog.schema import AMSTERDAM

log = logging.getLogger(__name__)

T = TypeVar("T")
Source = Literal["live", "cache", "embedded"]

MAX_BYTES = 5 * 1024 * 1024
USER_AGENT = "impact-haarlem-assistent/1.0"


class FeedError(Exception):
    """The source could not be read or did not contain valid data."""


class ServerError(FeedError):
    """The source answered with a 5xx status; worth one retry."""


@dataclass(frozen=True)
class FeedResult(Generic[T]):
    """Items plus how fresh they are.

    source: "live" (downloaded during this call), "cache" (an earlier download) or "embedded"
    (the data shipped with the bot). stale: True when this is not what the source would say now
    (the cache is older than the TTL, or we fell back to embedded data because the source failed).
    fetched_at: when the items were downloaded (None for embedded data).
    """

    items: List[T]
    source: Source
    fetched_at: Optional[datetime]
    stale: bool

    def melding(self) -> Optional[str]:
        """A short Dutch note for the answer when the data may be out of date, else None."""
        if not self.stale:
            return None
        if self.fetched_at is None:
            return "Let op: de actuele lijst is nu niet bereikbaar. Ik laat je de vaste lijst zien."
        stamp = self.fetched_at.strftime("%d-%m-%Y %H:%M")
        return f"Let op: de actuele lijst is nu niet bereikbaar. Dit is de lijst van {stamp}."


@dataclass
class _Run:
    """One background download: ``done`` is set when it ends, ``ok`` tells whether it succeeded."""

    done: threading.Event
    wait_until: float  # callers stop waiting for this download at this clock time
    ok: bool = False


@dataclass
class _Copy(Generic[T]):
    items: List[T]
    fetched_at: datetime
    fetched_mono: float


class Feed(Generic[T]):
    """A source at ``url`` whose body ``parse`` turns into items; ``embedded`` when it is unusable."""

    def __init__(
        self,
        name: str,
        url: Optional[str],
        parse: Callable[[bytes], List[T]],
        embedded: Callable[[], List[T]],
        ttl: float = 300.0,
        timeout: float = 2.0,
        retries: int = 1,
        wait: float = 2.5,
        backoff: float = 30.0,
        session: Optional[requests.Session] = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.name = name
        self.url = url or None
        self.parse = parse
        self.embedded = embedded
        self.ttl = ttl
        self.timeout = timeout
        self.retries = retries
        self.wait = wait
        self.backoff = backoff
        self.session = session or requests.Session()
        self.clock = clock
        self._lock = threading.Lock()
        self._good: Optional[_Copy[T]] = None
        self._failed_at: Optional[float] = None
        self._running: Optional[_Run] = None
        self.last_error: Optional[str] = None

    # --- public ---------------------------------------------------------------------------------

    def get(self, deadline: Optional[float] = None) -> FeedResult[T]:
        """The freshest usable items; waits at most until ``deadline`` (clock time) or ``wait`` s."""
        return self.collect(self.refresh(), deadline)

    def collect(self, run: Optional[_Run], deadline: Optional[float] = None) -> FeedResult[T]:
        """The result for a download started with ``refresh()`` (or None: no download needed)."""
        if self.url is None:
            return FeedResult(self.embedded(), "embedded", None, stale=False)
        if run is not None:
            limit = run.wait_until if deadline is None else min(deadline, run.wait_until)
            if run.done.wait(max(0.0, limit - self.clock())) and run.ok:
                with self._lock:
                    good = self._good
                if good is not None:
                    return FeedResult(list(good.items), "live", good.fetched_at, stale=False)
        return self._fallback()

    def refresh(self) -> Optional[_Run]:
        """Start a download when the cache has expired (or join the running one).

        Returns None when no download is needed or allowed (no URL, fresh cache, or backing off).
        A caller that joins a running download waits no longer than the caller that started it.
        """
        if self.url is None:
            return None
        with self._lock:
            now = self.clock()
            if self._good is not None and now - self._good.fetched_mono < self.ttl:
                return None
            if self._running is not None:
                return self._running
            if self._failed_at is not None and now - self._failed_at < self.backoff:
                return None
            run = _Run(threading.Event(), wait_until=now + self.wait)
            self._running = run
        budget = self.timeout * (self.retries + 1) + 0.5
        thread = threading.Thread(
            target=self._download,
            args=(run, self.clock() + budget),
            daemon=True,
            name=f"feed-{self.name}",
        )
        thread.start()
        return run

    # --- internals ------------------------------------------------------------------------------

    def _fallback(self) -> FeedResult[T]:
        with self._lock:
            good = self._good
            age_ok = good is not None and self.clock() - good.fetched_mono < self.ttl
        if good is not None:
            return FeedResult(list(good.items), "cache", good.fetched_at, stale=not age_ok)
        return FeedResult(self.embedded(), "embedded", None, stale=True)

    def _download(self, run: _Run, deadline: float) -> None:
        """Runs in a background thread; updates the cache or records the failure."""
        try:
            items = self._fetch(deadline)
        except Exception as exc:  # any failure keeps the last good copy
            self.last_error = f"{type(exc).__name__}: {exc}"
            log.warning("feed %s (%s) failed: %s", self.name, self.url, self.last_error)
            with self._lock:
                self._failed_at = self.clock()
                self._running = None
            run.done.set()
            return
        with self._lock:
            self._good = _Copy(items, datetime.now(AMSTERDAM), self.clock())
            self._failed_at = None
            self._running = None
            self.last_error = None
        run.ok = True
        run.done.set()

    def _fetch(self, deadline: float) -> List[T]:
        """Download and parse, retrying transport errors and 5xx while time is left."""
        attempt = 0
        while True:
            attempt += 1
            try:
                body = self._download_body(deadline)
            except (requests.RequestException, ServerError):
                if attempt > self.retries or deadline - self.clock() < 0.3:
                    raise
                time.sleep(0.1)
                continue
            return self.parse(body)

    def _download_body(self, deadline: float) -> bytes:
        assert self.url is not None  # refresh() only starts a download when there is a URL
        remaining = deadline - self.clock()
        if remaining <= 0:
            raise FeedError("no time left")
        timeout = min(self.timeout, remaining)
        with self.session.get(
            self.url,
            timeout=(min(1.0, timeout), timeout),
            stream=True,
            headers={"User-Agent": USER_AGENT},
        ) as response:
            if response.status_code >= 500:
                raise ServerError(f"HTTP {response.status_code}")
            if response.status_code != 200:
                raise FeedError(f"unexpected HTTP {response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise FeedError("response too large")
                if self.clock() > deadline:
                    raise FeedError("download too slow")
                chunks.append(chunk)
            return b"".join(chunks)
