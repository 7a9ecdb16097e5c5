"""The district view: a unit officer's units' participation against their target population
(the unit tree's headcounts), live during a round, within the officer's scope."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import col, func, select

from contest.console import dashboard
from contest.core.context import Services
from contest.core.scope import narrowed, subtree
from contest.errors import NotFound
from contest.storage.tables import Attempt, Contest, Participant, Round, Staff, Unit


@dataclass(frozen=True)
class UnitLine:
    """One unit below the viewed one: registrations and people who took part vs target."""

    code: str
    name: str
    headcount: int | None
    registered: int
    took_part: int

    @property
    def rate(self) -> float | None:
        """People who took part as a share of the target population (None: no target)."""
        return self.took_part / self.headcount if self.headcount else None


@dataclass
class DistrictView:
    """The viewed unit, its round, a line per unit below it, and the dashboard figures."""

    unit: Unit | None
    round: Round
    rounds: list[Round]
    lines: list[UnitLine] = field(default_factory=list)
    total: UnitLine | None = None
    board: dashboard.Dashboard | None = None


def default_round(rounds: list[Round], now: object) -> Round | None:
    """The round a home page shows: the latest-opened open round, else the latest closed,
    else the next to open."""
    open_ = [r for r in rounds if r.opens_at <= now < r.closes_at]  # type: ignore[operator]
    if open_:
        return max(open_, key=lambda r: r.opens_at)
    closed = [r for r in rounds if r.closes_at <= now]  # type: ignore[operator]
    if closed:
        return max(closed, key=lambda r: r.closes_at)
    return min(rounds, key=lambda r: r.opens_at) if rounds else None


async def view(ctx: Services, staff: Staff, round_id: int | None,
               unit_code: str | None) -> DistrictView:
    """The district view of a round (default: see default_round) for the staff member's unit
    (or unit_code inside their scope); raises NotFound (no round, unit outside the scope)."""
    root = unit_code or staff.unit_code
    codes = await narrowed(ctx, staff, root)
    async with ctx.sm() as s:
        rounds = list((await s.scalars(select(Round).order_by(col(Round.opens_at)))).all())
        r = next((x for x in rounds if x.id == round_id), None) if round_id else \
            default_round(rounds, ctx.now())
        if r is None:
            raise NotFound()
        contest = await s.get(Contest, r.contest_id)
        units = list((await s.scalars(select(Unit))).all())
        registered = dict((await s.execute(
            select(Participant.unit_code, func.count())
            .where(col(Participant.contest_id) == r.contest_id)
            .group_by(col(Participant.unit_code)))).all())
        took = defaultdict(int)
        for unit, n in (await s.execute(
                select(Participant.unit_code, func.count(func.distinct(Attempt.participant_id)))
                .join(Attempt, col(Attempt.participant_id) == Participant.id)
                .where(col(Attempt.round_id) == r.id)
                .group_by(col(Participant.unit_code)))).all():
            took[unit] = int(n)
    root = root or (contest.unit_root if contest else None)
    by_code = {u.code: u for u in units}
    parents = {u.code: u.parent_code for u in units}
    v = DistrictView(unit=by_code.get(root or ""), round=r,
                     rounds=[x for x in rounds if x.contest_id == r.contest_id])

    def line(u: Unit) -> UnitLine:
        sub = subtree(parents, u.code)
        if codes is not None:
            sub &= codes
        head = u.headcount if u.headcount is not None else (
            sum(c.headcount or 0 for c in units if c.parent_code == u.code) or None)
        return UnitLine(u.code, u.name, head, sum(int(registered.get(c, 0)) for c in sub),
                        sum(took.get(c, 0) for c in sub))

    children = sorted((u for u in units if u.parent_code == root
                       and (codes is None or u.code in codes)), key=lambda u: u.code)
    v.lines = [line(u) for u in children]
    if v.unit is not None:
        v.total = line(v.unit)
    v.board = await dashboard.build(ctx, staff, r.id or 0, root)
    return v
