"""Live leaderboards in Redis: versioned atomic upserts, ranks, pages, counters, rebuilds.

Per round (every key under the round's hash tag, see keys.py), for each view (live, the
staging copy a rebuild fills, the frozen public copy):
- board:<scope> sorted sets (scope all, u:<unit>, g:<group>) of ranking.encode(standing);
- members: participant -> their member string; state: participant -> "<version>:<perfect>";
- scopes: the scopes with a board; stats: attempts:<scope> and perfect:<scope> counters.

An entry's version is the participant's number of submitted attempts in the round: it only
grows, so applying the same entry twice, or an older one after a newer, changes nothing. That
makes the counters exact (attempts = sum of versions) and lets a rebuild merge a SQL snapshot
with submits that land while it runs.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import redis.asyncio as aioredis

from contest.domain.ranking import (
    OFFSET_DIGITS,
    Standing,
    competition_ranks,
    decode,
    encode,
)
from contest.storage import keys
from contest.storage.lua import Script

ALL = "all"
LOCK_TTL_S = 600

# Apply entries to one keyset. An entry in ARGV from index i: pid, member, score, version,
# perfect (0/1), n, then n pairs (board key index relative to the keyset, scope label).
# A keyset in KEYS from index b: members, state, scopes, stats, then its board keys.
_APPLY = """
local function apply(b, i)
  local pid, member, score = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local ver, perf, n = tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4]), tonumber(ARGV[i + 5])
  local nxt = i + 6 + 2 * n
  local st = redis.call('HGET', KEYS[b + 1], pid)
  local oldver, oldperf = 0, 0
  if st then
    local v, p = string.match(st, '^(%d+):(%d)$')
    oldver, oldperf = tonumber(v), tonumber(p)
    if oldver >= ver then return 0, nxt end
  end
  local old = redis.call('HGET', KEYS[b], pid)
  for j = 0, n - 1 do
    local key = KEYS[b + 4 + tonumber(ARGV[i + 6 + 2 * j])]
    local label = ARGV[i + 7 + 2 * j]
    if old then redis.call('ZREM', key, old) end
    redis.call('ZADD', key, score, member)
    if label ~= 'all' then redis.call('SADD', KEYS[b + 2], label) end
    redis.call('HINCRBY', KEYS[b + 3], 'attempts:' .. label, ver - oldver)
    if perf ~= oldperf then
      redis.call('HINCRBY', KEYS[b + 3], 'perfect:' .. label, perf - oldperf)
    end
  end
  redis.call('HSET', KEYS[b], pid, member)
  redis.call('HSET', KEYS[b + 1], pid, ver .. ':' .. perf)
  return 1, nxt
end
"""

# One participant onto the live keyset and, while a rebuild holds the lock, onto its staging
# keyset too, so the swap cannot lose it. KEYS: lock, version, live keyset, staging keyset
# (same shape). ARGV[1] board keys per keyset, ARGV[2] pub/sub channel, then one entry.
# Returns the board version after the call, or 0 when nothing changed.
_UPSERT = _APPLY + """
local nb = tonumber(ARGV[1])
local changed = apply(3, 3)
if redis.call('EXISTS', KEYS[1]) == 1 then apply(3 + 4 + nb, 3) end
if changed == 0 then return 0 end
local v = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[2], v)
return v
"""

# Many entries onto one keyset (a rebuild's snapshot). KEYS: keyset; ARGV: entries.
_BATCH = _APPLY + """
local i, done = 1, 0
while i <= #ARGV do
  local c
  c, i = apply(1, i)
  done = done + c
end
return done
"""

# Competition rank of the entry at a position: 1 + the number of entries strictly better,
# found by stepping back from the position over exact ties only (equal score and equal
# submission time), so the cost stays O(log N) however large the groups of equal score and
# duration are. n: digits of the time prefix.
_COMP_RANK = """
local function comp_rank(key, pos, m, n)
  local s = tonumber(redis.call('ZSCORE', key, m))
  local prefix = string.sub(m, 1, n)
  local r = pos
  while r > 0 do
    local lo = math.max(0, r - 32)
    local rows = redis.call('ZRANGE', key, lo, r - 1, 'WITHSCORES')
    local k = #rows - 1
    while k >= 1 do
      if tonumber(rows[k + 1]) ~= s or string.sub(rows[k], 1, n) ~= prefix then
        return r + 1
      end
      r = r - 1
      k = k - 2
    end
  end
  return r + 1
