"""Rate limits in Redis: one Lua script call per check, shared by every worker and host.

The algorithm is GCRA (a token bucket kept as one number, the "theoretical arrival time"),
the same arithmetic as contest.domain.rates.gcra. The caller passes the time in, so every
process judges by the server clock the services use (and tests can drive it).
"""

from __future__ import annotations

import redis.asyncio as aioredis

from contest.domain.rates import Rate
from contest.storage import keys
from contest.storage.lua import Script

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


# KEYS[1] failure hash; ARGV now ms, free failures, base lock ms, max lock ms, memory ms.
# Reserves one try BEFORE the password is verified, so parallel guesses cannot all pass the
# check: refused while locked (returns the ms left); otherwise counts the try as a failure
# (a success forgets it) and, past the free ones, locks for base * 2^(tries - free - 1),
# capped, so every later try is refused until then. Returns 0 when the try may go ahead.
_RESERVE = """
local now = tonumber(ARGV[1])
local untill = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if untill > now then return untill - now end
local free = tonumber(ARGV[2])
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
local lock = 0
if n > free then
  lock = math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ math.min(n - free - 1, 30))
  redis.call('HSET', KEYS[1], 'until', string.format('%d', now + lock))
end
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[5]), lock))
return 0
"""

# KEYS[1] failure hash; ARGV free failures. Gives back a reserved try that was never judged
# (the server was busy); a lock only stands while the tries left counted pass the free ones.
_RELEASE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = redis.call('HINCRBY', KEYS[1], 'n', -1)
if n <= tonumber(ARGV[1]) then redis.call('HDEL', KEYS[1], 'until') end
return n
"""

# KEYS staff failure counters (account, address); ARGV window s, then one limit per key.
# Reserves one try on every key at once, or none: returns the ms until the first full key
# empties (refused), 0 when the try was counted on each.
_RESERVE_ALL = """
for i, key in ipairs(KEYS) do
  local c = tonumber(redis.call('GET', key) or '0')
  if c >= tonumber(ARGV[i + 1]) then
    local ttl = redis.call('PTTL', key)
    if ttl < 1 then ttl = 1000 end
    return ttl
  end
end
for _, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('EXPIRE', key, tonumber(ARGV[1])) end
end
return 0
"""

# KEYS counters; gives one counted try back on each (never below zero, never a new key).
_REFUND = """
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
return 0
"""


class Limiter:
    """Throttle checks over one Redis client."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        self._gcra = Script(redis, _GCRA)
        self._gcra_session = Script(redis, _GCRA_SESSION)
        self._reserve = Script(redis, _RESERVE)
        self._release = Script(redis, _RELEASE)
        self._reserve_all = Script(redis, _RESERVE_ALL)
        self._refund = Script(redis, _REFUND)

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

    async def reserve_login(self, contest_id: int, phone: str, now_ms: int, free: int,
                            base_ms: int, cap_ms: int, memory_ms: int) -> int:
        """Reserve one password try of a phone; the ms left of its lock (0: may verify)."""
        return int(await self._reserve(keys=[keys.login_failures(contest_id, phone)],
                                       args=[now_ms, free, base_ms, cap_ms, memory_ms]))

    async def release_login(self, contest_id: int, phone: str, free: int) -> None:
        """Give back a reserved try that was never verified (the server was busy)."""
        await self._release(keys=[keys.login_failures(contest_id, phone)], args=[free])

    async def reserve_counted(self, counters: list[tuple[str, int]], window_s: int) -> int:
        """Count one try on every (key, limit) or on none; ms until a full one empties (0: ok)."""
        return int(await self._reserve_all(keys=[k for k, _ in counters],
                                           args=[window_s, *(n for _, n in counters)]))

    async def refund_counted(self, names: list[str]) -> None:
        """Give back one try counted by reserve_counted on each of these keys."""
        await self._refund(keys=names, args=[])

    async def login_succeeded(self, contest_id: int, phone: str) -> None:
        """Forget a phone's failures after a correct password."""
        await self.redis.delete(keys.login_failures(contest_id, phone))
