"""The Lua script runner: called by SHA1, reloaded once when Redis has forgotten its scripts."""

from __future__ import annotations

from contest.core.context import Services
from contest.storage.lua import Script

INCR_BY = "return redis.call('INCRBY', KEYS[1], ARGV[1])"


async def test_script_runs_and_survives_a_script_flush(services: Services) -> None:
    script = Script(services.redis, INCR_BY)
    assert await script(keys=["lua:test"], args=[2]) == 2  # never loaded yet: loads, runs
    # what a Redis restarted empty looks like to the client: no scripts cached
    await services.redis.script_flush()
    assert await script(keys=["lua:test"], args=[3]) == 5
    assert await services.redis.script_exists(script.sha) == [True]
