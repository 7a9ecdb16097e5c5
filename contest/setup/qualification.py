"""Final rounds for the best N of each week: open the qualification, report it (issue 17).

A round with a `qualify` rule (contest.domain.qualify) is entered only by the people in its
`round_qualifiers` rows. Opening the qualification computes them from the finalised official
rankings of the source rounds and replaces the rows in one audited transaction; it happens
when the organiser asks (console, `contest round qualify`) and by itself when the last source
round is finalised. The attempt start reads the person's row in its own first statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from contest.core import audit_log
from contest.core.context import Services
from contest.domain import qualify as q
from contest.domain.phrase import Phrase
from contest.domain.vocabulary import RoundKind
from contest.errors import ConfigInvalid, NotFound, NotQualified, QualificationPending
from contest.storage.db import transaction
from contest.storage.results_tables import FinalRanking, RoundQualifier
from contest.storage.tables import Attempt, AuditEvent, Round

_QUALIFIERS = RoundQualifier.__table__  # type: ignore[attr-defined]


def rule_of(r: Round) -> q.Qualify | None:
    """The round's rule; a stored rule that no longer parses is a configuration error."""
    try:
        return q.parse(r.qualify)
    except ValueError as exc:
        raise ConfigInvalid(detail=str(exc)) from exc


def pick_sources(final: Round, rule: q.Qualify, rounds: list[Round]) -> list[Round]:
    """The source rounds of a final among its contest's rounds, in opening order: the named
    ones, or every other ranked round closing before the final opens; raises ConfigInvalid
    for a name no round has."""
    others = sorted((r for r in rounds if r.id != final.id), key=lambda r: (r.opens_at, r.id))
    if not rule.sources:
        return [r for r in others if r.kind == RoundKind.RANKED and r.closes_at <= final.opens_at]
    by_title = {r.title: r for r in others}
    missing = [t for t in rule.sources if t not in by_title]
    if missing:
        raise ConfigInvalid(detail=Phrase("detail.qualify.sources_missing",
                                          titles=", ".join(missing)))
    named = set(rule.sources)
    return [r for r in others if r.title in named]


async def _final_and_sources(s: AsyncSession, round_id: int
                             ) -> tuple[Round, q.Qualify, list[Round]]:
    final = await s.get(Round, round_id)
    if final is None:
        raise NotFound()
    rule = rule_of(final)
    if rule is None:
        raise ConfigInvalid(detail=Phrase("detail.qualify.no_rule"))
    rounds = list((await s.scalars(
        select(Round).where(col(Round.contest_id) == final.contest_id))).all())
    return final, rule, pick_sources(final, rule, rounds)


@dataclass(frozen=True)
class SourceLine:
    """One source round as the console shows it."""

    round_id: int
    title: str
    finalised: bool
    qualified: int  # people who qualified through this round (first source wins)


@dataclass(frozen=True)
class Status:
    """A final round's qualification: its rule, its sources and whether the list exists."""

    round_id: int
    rule: q.Qualify
    sources: list[SourceLine]
    total: int
    opened_at: datetime | None

    @property
    def ready(self) -> bool:
        """Every source round is finalised, so the list can be drawn up."""
        return bool(self.sources) and all(x.finalised for x in self.sources)


async def status(ctx: Services, round_id: int) -> Status | None:
    """The qualification of a round, or None when the round is open to everyone; raises
    NotFound, ConfigInvalid."""
    async with ctx.sm() as s:
        r = await s.get(Round, round_id)
        if r is None:
            raise NotFound()
        if r.qualify is None:
            return None
        _, rule, sources = await _final_and_sources(s, round_id)
        counts = dict((await s.execute(
            select(col(RoundQualifier.source_round_id), func.count())
            .where(col(RoundQualifier.round_id) == round_id)
            .group_by(col(RoundQualifier.source_round_id)))).all())
        opened = await s.scalar(
            select(col(AuditEvent.at))
            .where(col(AuditEvent.action) == "round.qualify",
                   col(AuditEvent.target) == f"round:{round_id}")
            .order_by(col(AuditEvent.id).desc()).limit(1))
    lines = [SourceLine(x.id or 0, x.title, x.finalised_at is not None,
                        int(counts.get(x.id or 0, 0))) for x in sources]
    return Status(round_id, rule, lines, sum(x.qualified for x in lines), opened)


