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
        return aioredis.Redis.from_url(url, decode_responses=True, health_check_interval=30)
    import fakeredis

    client: Any = fakeredis.FakeAsyncRedis(decode_responses=True)
    assert isinstance(client, aioredis.Redis)
    return client
