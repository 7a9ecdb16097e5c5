"""Finalising a closed round: the actual figure, the final ranking, prizes and the draw.

Set-based, so memory stays bounded whatever the size of the round: one INSERT … SELECT with
window functions writes the final ranking (contest.results.final_sql), then only the few
entries that may win come back to Python for the prize allocation, and the eligible list's
hash is streamed (COPY on PostgreSQL). All of it is one transaction, so a round is finalised
completely or not at all.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from contest.attempts import attempts
from contest.core import audit_log
from contest.core.context import Services
from contest.domain import final_ranking as fr
from contest.domain import prizes as pz
from contest.domain import verifiable_draw as vd
from contest.domain.vocabulary import AttemptStatus, PrizeKind, RoundKind
from contest.errors import ConfigInvalid, DrawCommitted, NotFound, RoundFinalised, RoundNotClosed
from contest.results import final_sql
from contest.setup import qualification
from contest.setup.catalog import unit_chain
from contest.storage.db import transaction
from contest.storage.results_tables import FinalRanking, PrizeAward, RoundDraw, RoundResult
from contest.storage.tables import Attempt, Contest, Participant, Round, RoundEntry, Unit

# Who the review (issue 5) keeps from prizes: disqualified, or strongly flagged and unreviewed.
ExclusionSource = Callable[[Services, int], Awaitable[Collection[str]]]


async def review_exclusions(ctx: Services, round_id: int) -> Collection[str]:
    """Participants the integrity review (issue 5) excludes from the round's prizes:
    disqualified, or strongly flagged and not cleared (after a fresh integrity scan)."""
    from contest.integrity.review import excluded_participants

    return await excluded_participants(ctx, round_id, scan=True)


@dataclass(frozen=True)
class Summary:
    """What finalisation fixed, as the CLI and the console report it."""

    round_id: int
    entrants: int
    eligible: int
    actual_figure: int | None
    awards: int
    collective_awards: int
    tied_entries: int
    eligible_hash: str
    commitment: str
    seed_hex: str


async def commit_draw(ctx: Services, round_id: int, actor: str = "cli",
                      randbytes: Callable[[int], bytes] = secrets.token_bytes) -> RoundDraw:
    """Generate and store the round's secret seed; raises NotFound, DrawCommitted."""
    async with transaction(ctx.sm) as s:
        r = await s.get(Round, round_id)
        if r is None:
            raise NotFound()
        if await s.get(RoundDraw, round_id) is not None or r.finalised_at is not None:
            raise DrawCommitted()
        seed = vd.new_seed(randbytes)
        draw = RoundDraw(round_id=round_id, seed=seed, commitment=vd.commitment(seed),
                         committed_at=ctx.now())
        s.add(draw)
        audit_log.record(s, ctx.now(), actor, "draw.commit", f"round:{round_id}",
                         commitment=draw.commitment, before_open=ctx.now() < r.opens_at)
    return draw


async def _actual_figure(s: AsyncSession, r: Round) -> int | None:
    """The figure the prediction question asked about: participants, or perfect scores."""
    base = (select(func.count()).select_from(RoundEntry)
            .where(col(RoundEntry.round_id) == r.id,
                   col(RoundEntry.counted_attempt_id).is_not(None)))
    if r.prediction_kind == "participants":
        return int(await s.scalar(base) or 0)
    if r.prediction_kind == "perfect":
        q = base.join(Attempt, col(Attempt.id) == col(RoundEntry.counted_attempt_id)).where(
            col(Attempt.score_milli) == col(Attempt.max_score_milli),
            col(Attempt.max_score_milli) > 0)
        return int(await s.scalar(q) or 0)
    return None


async def _finish_running(ctx: Services, round_id: int) -> None:
    """Submit the round's attempts still marked running (all past their deadline by now)."""
    async with ctx.sm() as s:
        ids = (await s.scalars(select(col(Attempt.id)).where(
            col(Attempt.round_id) == round_id, col(Attempt.status) == AttemptStatus.RUNNING))).all()
    for attempt_id in ids:
        await attempts.finish(ctx, attempt_id, ctx.now(), prediction=None, auto=True)


