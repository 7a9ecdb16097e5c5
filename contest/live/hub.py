"""Per-process fan-out of board changes over Redis pub/sub, for the leaderboard stream.

One subscription per round per process, shared by every client of that process; a rendered
read is cached per board version. The app opens one hub in its lifespan and closes it there.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, cast

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from contest.core.context import log
from contest.storage import keys

# A cached read is reused for one board version for at most this long, so a freeze taking
# effect (which changes no version) reaches the stream within a second of the next wake-up.
CACHE_S = 1.0


@dataclass
class _Feed:
    """One round's pub/sub subscription in this process and the clients waiting on it."""

    waiters: set[asyncio.Event] = field(default_factory=set)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    def notify(self) -> None:
        for w in self.waiters:
            w.set()


class BoardHub:
    """Per-process fan-out of board changes: one Redis subscription per round with clients."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        self.feeds: dict[int, _Feed] = {}
        self._cache: dict[tuple[Any, ...], tuple[int, float, str]] = {}
        self._locks: dict[tuple[Any, ...], asyncio.Lock] = {}

    def join(self, round_id: int) -> tuple[_Feed, asyncio.Event]:
        """Register a client of a round; starts the round's subscription if it is the first."""
        feed = self.feeds.setdefault(round_id, _Feed())
        event = asyncio.Event()
        feed.waiters.add(event)
        if feed.task is None:
            feed.task = asyncio.get_running_loop().create_task(self._listen(round_id, feed))
        return feed, event

    async def leave(self, round_id: int, event: asyncio.Event) -> None:
        """Unregister a client; the last one out ends the round's subscription."""
        feed = self.feeds.get(round_id)
        if feed is None:
            return
        feed.waiters.discard(event)
        if not feed.waiters and feed.task is not None:
            del self.feeds[round_id]
            feed.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await feed.task

    async def _listen(self, round_id: int, feed: _Feed) -> None:
        channel = keys.board_events(round_id)
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.subscribe(channel)
                feed.ready.set()
                feed.notify()  # anything missed while (re)subscribing gets re-read
                async for msg in pubsub.listen():
                    if msg.get("type") == "message":
                        feed.notify()
            except RedisError as exc:
                log.warning("board events of round %s: %s; resubscribing", round_id, exc)
                feed.ready.set()  # clients fall back to their periodic re-read meanwhile
                await asyncio.sleep(1.0)
            finally:
                with contextlib.suppress(Exception):
                    # cast: redis-py before 8 left aclose untyped, 8.x types it
                    await cast(Any, pubsub).aclose()

    async def payload(self, key: tuple[Any, ...], version: int,
                      compute: Callable[[], Awaitable[str]]) -> str:
        """The rendered read for key at a board version, computed once per version here."""
        hit = self._cache.get(key)
        if hit and hit[0] == version and time.monotonic() - hit[1] < CACHE_S:
            return hit[2]
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            hit = self._cache.get(key)
            if hit and hit[0] == version and time.monotonic() - hit[1] < CACHE_S:
                return hit[2]
            data = await compute()
            self._cache[key] = (version, time.monotonic(), data)
            return data

    async def close(self) -> None:
        """End every round's subscription (at shutdown); waiting clients stop being woken."""
        feeds, self.feeds = list(self.feeds.values()), {}
        for feed in feeds:
            if feed.task is not None:
                feed.task.cancel()
        for feed in feeds:
            if feed.task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await feed.task
