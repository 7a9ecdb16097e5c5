"""What a board line is made of: who may be on the public board, the order's encoding of an
attempt, its scopes, and the entries of a round read from SQL (live or frozen view)."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from contest.core.context import Services
from contest.domain import final_ranking as fr
from contest.domain import policy
from contest.domain import prizes as pz
from contest.domain.ranking import MAX_DURATION_MS, Standing, offset_us
from contest.domain.vocabulary import AttemptStatus, RoundKind
from contest.errors import NotFound
from contest.setup.catalog import unit_chain
from contest.storage import keys
from contest.storage.live import Entry
from contest.storage.results_tables import PrizeAward
from contest.storage.tables import Attempt, Contest, Participant, Round, RoundEntry


@dataclass(frozen=True)
class Scope:
    """Which board of a round: the whole round, a unit's subtree, or a participant group."""

    unit: str | None = None
    group: str | None = None

    @property
    def key(self) -> str:
        """The board's scope label in Redis."""
        if self.unit:
            return keys.unit_scope(self.unit)
        if self.group:
            return keys.group_scope(self.group)
        return "all"


@dataclass(frozen=True)
class Eligibility:
    """What the prize rules say about who may be on the public board (issue 16): the same
    people the official result ranks, so nobody sees a different winner live than on paper.
    The integrity review's exclusions are applied at finalisation only (they change while the
    round runs)."""

    rules: pz.PrizeRules
    day: date

    def excludes(self, ctx: Services, pid: str, unit: str, group: str, birth: date | None,
                 score: int, prior: bool, contest_min_age: int | None) -> bool:
        """True when this entrant cannot win, so stays off the public board (the unit tree
        must be loaded in ctx.unit_chains)."""
        rules = self.rules
        if rules.min_age is None and contest_min_age is not None:
            rules = dataclasses.replace(rules, min_age=contest_min_age)
        chain = ctx.unit_chains.get(unit, (unit,))
        person = pz.Person(pid, group, chain, birth, score)
        return pz.exclusion(person, rules, self.day, review_excluded=(),
                            prior_winners={pid} if prior else ()) is not None


def eligibility(ctx: Services, r: Round) -> Eligibility:
    """The round's prize rules as the board applies them (malformed rules: nobody excluded,
    finalisation refuses them anyway)."""
    try:
        rules = pz.parse_rules(r.prizes)
    except ValueError:
        rules = pz.PrizeRules()
    return Eligibility(rules, ctx.now().astimezone(ctx.settings.tz).date())


async def load_tree(ctx: Services) -> None:
    """Make sure the unit tree is in ctx.unit_chains (read once per process)."""
    if not ctx.unit_chains:
        await unit_chain(ctx, "")


def contest_min_age(r: Round) -> Any:
    """SQL: the contest's minimum age (read with the entries: no extra statement)."""
    return (sa_select(col(Contest.min_age)).where(col(Contest.id) == r.contest_id)
            .scalar_subquery().label("contest_min_age"))


def prior_prize(r: Round) -> Any:
    """SQL: the participant won a prize in another round of the contest."""
    return exists().where(col(PrizeAward.contest_id) == r.contest_id,
                          col(PrizeAward.round_id) != r.id,
                          col(PrizeAward.participant_id) == col(Attempt.participant_id)
                          ).label("prior_prize")


async def scopes(ctx: Services, unit_code: str, group_code: str) -> list[str]:
    """The board scopes of an entrant: each unit of its chain, and its group."""
    chain = await unit_chain(ctx, unit_code)
    return [*(keys.unit_scope(c) for c in chain), keys.group_scope(group_code)]


def submission_first(r: Round) -> bool:
    """True when the round's chain ranks the earlier submission before the shorter time.

    The board's encoding (contest.domain.ranking) orders score, then the value in the sorted
    set's score, then the member's prefix: for such a round the two swap places, so the board
    orders as the official result does (submission in whole milliseconds, then duration).
    """
    try:
        chain = fr.parse_chain(r.tie_breaks)
    except ValueError:
        return False
    return "submitted" in chain and ("duration" not in chain or
                                     chain.index("submitted") < chain.index("duration"))