async def finalise(ctx: Services, round_id: int, actor: str = "cli",
                   exclusions: ExclusionSource = review_exclusions) -> Summary:
    """Freeze a closed round, rank it, award prizes, record it all in SQL.

    Raises NotFound, RoundNotClosed (before close + grace), RoundFinalised, ConfigInvalid
    (a malformed prize structure or tie-break chain).
    """
    now = ctx.now()
    async with ctx.sm() as s:
        r = await s.get(Round, round_id)
        if r is None or r.kind != RoundKind.RANKED:
            raise NotFound()
        if r.finalised_at is not None:
            raise RoundFinalised()
        if now < r.closes_at + timedelta(seconds=r.grace_s):
            raise RoundNotClosed()
        contest = await s.get(Contest, r.contest_id)
        assert contest is not None
    try:
        rules = pz.parse_rules(r.prizes)
        chain = fr.parse_chain(r.tie_breaks)
    except ValueError as exc:
        raise ConfigInvalid(detail=str(exc)) from exc
    if rules.min_age is None and contest.min_age is not None:
        rules = dataclasses.replace(rules, min_age=contest.min_age)
    await _finish_running(ctx, round_id)
    excluded_by_review = frozenset(await exclusions(ctx, round_id))
    await unit_chain(ctx, "")  # load the unit tree into ctx.unit_chains
    chains = ctx.unit_chains

    async with transaction(ctx.sm) as s:
        # Lock the round so that two finalisations cannot interleave (SQLite: BEGIN IMMEDIATE).
        r = (await s.scalars(
            select(Round).where(col(Round.id) == round_id).with_for_update())).one()
        if r.finalised_at is not None:
            raise RoundFinalised()
        draw = await s.get(RoundDraw, round_id)
        if draw is None:  # no commitment was published: draw now, and say so in the results
            seed = vd.new_seed(secrets.token_bytes)
            draw = RoundDraw(round_id=round_id, seed=seed, commitment=vd.commitment(seed),
                             committed_at=now)
            s.add(draw)
        seed = draw.seed
        actual = await _actual_figure(s, r)
        entrants = int(await s.scalar(select(func.count()).select_from(RoundEntry).where(
            col(RoundEntry.round_id) == round_id,
            col(RoundEntry.counted_attempt_id).is_not(None))) or 0)
        splits: Collection[str] | None = None
        if rules.split == "group":
            splits = {g["code"] for g in contest.groups}
        elif rules.split == "unit":
            level = rules.split_level or 2
            splits = set((await s.scalars(
                select(col(Unit.code)).where(col(Unit.level) == level))).all())
        alloc = pz.Allocator(rules, entrants, splits)
        # One statement ranks the whole round in SQL; only prize candidates come back.
        await final_sql.rank_round(s, final_sql.Inputs(
            round_id=round_id, contest_id=r.contest_id, opens_at=r.opens_at, chain=chain,
            actual=actual, seed=seed, rules=rules, day=now.astimezone(ctx.settings.tz).date(),
            review_excluded=excluded_by_review, unit_chains=chains))
        won_ids: set[str] = set()  # ID-number hashes of this round's winners so far
        async for position, entry_id, split_key in final_sql.candidates(s, round_id):
            if alloc.done:  # nobody further down can win: stop reading
                break
            id_hash = None
            if rules.one_prize_per_person:
                # one person, several accounts (phones) with one ID number: one prize
                id_hash = await s.scalar(select(col(Participant.id_number_hash)).where(
                    col(Participant.id) == entry_id))
                if id_hash is not None and id_hash in won_ids:
                    await s.execute(update(FinalRanking).where(
                        col(FinalRanking.round_id) == round_id,
                        col(FinalRanking.participant_id) == entry_id,
                    ).values(exclusion=pz.PRIOR_PRIZE))
                    continue
            if alloc.offer(position, entry_id, split_key) is not None and id_hash:
                won_ids.add(id_hash)
        _, tied, eligible = await final_sql.counts(s, round_id)
        eligible_hash = await final_sql.eligible_hash(s, round_id)

        awards = alloc.awards
        for a in awards:
            s.add(PrizeAward(round_id=round_id, contest_id=r.contest_id, kind=PrizeKind.INDIVIDUAL,
                             participant_id=a.entry_id, tier_code=a.tier_code,
                             tier_name=a.tier_name, split_key=a.split_key, position=a.position))
        coll: list[pz.CollectiveAward] = []
        if rules.collective is not None:
            from contest.results.result_rows import unit_stats

            stats = await unit_stats(s, r, rules.collective.level, None)
            coll = pz.collective(stats, rules.collective)
            for c in coll:
                s.add(PrizeAward(round_id=round_id, contest_id=r.contest_id,
                                 kind=PrizeKind.COLLECTIVE, unit_code=c.unit_code,
                                 tier_code="tap_the", tier_name=c.name, position=c.position))
        result_row = RoundResult(
            round_id=round_id, finalised_at=now, actual_figure=actual, entrants=entrants,
            eligible=eligible, chain=list(chain), prizes=r.prizes or {}, seed_hex=seed.hex(),
            commitment=draw.commitment, committed_before_open=draw.committed_at < r.opens_at,
            eligible_hash=eligible_hash, engine_version=vd.ENGINE_VERSION)
        s.add(result_row)
        r.finalised_at = now
        audit_log.record(s, now, actor, "round.finalise", f"round:{round_id}",
                         entrants=entrants, eligible=eligible, awards=len(awards),
                         eligible_hash=result_row.eligible_hash)
    # issue 17: a final for the best of each week gets its list when its last week is final
    await qualification.after_finalise(ctx, round_id)
    return Summary(round_id, entrants, eligible, actual, len(awards), len(coll), tied,
                   result_row.eligible_hash, draw.commitment, seed.hex())
