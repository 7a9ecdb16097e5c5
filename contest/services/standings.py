"""Keeping the live boards in step with SQL, and reading them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

from redis.exceptions import RedisError
from sqlalchemy import select

from contest.domain.ranking import Standing
from contest.domain.policy import duration_ms
from contest.errors import NotFound
from contest.services.catalog import unit_chain
from contest.services.context import Services, log
from contest.storage import keys
from contest.storage.tables import Attempt, Participant, Round, RoundEntry, Unit


@dataclass(frozen=True)
class PublicEntry:
    """A board line as the public sees it."""

    rank: int
    participant_id: str
    full_name: str
    unit_name: str
    score_milli: int
    duration_ms: int


async def _scopes(ctx: Services, unit_code: str, group_code: str) -> list[str]:
    chain = await unit_chain(ctx, unit_code)
    return [*(keys.unit_scope(c) for c in chain), keys.group_scope(group_code)]


def _standing(r: Round, att: Attempt) -> Standing:
    submitted = att.submitted_at or att.started_at
    return Standing(
        score_milli=att.score_milli or 0,
        duration_ms=att.duration_ms or 0,
        submitted_offset_ms=duration_ms(r.opens_at, submitted),
        participant_id=att.participant_id,
    )


async def after_submit(ctx: Services, r: Round, participant_id: str) -> None:
    """Put the participant's counted attempt on the live boards; never raises for Redis.

    SQL already holds the result; when Redis is unreachable the round is marked stale and the
    sweep rebuilds its boards once Redis answers again.
    """
    assert r.id is not None
    async with ctx.sm() as s:
        row = (await s.execute(
            select(Attempt, Participant.unit_code, Participant.group_code)
            .join(RoundEntry, RoundEntry.counted_attempt_id == Attempt.id)
            .join(Participant, Participant.id == Attempt.participant_id)
            .where(RoundEntry.round_id == r.id, RoundEntry.participant_id == participant_id)
        )).first()
    if row is None:
        return
    att, unit_code, group_code = row
    try:
        if not await ctx.boards.is_built(r.id):
            ctx.stale_rounds.add(r.id)  # rebuilt by the sweep, not on the submit's path
        await ctx.boards.upsert(r.id, _standing(r, att), await _scopes(ctx, unit_code, group_code))
        await ctx.boards.count_attempt(r.id)
        await ctx.boards.publish_change(r.id)
    except RedisError as exc:
        log.warning("board update for round %s deferred: %s", r.id, exc)
        ctx.stale_rounds.add(r.id)


async def live_rank(ctx: Services, round_id: int, participant_id: str) -> int | None:
    """The participant's rank on the round's live board, or None (not ranked, or pending)."""
    try:
        await ensure_built(ctx, round_id)
        return await ctx.boards.rank(round_id, participant_id)
    except RedisError:
        return None


async def _sql_entries(ctx: Services, r: Round) -> AsyncIterator[tuple[Standing, list[str]]]:
    async with ctx.sm() as s:
        result = await s.stream(
            select(Attempt, Participant.unit_code, Participant.group_code)
            .join(RoundEntry, RoundEntry.counted_attempt_id == Attempt.id)
            .join(Participant, Participant.id == Attempt.participant_id)
            .where(RoundEntry.round_id == r.id)
        )
        async for att, unit_code, group_code in result:
            yield _standing(r, att), await _scopes(ctx, unit_code, group_code)


async def rebuild(ctx: Services, round_id: int) -> int:
    """Rebuild every board and counter of a round from SQL; returns the entries written.

    Raises NotFound for an unknown round.
    """
    async with ctx.sm() as s:
        r = await s.get(Round, round_id)
        if r is None:
            raise NotFound()
        from contest.services.attempts import submitted_count

        attempts = await submitted_count(s, round_id)
    entries = [e async for e in _sql_entries(ctx, r)]
    count = await ctx.boards.rebuild(round_id, entries, attempts)
    ctx.stale_rounds.discard(round_id)
    return count


async def ensure_built(ctx: Services, round_id: int) -> None:
    """Rebuild a round's boards when Redis lost them (one process rebuilds, others wait)."""
    if await ctx.boards.is_built(round_id):
        return
    lock = keys.rebuild_lock(round_id)
    if await ctx.redis.set(lock, "1", nx=True, ex=120):
        try:
            await rebuild(ctx, round_id)
        finally:
            await ctx.redis.delete(lock)
        return
    for _ in range(100):  # another process is rebuilding: wait for it, at most ~10 s
        await asyncio.sleep(0.1)
        if await ctx.boards.is_built(round_id):
            return


async def leaderboard(ctx: Services, round_id: int, unit: str | None,
                      limit: int, offset: int = 0) -> tuple[int, list[PublicEntry]]:
    """(total, page) of a round's live board, optionally for a unit and its subtree.

    Raises NotFound for an unknown round or unit.
    """
    async with ctx.sm() as s:
        r = await s.get(Round, round_id)
        if r is None or r.kind == "practice":
            raise NotFound()
        if unit is not None and await s.scalar(select(Unit.id).where(Unit.code == unit)) is None:
            raise NotFound()
    await ensure_built(ctx, round_id)
    scope = keys.unit_scope(unit) if unit else "all"
    total, page = await ctx.boards.page(round_id, scope, offset, limit)
    ids = [e.standing.participant_id for e in page]
    async with ctx.sm() as s:
        people = {
            pid: (name, unit_name)
            for pid, name, unit_name in (await s.execute(
                select(Participant.id, Participant.full_name, Unit.name)
                .join(Unit, Unit.code == Participant.unit_code)
                .where(Participant.id.in_(ids))  # type: ignore[attr-defined]
            )).all()
        }
    return total, [
        PublicEntry(e.rank, e.standing.participant_id, *people.get(e.standing.participant_id, ("", "")),
                    e.standing.score_milli, e.standing.duration_ms)
        for e in page
    ]


async def rebuild_stale(ctx: Services) -> None:
    """Rebuild the boards of rounds that missed updates, once Redis answers."""
    for round_id in list(ctx.stale_rounds):
        try:
            await rebuild(ctx, round_id)
        except RedisError:
            return
