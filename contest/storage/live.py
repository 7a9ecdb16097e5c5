"""Live leaderboards in Redis: atomic upserts, ranks, pages, rebuilds from standings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import redis.asyncio as aioredis

from contest.domain.ranking import Standing, competition_ranks, decode, encode
from contest.storage import keys

# Replace a participant's entry on every board of their scopes, atomically.
# KEYS[1] members hash, KEYS[2] scopes set, KEYS[3..] boards; ARGV: pid, member, score, scopes...
_UPSERT = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
for i = 3, #KEYS do
  if old then redis.call('ZREM', KEYS[i], old) end
  redis.call('ZADD', KEYS[i], ARGV[3], ARGV[2])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
for i = 4, #ARGV do redis.call('SADD', KEYS[2], ARGV[i]) end
return old and 0 or 1
"""

# Competition rank of a participant on one board: 1 + entries strictly better.
# KEYS[1] members hash, KEYS[2] board; ARGV[1] pid, ARGV[2] digits of the time prefix.
_RANK = """
local m = redis.call('HGET', KEYS[1], ARGV[1])
if not m then return false end
local s = redis.call('ZSCORE', KEYS[2], m)
if not s then return false end
local better = redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. s)
local n = tonumber(ARGV[2])
local prefix = string.sub(m, 1, n)
local same = redis.call('ZRANGEBYSCORE', KEYS[2], s, s)
for _, x in ipairs(same) do
  if string.sub(x, 1, n) < prefix then better = better + 1 end
end
return {better + 1, s, m}
"""


@dataclass(frozen=True)
class BoardEntry:
    """One line of a board page."""

    rank: int
    standing: Standing


class LiveBoards:
    """Leaderboard operations for all rounds over one Redis client."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        self._upsert = redis.register_script(_UPSERT)
        self._rank = redis.register_script(_RANK)

    async def upsert(self, round_id: int, standing: Standing, scopes: Sequence[str]) -> bool:
        """Put a participant's counted attempt on the round board and each scope's board.

        Returns True when the participant was new to the round.
        """
        score, member = encode(standing)
        board_keys = [keys.board(round_id), *(keys.board(round_id, s) for s in scopes)]
        new = await self._upsert(
            keys=[keys.board_members(round_id), keys.board_scopes(round_id), *board_keys],
            args=[standing.participant_id, member, score, *scopes],
        )
        return bool(new)

    async def count_attempt(self, round_id: int) -> None:
        """Add one submitted attempt to the round's live counter."""
        await self.redis.hincrby(keys.round_stats(round_id), "attempts", 1)

    async def rank(self, round_id: int, participant_id: str, scope: str = "all") -> int | None:
        """Competition rank of a participant on a board, or None when not on it."""
        found = await self._rank(
            keys=[keys.board_members(round_id), keys.board(round_id, scope)],
            args=[participant_id, 12],
        )
        return int(found[0]) if found else None

    async def page(
        self, round_id: int, scope: str = "all", offset: int = 0, limit: int = 20
    ) -> tuple[int, list[BoardEntry]]:
        """(total entries, one page of the board in rank order)."""
        key = keys.board(round_id, scope)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zcard(key)
            pipe.zrange(key, offset, offset + limit - 1, withscores=True)
            total, rows = await pipe.execute()
        standings = [decode(score, member) for member, score in rows]
        if not standings:
            return int(total), []
        first = await self.rank(round_id, standings[0].participant_id, scope) or offset + 1
        ranks = competition_ranks(standings, first)
        return int(total), [BoardEntry(r, s) for r, s in zip(ranks, standings, strict=True)]

    async def stats(self, round_id: int, perfect_score_milli: int | None) -> dict[str, int]:
        """Live counters: participants, attempts and (given the round's max) perfect scores."""
        key = keys.board(round_id)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zcard(key)
            pipe.hget(keys.round_stats(round_id), "attempts")
            if perfect_score_milli is not None:
                lo, _ = encode(Standing(perfect_score_milli, 0, 0, ""))
                hi, _ = encode(Standing(perfect_score_milli, (1 << 32) - 1, 0, ""))
                pipe.zcount(key, lo, hi)
            out = await pipe.execute()
        stats = {"participants": int(out[0]), "attempts": int(out[1] or 0)}
        if perfect_score_milli is not None:
            stats["perfect"] = int(out[2])
        return stats

    async def is_built(self, round_id: int) -> bool:
        """True when the round's boards exist (built from SQL since Redis last lost data)."""
        return bool(await self.redis.exists(keys.board_built(round_id)))

    async def rebuild(
        self,
        round_id: int,
        entries: Iterable[tuple[Standing, Sequence[str]]],
        attempts: int,
    ) -> int:
        """Replace every board of the round with entries (standing, scopes); returns the count.

        Entries written by concurrent submits while this runs are re-applied by the caller.
        """
        old_scopes = await self.redis.smembers(keys.board_scopes(round_id))
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(
                keys.board(round_id),
                keys.board_members(round_id),
                keys.board_scopes(round_id),
                *(keys.board(round_id, s) for s in old_scopes),
            )
            await pipe.execute()
        count = 0
        batch: list[tuple[Standing, Sequence[str]]] = []
        for entry in entries:
            batch.append(entry)
            if len(batch) >= 1000:
                count += await self._write_batch(round_id, batch)
                batch = []
        count += await self._write_batch(round_id, batch)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.round_stats(round_id), "attempts", attempts)
            pipe.set(keys.board_built(round_id), "1")
            await pipe.execute()
        return count

    async def _write_batch(
        self, round_id: int, batch: Sequence[tuple[Standing, Sequence[str]]]
    ) -> int:
        if not batch:
            return 0
        boards: dict[str, dict[str, float]] = {}
        members: dict[str, str] = {}
        scopes: set[str] = set()
        for standing, entry_scopes in batch:
            score, member = encode(standing)
            members[standing.participant_id] = member
            for scope in ("all", *entry_scopes):
                boards.setdefault(scope, {})[member] = score
            scopes.update(entry_scopes)
        async with self.redis.pipeline(transaction=False) as pipe:
            for scope, mapping in boards.items():
                pipe.zadd(keys.board(round_id, scope), mapping)
            pipe.hset(keys.board_members(round_id), mapping=members)
            if scopes:
                pipe.sadd(keys.board_scopes(round_id), *scopes)
            await pipe.execute()
        return len(batch)

    async def publish_change(self, round_id: int) -> None:
        """Tell every process that a round's board changed."""
        await self.redis.publish(keys.board_events(round_id), "changed")
