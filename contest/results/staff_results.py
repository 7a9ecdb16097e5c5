"""What the console's results page shows for a round, within a staff member's unit scope.

The round's state, its draw commitment, what finalisation fixed, the winners (names masked,
as published) and the units the staff member may pick for exports. Scope comes from
`contest.core.scope`, so a unit officer only ever sees their own subtree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from contest.core import scope
from contest.core.context import Services
from contest.domain.people import mask_name
from contest.domain.vocabulary import PrizeKind, RoundKind
from contest.errors import NotFound
from contest.results.result_rows import load_tree
from contest.setup.catalog import state_of
from contest.storage.results_tables import PrizeAward, RoundDraw, RoundResult
from contest.storage.tables import Contest, Participant, Round, Staff, Unit

SHOWN_WINNERS = 200  # the page lists this many; the exports hold them all
MAX_PICKER_UNITS = 500


@dataclass(frozen=True)
class Winner:
    """One individual prize as the page shows it (name masked)."""

    position: int
    tier_name: str
    name: str
    unit: str
    district: str
    group: str
    entry_id: str


@dataclass(frozen=True)
class Collective:
    """One collective prize of a unit."""

    position: int
    tier_name: str
    unit: str


@dataclass(frozen=True)
class Overview:
    """Everything the results page of one round needs."""

    round: Round
    contest_title: str
    state: str
    draw: RoundDraw | None
    result: RoundResult | None
    winners: list[Winner] = field(default_factory=list)
    winners_in_scope: int = 0
    winners_total: int = 0
    collective: list[Collective] = field(default_factory=list)
    units: list[tuple[str, str, int]] = field(default_factory=list)  # code, name, level
    levels: list[int] = field(default_factory=list)

    @property
    def grace_ends(self) -> datetime:
        """When the round may be finalised."""
        return self.round.closes_at + timedelta(seconds=self.round.grace_s)


async def ranked_rounds(ctx: Services) -> list[tuple[Round, str, str]]:
    """Every ranked round with its contest's title and its state, newest first."""
    async with ctx.sm() as s:
        rows = (await s.execute(
            select(Round, col(Contest.title))
            .join(Contest, col(Contest.id) == col(Round.contest_id))
            .where(col(Round.kind) == RoundKind.RANKED).order_by(col(Round.opens_at).desc()))).all()
    now = ctx.now()
    return [(r, title, state_of(r, now)) for r, title in rows]


async def overview(ctx: Services, staff: Staff, round_id: int, unit: str | None) -> Overview:
    """The results page of a ranked round narrowed to unit (or staff's whole scope).

    Raises NotFound: no such ranked round, or a unit unknown or outside staff's scope.
    """
    codes = await scope.narrowed(ctx, staff, unit)
    own = await scope.unit_codes_in_scope(ctx, staff)
    async with ctx.sm() as s:
        r = await s.get(Round, round_id)
        if r is None or r.kind != RoundKind.RANKED:
            raise NotFound()
        contest = await s.get(Contest, r.contest_id)
        draw = await s.get(RoundDraw, round_id)
        result = await s.get(RoundResult, round_id)
        units = (await s.execute(
            select(col(Unit.code), col(Unit.name), col(Unit.level))
            .where(scope.in_scope(col(Unit.code), own))
            .order_by(col(Unit.level), col(Unit.code)).limit(MAX_PICKER_UNITS))).all()
        levels = sorted(set((await s.scalars(
            select(col(Unit.level)).where(scope.in_scope(col(Unit.code), own)).distinct()
        )).all()))
        winners: list[Winner] = []
        collective: list[Collective] = []
        in_scope = total = 0
        if result is not None:
            tree = await load_tree(s)
            individual = (col(PrizeAward.round_id) == round_id,
                          col(PrizeAward.kind) == PrizeKind.INDIVIDUAL)
            total = int(await s.scalar(
                select(func.count()).select_from(PrizeAward).where(*individual)) or 0)
            scoped = (select(PrizeAward, col(Participant.full_name), col(Participant.unit_code),
                             col(Participant.group_code))
                      .join(Participant, col(Participant.id) == col(PrizeAward.participant_id))
                      .where(*individual,
                             scope.in_scope(col(Participant.unit_code), codes)))
            in_scope = int(await s.scalar(
                select(func.count()).select_from(scoped.subquery())) or 0)
            rows = (await s.execute(scoped.order_by(col(PrizeAward.position))
                                    .limit(SHOWN_WINNERS))).all()
            groups = {g["code"]: g["name"] for g in (contest.groups if contest else [])}
            for a, name, unit_code, group in rows:
                district = tree.at_level(unit_code, 2)
                winners.append(Winner(
                    a.position, a.tier_name, mask_name(name or ""),
                    tree.names.get(unit_code, unit_code),
                    tree.names.get(district, "") if district else "",
                    groups.get(group, group), a.participant_id or ""))
            for a in (await s.scalars(
                    select(PrizeAward).where(col(PrizeAward.round_id) == round_id,
                                             col(PrizeAward.kind) == PrizeKind.COLLECTIVE,
                                             scope.in_scope(col(PrizeAward.unit_code), codes))
                    .order_by(col(PrizeAward.position)))).all():
                collective.append(Collective(a.position, a.tier_name,
                                             tree.names.get(a.unit_code or "", a.unit_code or "")))
    return Overview(r, contest.title if contest else "", state_of(r, ctx.now()), draw, result,
                    winners, in_scope, total, collective,
                    [(c, n, lv) for c, n, lv in units], levels)