end
"""

# A participant's {rank, position} on a board, or false. KEYS: board, members;
# ARGV: pid, digits of the time prefix.
_RANK = _COMP_RANK + """
local m = redis.call('HGET', KEYS[2], ARGV[1])
if not m then return false end
local pos = redis.call('ZRANK', KEYS[1], m)
if not pos then return false end
return {comp_rank(KEYS[1], pos, m, tonumber(ARGV[2])), pos}
"""

# One page read atomically: {total, rank of the first line, member, score, member, ...}.
# KEYS: board; ARGV: offset, limit, digits of the time prefix.
_PAGE = _COMP_RANK + """
local off, lim = tonumber(ARGV[1]), tonumber(ARGV[2])
local total = redis.call('ZCARD', KEYS[1])
local rows = redis.call('ZRANGE', KEYS[1], off, off + lim - 1, 'WITHSCORES')
local first = 0
if #rows > 0 then first = comp_rank(KEYS[1], off, rows[1], tonumber(ARGV[3])) end
local out = {total, first}
for i = 1, #rows do out[#out + 1] = rows[i] end
return out
"""


# Start a rebuild: take the lock unless held, and clear a staging keyset a crashed rebuild
# left behind. KEYS: lock, staging members, state, scopes, stats, then staging boards (the
# scopes the caller read from the staging scopes set). ARGV: token, ttl, count of scopes read.
_BEGIN = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('SCARD', KEYS[4]) ~= tonumber(ARGV[3]) then return -1 end
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
return 1
"""

# Finish a rebuild: swap the staging keyset in place of the live one atomically.
# KEYS: lock, version, built, live members/state/scopes/stats, staging members/state/scopes/
# stats, then nl live boards, then ns staging boards followed by their ns live targets.
# ARGV: token, nl, ns, channel, version floor (after Redis lost the version counter, it
# restarts from the floor, a clock reading, so SSE ids never go back). Returns the new
# version, 0 if the lock was lost, -1 when the scopes changed since the caller read them
# (the caller retries).
_SWAP = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local nl, ns = tonumber(ARGV[2]), tonumber(ARGV[3])
if redis.call('SCARD', KEYS[6]) ~= nl - 1 or redis.call('SCARD', KEYS[10]) ~= ns - 1 then
  return -1
end
for i = 1, nl do redis.call('DEL', KEYS[11 + i]) end
for i = 4, 7 do
  if redis.call('EXISTS', KEYS[i + 4]) == 1 then redis.call('RENAME', KEYS[i + 4], KEYS[i])
  else redis.call('DEL', KEYS[i]) end
end
for i = 1, ns do
  local src, dst = KEYS[11 + nl + i], KEYS[11 + nl + ns + i]
  if redis.call('EXISTS', src) == 1 then redis.call('RENAME', src, dst) end
end
redis.call('SET', KEYS[3], '1')
redis.call('DEL', KEYS[1])
local v = redis.call('INCR', KEYS[2])
if v < tonumber(ARGV[5]) then
  v = tonumber(ARGV[5])
  redis.call('SET', KEYS[2], v)
end
redis.call('PUBLISH', ARGV[4], v)
return v
"""


@dataclass(frozen=True)
class Entry:
    """A participant's counted attempt as the boards store it."""

    standing: Standing
    scopes: Sequence[str]  # u:<unit> for the unit and each ancestor, g:<group>
    version: int  # submitted attempts of the participant in the round
    perfect: bool


@dataclass(frozen=True)
class BoardEntry:
    """One line of a board page."""

    rank: int
    standing: Standing


@dataclass(frozen=True)
class Page:
    """A slice of a board: total entries, the position of the first line, the lines."""

    total: int
    start: int
    entries: list[BoardEntry]


def _keyset(round_id: int, view: str) -> list[str]:
    return [keys.board_members(round_id, view), keys.board_state(round_id, view),
            keys.board_scopes(round_id, view), keys.round_stats(round_id, view)]