async def open_list(ctx: Services, round_id: int, actor: str, ip: str | None = None) -> Status:
    """Draw up (or again) the list of a final round from its finalised source rounds, in one
    audited transaction; raises NotFound, ConfigInvalid (a source not finalised, someone has
    already taken the final: the list is fixed from then on)."""
    async with transaction(ctx.sm) as s:
        _, rule, sources = await _final_and_sources(s, round_id)
        if not sources:
            raise ConfigInvalid(detail=Phrase("detail.qualify.no_sources"))
        waiting = [x.title for x in sources if x.finalised_at is None]
        if waiting:
            raise ConfigInvalid(detail=Phrase("detail.qualify.sources_not_finalised",
                                              titles=", ".join(waiting)))
        if await s.scalar(select(func.count()).select_from(Attempt)
                          .where(col(Attempt.round_id) == round_id)):
            raise ConfigInvalid(detail=Phrase("detail.qualify.list_fixed"))
        rankings: dict[int, list[q.Ranked]] = {}
        for x in sources:
            rows = (await s.execute(
                select(col(FinalRanking.participant_id), col(FinalRanking.position),
                       col(FinalRanking.chain_rank), col(FinalRanking.exclusion))
                .where(col(FinalRanking.round_id) == x.id)
                .order_by(col(FinalRanking.position)))).all()
            rankings[x.id or 0] = [q.Ranked(*row) for row in rows]
        chosen = q.qualified(rankings, rule)
        await s.execute(delete(RoundQualifier).where(col(RoundQualifier.round_id) == round_id))
        if chosen:
            await s.execute(insert(_QUALIFIERS), [
                {"round_id": round_id, "participant_id": pid, "source_round_id": rid,
                 "position": pos} for pid, (rid, pos) in chosen.items()])
        per_round = {x.title: sum(1 for rid, _ in chosen.values() if rid == x.id)
                     for x in sources}
        audit_log.record(s, ctx.now(), actor, "round.qualify", f"round:{round_id}", ip=ip,
                         rule=rule.as_dict(), qualified=len(chosen), per_round=per_round)
    found = await status(ctx, round_id)
    assert found is not None
    return found


async def after_finalise(ctx: Services, round_id: int) -> list[int]:
    """Open the list of every final of the contest whose last source round this was; returns
    their ids (a final that cannot be opened now is left for the organiser)."""
    async with ctx.sm() as s:
        done = await s.get(Round, round_id)
        if done is None:
            return []
        finals = (await s.scalars(select(Round).where(
            col(Round.contest_id) == done.contest_id, col(Round.qualify).is_not(None)))).all()
        ids = [f.id for f in finals if f.id is not None]
    opened = []
    for fid in ids:
        st = await status(ctx, fid)
        if st is not None and st.ready and any(x.round_id == round_id for x in st.sources):
            try:
                await open_list(ctx, fid, "system")
            except ConfigInvalid:
                continue
            opened.append(fid)
    return opened


async def refuse(s: AsyncSession, r: Round) -> None:
    """Raise the error a person not on the round's list gets (read in the caller's session):
    NotQualified, or QualificationPending while the list is not drawn up."""
    rule = rule_of(r)
    best = rule.best_per_round if rule else 0
    drawn = await s.scalar(select(func.count()).select_from(RoundQualifier)
                           .where(col(RoundQualifier.round_id) == r.id))
    rounds = list((await s.scalars(
        select(Round).where(col(Round.contest_id) == r.contest_id))).all())
    if not drawn:
        raise QualificationPending(best=best)
    names = [x.title for x in pick_sources(r, rule, rounds)] if rule else []
    raise NotQualified(best=best, rounds=", ".join(names))


async def mine(ctx: Services, participant_id: str, round_id: int) -> dict[str, bool] | None:
    """For the participant's page: None when the round is open to everyone, else whether
    they are on its list and whether the list is drawn up yet."""
    async with ctx.sm() as s:
        r = await s.get(Round, round_id)
        if r is None or r.qualify is None:
            return None
        on_list = await s.get(RoundQualifier, (round_id, participant_id)) is not None
        drawn = on_list or bool(await s.scalar(
            select(func.count()).select_from(RoundQualifier)
            .where(col(RoundQualifier.round_id) == round_id)))
    return {"qualified": on_list, "list_ready": drawn}
