"""What the api runs on (``ApiContext``, built by the cli) and its per-app runtime state."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TypeVar

import anyio
import anyio.to_thread
from sqlalchemy import Engine

from microlend.data import Dataset
from microlend.models import PDModel
from microlend.policy import Policy
from microlend.scoring import Improver
from microlend.service import (
    FeatureSnapshot,
    Principal,
    authenticate,
    lending_currency,
    take_snapshot,
)

__all__ = ["ApiContext", "ApiSettings", "Runtime", "settle_heap"]

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class ApiSettings:
    """Limits of the api. ``model_threads`` bounds the threads running the CPU-bound model and
    database calls: more than the cores only queues work inside LightGBM and SQLite's one
    writer, so the default is small and requests wait their turn on the event loop instead."""

    max_body_bytes: int = 64 * 1024
    model_threads: int = 4
    page_limit: int = 500
    #: ``settle_heap`` at start and after each new snapshot: a server's setting; a process that
    #: starts many apps (the tests) would pay a full collection at each start for nothing.
    freeze_heap: bool = True
    #: How long a verified key is believed without reading the book again: a revoked key is
    #: refused at most this long after its revocation.
    key_cache_seconds: float = 1.0


@dataclass(frozen=True)
class ApiContext:
    """Everything the app needs: the model, its version and the improver saved with it (what
    would raise a score; ``None`` for a model saved without one), the policy, the records, the
    loan book, the settings and ``today`` (the business date; only the cli and api read a
    clock)."""

    model: PDModel
    model_version: str
    policy: Policy
    data: Dataset
    engine: Engine
    today: Callable[[], date]
    improver: Improver | None
    settings: ApiSettings = field(default_factory=ApiSettings)
    #: A snapshot already taken (the cli's warm start, tests); rebuilt when the date moves on.
    snapshot: FeatureSnapshot | None = None

    def __post_init__(self) -> None:
        # The policy must lend in the records' currency; after this, one currency is both.
        lending_currency(self.data, self.policy)


def settle_heap() -> None:
    """Put what lives now (the records, the model, the snapshot) out of the garbage collector's
    reach. A full collection walks every tracked object, and with the demo's snapshot there are
    about a million: each one would stall every request for hundreds of milliseconds. Called
    when a snapshot is taken (once a business day); the previous one is collected first."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class Runtime:
    """Per-app state: the feature snapshot of the business date, the thread limiter, the cache
    of verified keys (keyed by a hash of the key, never the key; each entry lives
    ``key_cache_seconds`` of ``clock``, a monotonic clock)."""

    def __init__(self, context: ApiContext) -> None:
        self.context = context
        self._snapshot: FeatureSnapshot | None = context.snapshot
        self._refreshing: asyncio.Lock | None = None
        self._limiter: anyio.CapacityLimiter | None = None
        self._principals: dict[str, tuple[float, Principal]] = {}
        self._verifying: dict[str, asyncio.Future[Principal | None]] = {}
        self.clock: Callable[[], float] = time.monotonic

    async def run(self, func: Callable[[], T]) -> T:
        """Run a blocking call (model, database) on the api's bounded thread pool."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.context.settings.model_threads)
        return await anyio.to_thread.run_sync(func, limiter=self._limiter)

    async def snapshot(self, *, force: bool = False) -> FeatureSnapshot:
        """The snapshot as of today's business date, rebuilt when the date changed."""
        today = self.context.today()
        current = self._snapshot
        if current is not None and current.as_of == today and not force:
            return current
        if self._refreshing is None:
            self._refreshing = asyncio.Lock()
        async with self._refreshing:
            current = self._snapshot
            if current is None or current.as_of != today or force:
                context = self.context
                current = await self.run(
                    lambda: take_snapshot(
                        context.model,
                        context.data,
                        today,
                        improver=context.improver,
                        currency=context.policy.currency,
                    )
                )
                self._snapshot = current
                await self.settle()
        return current

    async def settle(self) -> None:
        """``settle_heap``, when the settings ask for it."""
        if self.context.settings.freeze_heap:
            await self.run(settle_heap)

    async def principal(self, key: str) -> Principal | None:
        """The caller presenting ``key``: verified against the book (which records its use),
        then remembered for ``key_cache_seconds``."""
        token, now = hashlib.sha256(key.encode()).hexdigest(), self.clock()
        known = self._principals.get(token)
        if known is not None and now < known[0]:
            return known[1]
        # One check per key at a time: under load, every request queued when an entry
        # expires would otherwise read the book again at once.
        if (pending := self._verifying.get(token)) is not None:
            return await asyncio.shield(pending)
        self._verifying[token] = pending = asyncio.get_running_loop().create_future()
        try:
            found = await self.run(lambda: authenticate(self.context.engine, key, now=_utc()))
            self._remember(token, now, found)
            pending.set_result(found)
        except Exception as error:
            pending.set_exception(error)
            pending.exception()  # retrieved here: a check nobody else awaited logs nothing
            raise
        finally:
            del self._verifying[token]
            if not pending.done():  # cancelled: the requests waiting on it fail with it
                pending.cancel()
        return found

    def _remember(self, token: str, now: float, found: Principal | None) -> None:
        if found is None:
            self._principals.pop(token, None)
        else:
            self._principals[token] = (now + self.context.settings.key_cache_seconds, found)


def _utc() -> datetime:
    return datetime.now(UTC)
