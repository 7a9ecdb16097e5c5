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
        # A blocking pool waits (up to 5 s) for a free connection instead of failing at the
        # default cap of 100 when many SSE streams or a herd of starts arrive at once.
        pool = aioredis.BlockingConnectionPool.from_url(
            url, max_connections=256, timeout=5, decode_responses=True, health_check_interval=30
        )
        return aioredis.Redis(connection_pool=pool)
    import fakeredis

    client: Any = fakeredis.FakeAsyncRedis(decode_responses=True)
    assert isinstance(client, aioredis.Redis)
    return client
