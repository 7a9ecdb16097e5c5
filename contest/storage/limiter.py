"""Rate limits in Redis: one Lua script call per check, shared by every worker and host.

The algorithm is GCRA (a token bucket kept as one number, the "theoretical arrival time"),
the same arithmetic as contest.domain.rates.gcra. The caller passes the time in, so every
process judges by the server clock the services use (and tests can drive it).
"""

from __future__ import annotations

import redis.asyncio as aioredis

from contest.domain.rates import Rate
from contest.storage import keys

# KEYS[1] the limit's key; ARGV now ms, interval ms, burst ms, quantity (requests counted at
# once, e.g. a batch of answers). Returns ms to wait (0: allowed).
_GCRA = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2]) * tonumber(ARGV[4] or '1')
local burst = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new = tat + interval
local allow_at = new - burst
if allow_at > now then return allow_at - now end
redis.call('SET', KEYS[1], string.format('%d', new), 'PX', new - now)
return 0
"""

# The same, and in the same round trip the participant's session version (KEYS[2]), so the
# hot path checks that its session has not ended without a second call. Returns
# {ms to wait, stored session version or -1 when Redis has none}.
_GCRA_SESSION = _GCRA.replace("if allow_at > now then return allow_at - now end", """
local version = tonumber(redis.call('GET', KEYS[2]) or '-1')
if allow_at > now then return {allow_at - now, version} end""").replace(
    "return 0\n", "return {0, version}\n")

# KEYS[1] the phone's failure hash; ARGV now ms. Returns ms left of a lock (0: not locked).
_LOCKED = """
local untill = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
local now = tonumber(ARGV[1])
if untill > now then return untill - now end
return 0
"""

# KEYS[1] failure hash; ARGV now ms, free failures, base lock ms, max lock ms, memory ms.
# Counts a failure and locks for base * 2^(failures - free - 1), capped. Returns the lock ms.
_FAIL = """
local now = tonumber(ARGV[1])
local free = tonumber(ARGV[2])
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
local lock = 0
if n > free then
  lock = math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ math.min(n - free - 1, 30))
  redis.call('HSET', KEYS[1], 'until', string.format('%d', now + lock))
end
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[5]), lock))
return lock
"""


class Limiter:
    """Throttle checks over one Redis client."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        self._gcra = redis.register_script(_GCRA)
        self._gcra_session = redis.register_script(_GCRA_SESSION)
        self._locked = redis.register_script(_LOCKED)
        self._fail = redis.register_script(_FAIL)

    async def hit(self, action: str, ident: str, rate: Rate, now_ms: int,
                  quantity: int = 1) -> int:
        """Count `quantity` requests against (action, ident); the ms to wait, 0 if allowed."""
        wait = await self._gcra(keys=[keys.throttle(action, ident)],
                                args=[now_ms, rate.interval_ms, rate.burst_ms, quantity])
        return int(wait)

    async def hit_in_session(self, action: str, ident: str, rate: Rate, now_ms: int,
                             quantity: int, version_key: str) -> tuple[int, int]:
        """hit(), also reading a session version key: (ms to wait, version or -1 if absent)."""
        wait, version = await self._gcra_session(
            keys=[keys.throttle(action, ident), version_key],
            args=[now_ms, rate.interval_ms, rate.burst_ms, quantity])
        return int(wait), int(version)

    async def locked_ms(self, contest_id: int, phone: str, now_ms: int) -> int:
        """The ms left of a phone's login lock-out (0: may try)."""
        return int(await self._locked(keys=[keys.login_failures(contest_id, phone)],
                                      args=[now_ms]))

    async def login_failed(self, contest_id: int, phone: str, now_ms: int, free: int,
                           base_ms: int, cap_ms: int, memory_ms: int) -> int:
        """Count a wrong password; the lock it starts in ms (0 while failures are free)."""
        return int(await self._fail(keys=[keys.login_failures(contest_id, phone)],
                                    args=[now_ms, free, base_ms, cap_ms, memory_ms]))

    async def login_succeeded(self, contest_id: int, phone: str) -> None:
        """Forget a phone's failures after a correct password."""
        await self.redis.delete(keys.login_failures(contest_id, phone))