def standing(r: Round, att: Attempt) -> Standing:
    """An attempt's place in the board's order (see submission_first)."""
    submitted = att.submitted_at or att.started_at
    offset = offset_us(r.opens_at, submitted)
    if submission_first(r):
        return Standing(score_milli=att.score_milli or 0,
                        duration_ms=min(offset // 1000, MAX_DURATION_MS),
                        submitted_offset_us=(att.duration_ms or 0) * 1000,
                        participant_id=att.participant_id)
    return Standing(
        score_milli=att.score_milli or 0,
        duration_ms=att.duration_ms or 0,
        submitted_offset_us=offset,
        participant_id=att.participant_id,
    )


def shown_duration(r: Round, s: Standing) -> int:
    """The attempt's duration in ms from a board standing (see submission_first)."""
    return s.submitted_offset_us // 1000 if submission_first(r) else s.duration_ms


def perfect(att: Attempt) -> bool:
    """True for a full-score attempt (the boards count them)."""
    return att.score_milli is not None and att.score_milli == att.max_score_milli


def is_frozen(r: Round, now: datetime) -> bool:
    """True while the public sees the frozen board (from board_frozen_at until reveal)."""
    return r.board_frozen_at is not None and now >= r.board_frozen_at


async def live_entries(ctx: Services, r: Round) -> list[Entry]:
    """Every counted attempt of the round whose entrant may win, as board entries."""
    rule = eligibility(ctx, r)
    await load_tree(ctx)
    async with ctx.sm() as s:
        rows = (await s.execute(
            sa_select(Attempt, col(RoundEntry.attempts_submitted), col(Participant.unit_code),
                      col(Participant.group_code), col(Participant.birth_date), prior_prize(r),
                      contest_min_age(r))
            .join(RoundEntry, col(RoundEntry.counted_attempt_id) == Attempt.id)
            .join(Participant, col(Participant.id) == Attempt.participant_id)
            .where(col(RoundEntry.round_id) == r.id)
        )).all()
    return [Entry(standing(r, att), await scopes(ctx, unit, group), version, perfect(att))
            for att, version, unit, group, birth, prior, min_age in rows
            if not rule.excludes(ctx, att.participant_id, unit, group, birth,
                                 att.score_milli or 0, bool(prior), min_age)]


async def frozen_entries(ctx: Services, r: Round) -> list[Entry]:
    """The counted attempt of each participant among attempts submitted before the freeze."""
    assert r.board_frozen_at is not None
    rule = eligibility(ctx, r)
    await load_tree(ctx)
    async with ctx.sm() as s:
        rows = (await s.execute(
            sa_select(Attempt, col(Participant.unit_code), col(Participant.group_code),
                      col(Participant.birth_date), prior_prize(r), contest_min_age(r))
            .join(Participant, col(Participant.id) == Attempt.participant_id)
            .where(col(Attempt.round_id) == r.id, col(Attempt.status) == AttemptStatus.SUBMITTED,
                   col(Attempt.submitted_at) < r.board_frozen_at)
        )).all()
    by_person: dict[str, list[Attempt]] = defaultdict(list)
    where: dict[str, tuple[str, str]] = {}
    for att, unit, group, birth, prior, min_age in rows:
        if rule.excludes(ctx, att.participant_id, unit, group, birth, att.score_milli or 0,
                         bool(prior), min_age):
            continue
        by_person[att.participant_id].append(att)
        where[att.participant_id] = (unit, group)
    out = []
    for pid, atts in by_person.items():
        best = policy.counted(
            [policy.Result(a.id, a.number, a.score_milli or 0, a.duration_ms or 0,
                           a.submitted_at or a.started_at) for a in atts], r.counting)
        assert best is not None
        att = next(a for a in atts if a.id == best.attempt_id)
        out.append(Entry(standing(r, att), await scopes(ctx, *where[pid]), len(atts),
                         perfect(att)))
    return out


async def ranked_round(ctx: Services, round_id: int, public: bool = False) -> Round:
    """A ranked round; raises NotFound (also, for public reads, when its contest is hidden)."""
    async with ctx.sm() as s:
        if public:  # one query: a hidden contest's boards are not served by direct URL either
            row = (await s.execute(
                select(Round).join(Contest, col(Contest.id) == col(Round.contest_id))
                .where(col(Round.id) == round_id, col(Contest.visible)))).first()
            r = row[0] if row else None
        else:
            r = await s.get(Round, round_id)
    if r is None or r.kind == RoundKind.PRACTICE:
        raise NotFound()
    return r
