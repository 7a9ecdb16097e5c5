"""Reading contests, rounds and the unit tree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from contest.core.context import Services
from contest.domain.vocabulary import RoundState, round_state
from contest.errors import NotFound
from contest.storage.results_tables import RoundDraw
from contest.storage.tables import Contest, Round, Unit


@dataclass(frozen=True)
class RoundInfo:
    """A round as the public sees it."""

    round: Round
    status: RoundState
    commitment: str | None = None  # the draw's published commitment, once it exists


def state_of(r: Round, now: datetime) -> RoundState:
    """The round's state at now (the one rule: contest.domain.vocabulary.round_state)."""
    return round_state(now, r.opens_at, r.closes_at, r.grace_s, r.finalised_at)


def round_status(r: Round, now: datetime) -> RoundState:
    """The state the public sees: upcoming, open, closed (grace included) or finalised."""
    return state_of(r, now).public


async def list_contests(ctx: Services) -> list[tuple[Contest, list[RoundInfo]]]:
    """Visible contests with their rounds in opening order."""
    now = ctx.now()
    async with ctx.sm() as s:
        contests = (
            await s.scalars(select(Contest).where(Contest.visible).order_by(col(Contest.id)))
        ).all()
        rounds = (await s.scalars(select(Round).order_by(col(Round.opens_at), col(Round.id)))).all()
    by_contest: dict[int, list[RoundInfo]] = {}
    for r in rounds:
        by_contest.setdefault(r.contest_id, []).append(RoundInfo(r, round_status(r, now)))
    return [(c, by_contest.get(c.id or 0, [])) for c in contests]


async def get_contest(ctx: Services, slug: str) -> tuple[Contest, list[RoundInfo]]:
    """One visible contest by slug with its rounds; raises NotFound."""
    now = ctx.now()
    async with ctx.sm() as s:
        contest = await s.scalar(select(Contest).where(Contest.slug == slug, Contest.visible))
        if contest is None:
            raise NotFound()
        rounds = (
            await s.scalars(
                select(Round).where(Round.contest_id == contest.id).order_by(col(Round.opens_at))
            )
        ).all()
        commitments = dict((await s.execute(
            select(col(RoundDraw.round_id), col(RoundDraw.commitment)).where(
                col(RoundDraw.round_id).in_([r.id for r in rounds])))).all()) if rounds else {}
    return contest, [RoundInfo(r, round_status(r, now), commitments.get(r.id or 0))
                     for r in rounds]


async def list_units(ctx: Services, root: str | None = None) -> list[Unit]:
    """The unit tree as a flat list (parents before children); only below root if given."""
    async with ctx.sm() as s:
        query = select(Unit).order_by(col(Unit.level), col(Unit.code))
        units = list((await s.scalars(query)).all())
    if root is None:
        return units
    keep = {root}
    for u in units:  # parents come first, so one pass collects the subtree
        if u.parent_code in keep:
            keep.add(u.code)
    return [u for u in units if u.code in keep]


async def unit_chain(ctx: Services, code: str) -> tuple[str, ...]:
    """The unit and its ancestors, nearest first; empty for an unknown unit."""
    if code not in ctx.unit_chains:
        units = {u.code: u for u in await list_units(ctx)}
        chains: dict[str, tuple[str, ...]] = {}
        for u in units.values():
            chain: list[str] = []
            cur: Unit | None = u
            guard = 0
            while cur is not None and guard < 64:  # guard: a cycle in uploaded data
                chain.append(cur.code)
                cur = units.get(cur.parent_code or "")
                guard += 1
            chains[u.code] = tuple(chain)
        ctx.unit_chains = chains
    return ctx.unit_chains.get(code, ())
