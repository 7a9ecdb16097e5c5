"""The rows of the result lists, read in a staff member's unit scope: the unit tree, the
participation per unit, the winners (masked or internal), and the official rank in SQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from contest.core.context import Services
from contest.core.crypto import cipher
from contest.core.scope import in_scope
from contest.domain import export_rows as xr
from contest.domain.people import mask_name
from contest.domain.prizes import UnitStats
from contest.domain.vocabulary import PrizeKind
from contest.errors import NotFound, ResultsNotPublished
from contest.storage.results_tables import FinalRanking, PrizeAward, RoundResult
from contest.storage.tables import Attempt, Contest, Participant, Round, RoundEntry, Unit

Scope = set[str] | None  # unit codes a staff member may see; None: all
STREAM_ROWS = 2000


@dataclass(frozen=True)
class Tree:
    """The unit tree: names and each unit's chain of ancestors (nearest first)."""

    names: dict[str, str]
    levels: dict[str, int]
    chains: dict[str, tuple[str, ...]]

    def at_level(self, code: str, level: int) -> str | None:
        """The unit's ancestor (or itself) at level, if it has one."""
        return next((c for c in self.chains.get(code, ()) if self.levels.get(c) == level), None)


async def load_tree(s: AsyncSession) -> Tree:
    """Read the whole unit tree (thousands of rows at most)."""
    units = (await s.execute(select(col(Unit.code), col(Unit.name), col(Unit.parent_code),
                                    col(Unit.level)))).all()
    parents = {c: p for c, _, p, _ in units}
    chains: dict[str, tuple[str, ...]] = {}
    for code in parents:
        chain: list[str] = []
        cur: str | None = code
        while cur is not None and cur in parents and len(chain) < 64:
            chain.append(cur)
            cur = parents[cur]
        chains[code] = tuple(chain)
    return Tree({c: n for c, n, _, _ in units}, {c: lv for c, _, _, lv in units}, chains)


async def unit_stats(s: AsyncSession, r: Round, level: int, codes: Scope) -> list[UnitStats]:
    """Participation and results of the round per unit at level (rolled up over subtrees)."""
    perfect = case((col(Attempt.score_milli) == col(Attempt.max_score_milli), 1), else_=0)
    rows = (await s.execute(
        sa_select(col(Participant.unit_code), func.count(col(Attempt.id)),
               func.coalesce(func.sum(col(RoundEntry.attempts_submitted)), 0),
               func.coalesce(func.sum(perfect), 0),
               func.coalesce(func.sum(col(Attempt.score_milli)), 0))
        .select_from(RoundEntry)
        .join(Participant, col(Participant.id) == col(RoundEntry.participant_id))
        .join(Attempt, col(Attempt.id) == col(RoundEntry.counted_attempt_id))
        .where(col(RoundEntry.round_id) == r.id, in_scope(col(Participant.unit_code), codes))
        .group_by(col(Participant.unit_code))
    )).all()
    tree = await load_tree(s)
    heads = dict((await s.execute(select(col(Unit.code), col(Unit.headcount))
                                  .where(col(Unit.level) == level))).all())
    totals: dict[str, list[int]] = {c: [0, 0, 0, 0] for c in heads
                                    if codes is None or c in codes}
    for unit_code, people, tries, perfects, score_sum in rows:
        top = tree.at_level(unit_code, level)
        if top is None or top not in totals:
            continue
        t = totals[top]
        t[0] += int(people)
        t[1] += int(tries)
        t[2] += int(perfects)
        t[3] += int(score_sum)
    return [UnitStats(c, tree.names.get(c, c), heads.get(c), *t)
            for c, t in sorted(totals.items())]


async def result_round(s: AsyncSession, round_id: int, finalised: bool) -> Round:
    """The round; raises NotFound, or ResultsNotPublished when finalised is asked and absent."""
    r = await s.get(Round, round_id)
    if r is None:
        raise NotFound()
    if finalised and await s.get(RoundResult, round_id) is None:
        raise ResultsNotPublished()
    return r