def _entry_args(e: Entry, board_index: dict[str, int]) -> list[str | int]:
    score, member = encode(e.standing)
    labels = [ALL, *e.scopes]
    args: list[str | int] = [e.standing.participant_id, member, score, e.version,
                             int(e.perfect), len(labels)]
    for label in labels:
        args += [board_index[label], label]
    return args


class RebuildBusy(Exception):
    """Another process holds the round's rebuild lock."""


class LiveBoards:
    """Leaderboard operations for all rounds over one Redis client."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        self._upsert = Script(redis, _UPSERT)
        self._batch = Script(redis, _BATCH)
        self._rank = Script(redis, _RANK)
        self._page = Script(redis, _PAGE)
        self._begin = Script(redis, _BEGIN)
        self._swap = Script(redis, _SWAP)

    async def upsert(self, round_id: int, entry: Entry) -> int:
        """Put a participant's counted attempt on every board of their scopes, atomically.

        Returns the round's new board version, or 0 when the entry was not newer than the
        stored one (nothing changed).
        """
        labels = [ALL, *entry.scopes]
        index = {label: i for i, label in enumerate(labels)}
        live = _keyset(round_id, keys.LIVE) + [keys.board(round_id, s) for s in labels]
        staged = _keyset(round_id, keys.STAGED) + [
            keys.board(round_id, s, keys.STAGED) for s in labels]
        version = await self._upsert(
            keys=[keys.rebuild_lock(round_id), keys.board_version(round_id), *live, *staged],
            args=[len(labels), keys.board_events(round_id), *_entry_args(entry, index)],
        )
        return int(version)

    async def write(self, round_id: int, entries: Iterable[Entry], view: str,
                    batch_size: int = 500) -> int:
        """Apply entries to a view's keyset in batches (version-checked); returns how many."""
        count = 0
        batch: list[Entry] = []
        for e in entries:
            batch.append(e)
            if len(batch) >= batch_size:
                count += await self._write_batch(round_id, batch, view)
                batch = []
        return count + await self._write_batch(round_id, batch, view)

    async def _write_batch(self, round_id: int, batch: Sequence[Entry], view: str) -> int:
        if not batch:
            return 0
        labels = list(dict.fromkeys(s for e in batch for s in (ALL, *e.scopes)))
        index = {label: i for i, label in enumerate(labels)}
        args: list[str | int] = []
        for e in batch:
            args += _entry_args(e, index)
        await self._batch(
            keys=[*_keyset(round_id, view), *(keys.board(round_id, s, view) for s in labels)],
            args=args)
        return len(batch)

    async def _scopes(self, round_id: int, view: str) -> list[str]:
        return sorted(str(s) for s in await self.redis.smembers(keys.board_scopes(round_id, view)))

    async def begin_rebuild(self, round_id: int) -> str:
        """Take the round's rebuild lock and clear its staging keys; returns the lock token.

        From now until swap, every upsert also lands in the staging keys. Raises RebuildBusy.
        """
        token = uuid.uuid4().hex
        for _ in range(10):
            scopes = await self._scopes(round_id, keys.STAGED)
            done = await self._begin(
                keys=[keys.rebuild_lock(round_id), *_keyset(round_id, keys.STAGED),
                      *(keys.board(round_id, s, keys.STAGED) for s in [ALL, *scopes])],
                args=[token, LOCK_TTL_S, len(scopes)])
            if done == 1:
                return token
            if done == 0:
                raise RebuildBusy()
        raise RebuildBusy()  # pragma: no cover - staging scopes kept changing

    async def swap(self, round_id: int, token: str, version_floor: int = 0) -> int:
        """Replace the live boards by the staging ones in one step; returns the new version.

        Raises RebuildBusy when the lock expired or was taken over.
        """
        for _ in range(10):
            live = [ALL, *await self._scopes(round_id, keys.LIVE)]
            staged = [ALL, *await self._scopes(round_id, keys.STAGED)]
            version = await self._swap(
                keys=[keys.rebuild_lock(round_id), keys.board_version(round_id),
                      keys.board_built(round_id), *_keyset(round_id, keys.LIVE),
                      *_keyset(round_id, keys.STAGED),
                      *(keys.board(round_id, s) for s in live),
                      *(keys.board(round_id, s, keys.STAGED) for s in staged),
                      *(keys.board(round_id, s) for s in staged)],
                args=[token, len(live), len(staged), keys.board_events(round_id),
                      version_floor])
            if version > 0:
                return int(version)
            if version == 0:
                raise RebuildBusy()
        raise RebuildBusy()  # pragma: no cover - scopes kept changing

    async def abort_rebuild(self, round_id: int, token: str) -> None:
        """Release the rebuild lock if this token still holds it (after a failed rebuild)."""
        if await self.redis.get(keys.rebuild_lock(round_id)) == token:
            await self.redis.delete(keys.rebuild_lock(round_id))

    async def rank(self, round_id: int, participant_id: str, scope: str = ALL,
                   view: str = keys.LIVE) -> tuple[int, int] | None:
        """(competition rank, position) of a participant on a board, or None when not on it."""
        found = await self._rank(
            keys=[keys.board(round_id, scope, view), keys.board_members(round_id, view)],
            args=[participant_id, OFFSET_DIGITS])
        return (int(found[0]), int(found[1])) if found else None

    async def page(self, round_id: int, scope: str = ALL, offset: int = 0, limit: int = 20,
                   view: str = keys.LIVE) -> Page:
        """One page of a board in rank order, with competition ranks and the board's total."""
        found = await self._page(keys=[keys.board(round_id, scope, view)],
                                 args=[offset, limit, OFFSET_DIGITS])
        total, first, flat = int(found[0]), int(found[1]), found[2:]
        standings = [decode(float(flat[i + 1]), flat[i]) for i in range(0, len(flat), 2)]
        ranks = competition_ranks(standings, first)
        return Page(total, offset,
                    [BoardEntry(r, s) for r, s in zip(ranks, standings, strict=True)])

    async def around(self, round_id: int, participant_id: str, before: int, after: int,
                     scope: str = ALL, view: str = keys.LIVE) -> Page | None:
        """The entries around a participant (before above, after below), or None if absent."""
        found = await self.rank(round_id, participant_id, scope, view)
        if found is None:
            return None
        _, pos = found
        start = max(0, pos - before)
        return await self.page(round_id, scope, start, pos - start + after + 1, view)

    async def stats(self, round_id: int, scope: str = ALL,
                    view: str = keys.LIVE) -> dict[str, int]:
        """Counters of a scope: participants, submitted attempts, perfect counted scores."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zcard(keys.board(round_id, scope, view))
            pipe.hmget(keys.round_stats(round_id, view), [f"attempts:{scope}", f"perfect:{scope}"])
            participants, (attempts, perfect) = await pipe.execute()
        return {"participants": int(participants), "attempts": int(attempts or 0),
                "perfect": int(perfect or 0)}

    async def entry_version(self, round_id: int, participant_id: str,
                            view: str = keys.LIVE) -> int:
        """The stored version (submitted attempts) of a participant's entry, 0 if absent."""
        state = await self.redis.hget(keys.board_state(round_id, view), participant_id)
        return int(str(state).split(":")[0]) if state else 0

    async def version(self, round_id: int) -> int:
        """The round's board version (bumped on every change of the live boards)."""
        return int(await self.redis.get(keys.board_version(round_id)) or 0)

    async def bump(self, round_id: int) -> int:
        """Bump the round's board version and tell every process (the public view changed)."""
        v = int(await self.redis.incr(keys.board_version(round_id)))
        await self.redis.publish(keys.board_events(round_id), str(v))
        return v

    async def is_built(self, round_id: int, view: str = keys.LIVE) -> bool:
        """True when a view's boards exist (built from SQL since Redis last lost data)."""
        return bool(await self.redis.exists(keys.board_built(round_id, view)))

    async def drop_view(self, round_id: int, view: str) -> None:
        """Delete every key of a view (used for the frozen copy on reveal or rebuild)."""
        scopes = await self._scopes(round_id, view)
        await self.redis.delete(keys.board_built(round_id, view), *_keyset(round_id, view),
                                *(keys.board(round_id, s, view) for s in [ALL, *scopes]))

    async def mark_built(self, round_id: int, view: str) -> None:
        """Mark a view built (after writing all of it)."""
        await self.redis.set(keys.board_built(round_id, view), "1")
