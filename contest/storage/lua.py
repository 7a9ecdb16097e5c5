"""A Redis Lua script called by its SHA1, loaded again when the server has forgotten it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import NoScriptError


class Script:
    """Like redis-py's registered script, without its per-call pipeline checks.

    redis-py's AsyncScript.__call__ imports two modules and runs isinstance checks against
    pipeline classes whose metaclass is typing's Protocol check: 3 % of an answer save's CPU,
    for a client that is never a pipeline here.
    """

    __slots__ = ("_redis", "_source", "sha")

    def __init__(self, redis: aioredis.Redis, source: str) -> None:
        self._redis = redis
        self._source = source
        self.sha = hashlib.sha1(source.encode()).hexdigest()

    async def __call__(self, keys: Sequence[str] = (), args: Sequence[Any] = ()) -> Any:
        """Run the script; raises what Redis raises (a restarted server reloads it once)."""
        try:
            return await self._redis.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:
            # Redis restarted (or was flushed of scripts) since the last call; the SHA1 of
            # the same source is the same, so only the load is needed
            await self._redis.script_load(self._source)
            return await self._redis.evalsha(self.sha, len(keys), *keys, *args)