async def participation_rows(ctx: Services, round_id: int, level: int,
                             codes: Scope) -> AsyncIterator[tuple[Any, ...]]:
    """PARTICIPATION rows, one per unit of the level within scope."""
    async with ctx.sm() as s:
        r = await result_round(s, round_id, finalised=False)
        stats = await unit_stats(s, r, level, codes)
    for u in stats:
        avg = u.average_score_milli
        yield (u.code, u.name, u.participants, u.attempts, u.perfect,
               None if avg is None else avg / 1000, u.headcount, u.participation_rate)


def official_rank(f: type[FinalRanking] = FinalRanking) -> Any:
    """SQL for an eligible entry's official rank: the competition rank among the eligible
    entrants of its prize split, by the tie-break chain (1, 2, 2, 4; ineligible entrants
    leave no gap). Entries ahead on the chain are exactly those before its chain rank."""
    e = aliased(FinalRanking)
    ahead = (sa_select(func.count()).select_from(e)
             .where(col(e.round_id) == col(f.round_id), col(e.exclusion).is_(None),
                    col(e.split_key) == col(f.split_key), col(e.position) < col(f.chain_rank))
             .scalar_subquery())
    return ahead + 1


def individual_prizes(round_id: int, codes: Scope, *columns: Any) -> Any:
    """SQL: columns of the round's individual prizes within scope, with each winner's
    participant row and final ranking joined, in prize order."""
    return (sa_select(*columns)
            .select_from(PrizeAward)
            .join(Participant, col(Participant.id) == col(PrizeAward.participant_id))
            .join(FinalRanking, (col(FinalRanking.round_id) == col(PrizeAward.round_id))
                  & (col(FinalRanking.participant_id) == col(PrizeAward.participant_id)))
            .where(col(PrizeAward.round_id) == round_id,
                   col(PrizeAward.kind) == PrizeKind.INDIVIDUAL,
                   in_scope(col(Participant.unit_code), codes))
            .order_by(col(PrizeAward.position)))


async def winners_rows(ctx: Services, round_id: int, codes: Scope,
                       internal: bool) -> AsyncIterator[tuple[Any, ...]]:
    """WINNERS_PUBLIC (masked) or WINNERS_INTERNAL rows of a finalised round in official
    order: individual prizes by final position, then the collective (unit) prizes."""
    async with ctx.sm() as s:
        r = await result_round(s, round_id, finalised=True)
        tree = await load_tree(s)
        contest = await s.get(Contest, r.contest_id)
        groups = {g["code"]: g["name"] for g in (contest.groups if contest else [])}
        q = individual_prizes(round_id, codes, PrizeAward, Participant, FinalRanking,
                              official_rank())
        n = 0
        data = cipher(ctx.settings)
        blank = (None,) * (len(xr.WINNERS_INTERNAL) - len(xr.WINNERS_PUBLIC))
        result = await s.stream(q.execution_options(yield_per=STREAM_ROWS))
        async for award, p, fr, rank in result:
            n += 1
            district = tree.at_level(p.unit_code, 2)
            row: tuple[Any, ...] = (
                n, rank, award.tier_name, mask_name(p.full_name),
                tree.names.get(p.unit_code, ""),
                tree.names.get(district, "") if district else "", groups.get(p.group_code, ""),
                xr.points(fr.score_milli), fr.duration_ms / 1000, fr.prediction, fr.distance,
                fr.position)
            if internal:  # personal data is stored encrypted (issue 6)
                row += (p.full_name, p.birth_date, data.decrypt(p.phone_enc),
                        data.decrypt(p.email_enc), data.decrypt(p.id_number_enc), p.id)
            yield row
        units = (await s.scalars(
            select(PrizeAward).where(col(PrizeAward.round_id) == round_id,
                                     col(PrizeAward.kind) == PrizeKind.COLLECTIVE,
                                     in_scope(col(PrizeAward.unit_code), codes))
            .order_by(col(PrizeAward.position)))).all()
        for a in units:
            n += 1
            code = a.unit_code or ""
            district = tree.at_level(code, 2)
            row = (n, a.position, a.tier_name, None, tree.names.get(code, code),
                   tree.names.get(district, "") if district and district != code else None,
                   None, None, None, None, None, None)
            yield row + (blank if internal else ())
