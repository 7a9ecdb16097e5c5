"""Keeping the live boards in step with SQL, and reading them (public, frozen or staff)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime

from redis.exceptions import RedisError
from sqlalchemy import func, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from contest.core.context import Services, log
from contest.domain import policy
from contest.domain.vocabulary import AttemptStatus, RoundKind
from contest.errors import NotFound, ValidationFailed
from contest.live.entries import (
    Scope,
    contest_min_age,
    eligibility,
    frozen_entries,
    is_frozen,
    live_entries,
    load_tree,
    perfect,
    prior_prize,
    ranked_round,
    scopes,
    shown_duration,
    standing,
    submission_first,
)
from contest.setup.catalog import unit_chain
from contest.storage import keys
from contest.storage.live import Entry, Page, RebuildBusy
from contest.storage.tables import Attempt, Contest, Participant, Round, RoundEntry, Unit

WAIT_STEPS = 100  # x 0.1 s: how long a reader waits for another process's rebuild


@dataclass(frozen=True)
class PublicEntry:
    """A board line as the public sees it (the name is masked when rendered)."""

    rank: int
    participant_id: str
    full_name: str
    unit_name: str
    score_milli: int
    duration_ms: int


@dataclass(frozen=True)
class BoardRead:
    """A page of a board as served: total after the filter, lines, and which view it is."""

    total: int
    start: int
    entries: list[PublicEntry]
    frozen: bool


# ---- writes -----------------------------------------------------------------------------


async def after_submit(ctx: Services, r: Round, participant_id: str) -> None:
    """Put the participant's counted attempt on the live boards (read from SQL); never
    raises for Redis."""
    assert r.id is not None
    async with ctx.sm() as s:
        row = (await s.execute(
            sa_select(Attempt, col(RoundEntry.attempts_submitted), col(Participant.unit_code),
                      col(Participant.group_code), col(Participant.birth_date), prior_prize(r),
                      contest_min_age(r))
            .join(RoundEntry, col(RoundEntry.counted_attempt_id) == Attempt.id)
            .join(Participant, col(Participant.id) == Attempt.participant_id)
            .where(col(RoundEntry.round_id) == r.id,
                   col(RoundEntry.participant_id) == participant_id)
        )).first()
    if row is not None:
        await publish(ctx, r, *row)


async def publish(ctx: Services, r: Round, att: Attempt, version: int, unit_code: str,
                  group_code: str, birth: date | None, prior: bool | None,
                  contest_min_age: int | None) -> None:
    """Put a counted attempt (the entry's version-th submit) on the live boards unless the
    prize rules say its entrant cannot win; never raises for Redis.

    SQL already holds the result; when Redis is unreachable the round is marked stale in SQL
    and any process's sweep rebuilds its boards once Redis answers again.
    """
    assert r.id is not None
    await unit_chain(ctx, unit_code)  # cached; _scopes needs it too
    if eligibility(ctx, r).excludes(ctx, att.participant_id, unit_code, group_code, birth,
                                    att.score_milli or 0, bool(prior), contest_min_age):
        return  # cannot win: not on the public board (their own result still shows)
    entry = Entry(standing(r, att), await scopes(ctx, unit_code, group_code), version,
                  perfect(att))
    try:
        await ctx.boards.upsert(r.id, entry)
        if is_frozen(r, ctx.now()):
            await _refresh_frozen(ctx, r, att.participant_id)
    except RedisError as exc:
        log.warning("board update for round %s deferred: %s", r.id, exc)
        await _mark_stale(ctx, r.id)


async def _refresh_frozen(ctx: Services, r: Round, participant_id: str) -> None:
    """Drop the frozen copy when it misses an attempt that ended before the freeze.

    An attempt that timed out before the freeze but was closed by the sweep after the copy
    was built belongs on it; the copy is rebuilt from SQL on the next read.
    """
    assert r.id is not None and r.board_frozen_at is not None
    if not await ctx.boards.is_built(r.id, keys.FROZEN):
        return
    async with ctx.sm() as s:
        before = await s.scalar(select(func.count()).select_from(Attempt).where(
            col(Attempt.round_id) == r.id, col(Attempt.participant_id) == participant_id,
            col(Attempt.status) == AttemptStatus.SUBMITTED,
            col(Attempt.submitted_at) < r.board_frozen_at))
    if (before or 0) != await ctx.boards.entry_version(r.id, participant_id, keys.FROZEN):
        await ctx.boards.drop_view(r.id, keys.FROZEN)
        await ctx.boards.bump(r.id)


async def _mark_stale(ctx: Services, round_id: int) -> None:
    ctx.stale_rounds.add(round_id)
    async with ctx.sm() as s, s.begin():
        await s.execute(update(Round).where(col(Round.id) == round_id)
                        .values(board_stale=col(Round.board_stale) + 1))


async def rebuild(ctx: Services, round_id: int) -> int:
    """Rebuild every board and counter of a round from SQL; returns the entries written.

    Submits keep landing while it runs: the lock makes each of them also write into the
    staging keys, with versions, so the swap loses none. Raises NotFound, RebuildBusy.
    """
    r = await ranked_round(ctx, round_id)
    stale_seen = r.board_stale
    token = await ctx.boards.begin_rebuild(round_id)
    try:
        entries = await live_entries(ctx, r)  # the SQL snapshot, read after taking the lock
        count = await ctx.boards.write(round_id, entries, keys.STAGED)
        # Board versions are SSE ids: after a flush they restart above any earlier one.
        await ctx.boards.swap(round_id, token, int(ctx.now().timestamp() * 1000))
    except BaseException:
        await ctx.boards.abort_rebuild(round_id, token)
        raise
    await ctx.boards.drop_view(round_id, keys.FROZEN)  # rebuilt from SQL on the next read
    ctx.stale_rounds.discard(round_id)
    if stale_seen:
        async with ctx.sm() as s, s.begin():
            # Only clear what this rebuild covered: a miss recorded meanwhile keeps it stale.
            await s.execute(update(Round).where(
                col(Round.id) == round_id, col(Round.board_stale) == stale_seen)
                .values(board_stale=0))
    return count


async def ensure_built(ctx: Services, round_id: int) -> None:
    """Rebuild a round's boards when Redis lost them (one process rebuilds, others wait)."""
    if await ctx.boards.is_built(round_id):
        return
    try:
        await rebuild(ctx, round_id)
        return
    except RebuildBusy:
        pass
    for _ in range(WAIT_STEPS):
        await asyncio.sleep(0.1)
        if await ctx.boards.is_built(round_id):
            return


_background: dict[tuple[int, int], asyncio.Task[None]] = {}
RANK_WAIT_S = 2.0  # how long a submit waits for a rebuild it started before answering "pending"


def _rebuild_later(ctx: Services, round_id: int) -> asyncio.Task[None]:
    """Start a rebuild in the background (one per round and process); returns its task."""
    key = (id(ctx), round_id)
    running = _background.get(key)
    if running is not None and not running.done():
        return running

    async def run() -> None:
        try:
            await ensure_built(ctx, round_id)
        except (RedisError, NotFound) as exc:
            log.warning("background rebuild of round %s failed: %s", round_id, exc)
        finally:
            _background.pop(key, None)

    task = asyncio.get_running_loop().create_task(run())
    _background[key] = task
    return task


async def rebuild_stale(ctx: Services) -> None:
    """Rebuild the boards of rounds that missed updates (any process's), once Redis answers."""
    async with ctx.sm() as s:
        found = (await s.scalars(select(Round.id).where(col(Round.board_stale) > 0))).all()
    stale = {i for i in found if i is not None}
    for round_id in sorted(stale | ctx.stale_rounds):
        try:
            await rebuild(ctx, round_id)
        except RebuildBusy:
            continue
        except NotFound:
            ctx.stale_rounds.discard(round_id)
        except RedisError:
            return


# ---- the frozen view -------------------------------------------------------------------


async def _ensure_frozen(ctx: Services, r: Round) -> None:
    """Build the frozen copy from SQL on first need (it depends only on rows before the freeze)."""
    assert r.id is not None
    if await ctx.boards.is_built(r.id, keys.FROZEN):
        return
    lock = keys.frozen_lock(r.id)
    if await ctx.redis.set(lock, "1", nx=True, ex=120):
        try:
            await ctx.boards.drop_view(r.id, keys.FROZEN)
            await ctx.boards.write(r.id, await frozen_entries(ctx, r), keys.FROZEN)
            await ctx.boards.mark_built(r.id, keys.FROZEN)
        finally:
            await ctx.redis.delete(lock)
        return
    for _ in range(WAIT_STEPS):
        await asyncio.sleep(0.1)
        if await ctx.boards.is_built(r.id, keys.FROZEN):
            return


async def _view(ctx: Services, r: Round, staff: bool) -> str:
    """The view a reader sees (building what is missing): frozen for the public when frozen."""
    assert r.id is not None
    if not staff and is_frozen(r, ctx.now()):
        await _ensure_frozen(ctx, r)
        return keys.FROZEN
    await ensure_built(ctx, r.id)
    return keys.LIVE


# ---- reads ------------------------------------------------------------------------------


async def live_rank(ctx: Services, round_id: int, participant_id: str,
                    staff: bool = False, known: Round | None = None) -> int | None:
    """The participant's rank as the public board shows it, or None (not ranked, or pending).

    Never waits for a rebuild: when the boards are missing it starts one and answers None.
    `known` is the round when the caller has just read it (no second read).
    """
    try:
        r = known if known is not None and known.kind != RoundKind.PRACTICE else \
            await ranked_round(ctx, round_id)
        if not staff and is_frozen(r, ctx.now()):
            view = await _view(ctx, r, staff)
        elif await ctx.boards.is_built(round_id):
            view = keys.LIVE
        else:
            # Boards missing (a new round, or Redis lost them): rebuild off the request's
            # path and wait briefly; a large round answers "pending" rather than stall.
            task = _rebuild_later(ctx, round_id)
            try:
                await asyncio.wait_for(asyncio.shield(task), RANK_WAIT_S)
            except TimeoutError:
                return None
            view = keys.LIVE
        found = await ctx.boards.rank(round_id, participant_id, view=view)
        return found[0] if found else None
    except RedisError:
        return None
    except NotFound:
        return None


async def _check_scope(ctx: Services, r: Round, scope: Scope) -> None:
    """Raises NotFound for an unknown unit or group, ValidationFailed for both at once."""
    if scope.unit and scope.group:
        raise ValidationFailed(fields={"group": "field.board_scope"})
    async with ctx.sm() as s:
        if scope.unit and await s.scalar(
                select(Unit.id).where(col(Unit.code) == scope.unit)) is None:
            raise NotFound()
        if scope.group:
            contest = await s.get(Contest, r.contest_id)
            if contest is None or scope.group not in {g["code"] for g in contest.groups}:
                raise NotFound()


async def _public(ctx: Services, r: Round, page: Page, frozen: bool) -> BoardRead:
    ids = [e.standing.participant_id for e in page.entries]
    async with ctx.sm() as s:
        people = {
            pid: (name, unit_name)
            for pid, name, unit_name in (await s.execute(
                select(Participant.id, Participant.full_name, Unit.name)
                .join(Unit, col(Unit.code) == Participant.unit_code, isouter=True)
                .where(col(Participant.id).in_(ids))
            )).all()
        } if ids else {}
    return BoardRead(page.total, page.start, [
        PublicEntry(e.rank, e.standing.participant_id,
                    *(people.get(e.standing.participant_id) or ("", "")),
                    e.standing.score_milli, shown_duration(r, e.standing))
        for e in page.entries], frozen)


def scores_visible(ctx: Services, r: Round) -> bool:
    """True when participants may see scores and ranks of the round now (its setting, else
    after the close for multi-attempt ranked rounds: contest.domain.policy.score_visible)."""
    return policy.score_visible(r.kind, r.max_attempts, r.score_shown, ctx.now(), r.closes_at)


async def scores_hidden_until(ctx: Services, round_id: int) -> datetime | None:
    """The round's close when its scores are still hidden from participants, else None."""
    async with ctx.sm() as s:
        r = await s.get(Round, round_id)
    return None if r is None else hidden_until(ctx, r)


def hidden_until(ctx: Services, r: Round) -> datetime | None:
    """The round's close when its scores are still hidden from participants, else None."""
    return None if scores_visible(ctx, r) else r.closes_at


async def leaderboard(ctx: Services, round_id: int, unit: str | None, limit: int,
                      offset: int = 0, group: str | None = None,
                      staff: bool = False) -> BoardRead:
    """A page of a round's board, whole or for a unit's subtree or a group.

    The public (staff=False) sees the frozen board while the round is frozen, and an empty
    frozen board while the round hides scores (each one would be an answer oracle).
    Raises NotFound for an unknown round, unit or group; ValidationFailed for unit+group.
    """
    r = await ranked_round(ctx, round_id, public=not staff)
    scope = Scope(unit, group)
    await _check_scope(ctx, r, scope)
    if not staff and not scores_visible(ctx, r):
        return BoardRead(0, offset, [], True)
    view = await _view(ctx, r, staff)
    page = await ctx.boards.page(round_id, scope.key, offset, limit, view)
    return await _public(ctx, r, page, view == keys.FROZEN)


async def around_me(ctx: Services, round_id: int, participant_id: str, before: int, after: int,
                    unit: str | None = None, group: str | None = None,
                    staff: bool = False) -> BoardRead | None:
    """The lines around a participant's own entry, or None when they are not on the board.

    Raises NotFound for an unknown round, unit or group; ValidationFailed for unit+group.
    """
    r = await ranked_round(ctx, round_id, public=not staff)
    scope = Scope(unit, group)
    await _check_scope(ctx, r, scope)
    if not staff and not scores_visible(ctx, r):
        return None
    view = await _view(ctx, r, staff)
    page = await ctx.boards.around(round_id, participant_id, before, after, scope.key, view)
    return None if page is None else await _public(ctx, r, page, view == keys.FROZEN)


async def stats(ctx: Services, round_id: int, unit: str | None = None,
                group: str | None = None, staff: bool = False) -> tuple[dict[str, int], bool]:
    """(participants, attempts, perfect counted scores) of a round or scope, and frozen flag.

    Raises NotFound for an unknown round, unit or group; ValidationFailed for unit+group.
    """
    r = await ranked_round(ctx, round_id, public=not staff)
    scope = Scope(unit, group)
    await _check_scope(ctx, r, scope)
    view = await _view(ctx, r, staff)
    return await ctx.boards.stats(round_id, scope.key, view), view == keys.FROZEN


async def board_version(ctx: Services, round_id: int) -> int:
    """The round's live board version (the SSE event id)."""
    return await ctx.boards.version(round_id)


async def sql_order(ctx: Services, round_id: int) -> list[tuple[str, int, int]]:
    """(participant, score, duration) of the board's entrants (counted attempts of those who
    can win) in SQL's ranking order, for reconciliation checks."""
    r = await ranked_round(ctx, round_id)
    rule = eligibility(ctx, r)
    await load_tree(ctx)
    later = (col(Attempt.submitted_at), col(Attempt.duration_ms)) if submission_first(r) \
        else (col(Attempt.duration_ms), col(Attempt.submitted_at))
    async with ctx.sm() as s:
        rows = (await s.execute(
            sa_select(col(Attempt.participant_id), col(Attempt.score_milli),
                      col(Attempt.duration_ms), col(Participant.unit_code),
                      col(Participant.group_code), col(Participant.birth_date),
                      prior_prize(r), contest_min_age(r))
            .join(RoundEntry, col(RoundEntry.counted_attempt_id) == Attempt.id)
            .join(Participant, col(Participant.id) == col(Attempt.participant_id))
            .where(col(RoundEntry.round_id) == round_id)
            .order_by(col(Attempt.score_milli).desc(), *later, col(Attempt.participant_id))
        )).all()
    return [(pid, score or 0, dur or 0)
            for pid, score, dur, unit, group, birth, prior, min_age in rows
            if not rule.excludes(ctx, pid, unit, group, birth, score or 0, bool(prior),
                                 min_age)]
