"""The one Redis client: a real server when REDIS_URL is set, else an embedded one."""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis


def make_redis(url: str | None) -> aioredis.Redis:
    """A redis-py asyncio client; with url None, an in-process Redis-compatible server.

    The embedded server (fakeredis, with Lua) lives inside this process: only one worker may
    use it, which Settings.check enforces.
    """
    if url:
        # A plain pool with a high cap: the blocking pool's checkout (a lock and a timeout
        # per command) was a sixth of an answer save's CPU. In-flight API requests are capped
        # per worker by admission control, so the cap is only reached by a leak, and then
        # fails fast (503) instead of queueing.
        pool = aioredis.ConnectionPool.from_url(
            url, max_connections=2048, decode_responses=True, health_check_interval=30
        )
        return aioredis.Redis(connection_pool=pool)
    import fakeredis

    client: Any = fakeredis.FakeAsyncRedis(decode_responses=True)
    assert isinstance(client, aioredis.Redis)
    return client
