"""Live dashboard figures of a round, within a staff member's unit scope."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlalchemy import text
from sqlmodel import col, select

from contest.core.context import Services
from contest.core.scope import in_scope, narrowed
from contest.domain.devices import is_mobile
from contest.domain.vocabulary import AttemptStatus
from contest.errors import NotFound
from contest.storage.tables import (
    Answer,
    Attempt,
    AttemptQuestion,
    Option,
    Participant,
    Question,
    Round,
    Staff,
)


@dataclass
class QuestionStat:
    """How one bank question fared in a round."""

    ext_id: str
    text: str
    shown: int = 0
    correct: int = 0
    discrimination: float | None = None  # share correct, top 27% minus bottom 27%
    median_s: float | None = None  # median seconds between the previous save and this one

    @property
    def share_correct(self) -> float | None:
        """Share of attempts that answered it correctly."""
        return self.correct / self.shown if self.shown else None


@dataclass
class Dashboard:
    """Every figure of the dashboard page (and of its CSV downloads)."""

    round: Round
    participants: int = 0
    attempts: int = 0
    people_with_attempts: int = 0
    perfect: int = 0
    mobile: int = 0
    desktop: int = 0
    review_queue: int | None = None
    hourly: list[tuple[datetime, int, int]] = field(default_factory=list)  # hour, attempts, perfect
    # unit, people, attempts, perfect
    by_unit: list[tuple[str, int, int, int]] = field(default_factory=list)
    histogram: list[tuple[str, int]] = field(default_factory=list)  # score band, attempts
    questions: list[QuestionStat] = field(default_factory=list)


def score_bands(percents: list[float]) -> list[tuple[str, int]]:
    """Attempts per tenth of the maximum score (100 % in its own band)."""
    counts = Counter(min(int(p // 10), 10) for p in percents)
    bands = [(f"{i * 10}-{i * 10 + 9}%", counts.get(i, 0)) for i in range(10)]
    return [*bands, ("100%", counts.get(10, 0))]


def discrimination(results: list[tuple[float, bool]]) -> float | None:
    """Upper-lower index: share correct among the top 27% by score minus the bottom 27%."""
    if len(results) < 4:
        return None
    ordered = sorted(results, key=lambda r: r[0])
    k = max(1, round(len(ordered) * 0.27))
    low = sum(c for _, c in ordered[:k]) / k
    high = sum(c for _, c in ordered[-k:]) / k
    return high - low


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    v = sorted(values)
    mid = len(v) // 2
    return v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


async def build(ctx: Services, staff: Staff, round_id: int, unit: str | None = None,
                tz: ZoneInfo | None = None) -> Dashboard:
    """The dashboard of a round for staff (their scope, optionally one unit's subtree).

    Raises NotFound for an unknown round or a unit outside the scope.
    """
    codes = await narrowed(ctx, staff, unit)
    tz = tz or ctx.settings.tz
    async with ctx.sm() as s:
        r = await s.get(Round, round_id)
        if r is None:
            raise NotFound()
        d = Dashboard(round=r)
        people = (await s.execute(select(Participant.id, Participant.unit_code).where(
            col(Participant.contest_id) == r.contest_id,
            in_scope(col(Participant.unit_code), codes)))).all()
        unit_of = dict(people)
        d.participants = len(people)
        rows = (await s.execute(
            sa_select(col(Attempt.id), col(Attempt.participant_id), col(Attempt.submitted_at),
                      col(Attempt.score_milli), col(Attempt.max_score_milli),
                      col(Attempt.user_agent), col(Attempt.started_at))
            .join(Participant, col(Participant.id) == Attempt.participant_id)
            .where(col(Attempt.round_id) == round_id,
                   col(Attempt.status) == AttemptStatus.SUBMITTED,
                   in_scope(col(Participant.unit_code), codes)))).all()
        aq = (await s.execute(
            select(AttemptQuestion.attempt_id, AttemptQuestion.question_id,
                   AttemptQuestion.public_id, AttemptQuestion.options)
            .join(Attempt, col(Attempt.id) == AttemptQuestion.attempt_id)
            .join(Participant, col(Participant.id) == Attempt.participant_id)
            .where(col(Attempt.round_id) == round_id,
                   col(Attempt.status) == AttemptStatus.SUBMITTED,
                   in_scope(col(Participant.unit_code), codes)))).all()
        answers = (await s.execute(
            select(Answer.attempt_id, Answer.question_public_id, Answer.option_ids,
                   Answer.saved_at)
            .join(Attempt, col(Attempt.id) == Answer.attempt_id)
            .join(Participant, col(Participant.id) == Attempt.participant_id)
            .where(col(Attempt.round_id) == round_id,
                   col(Attempt.status) == AttemptStatus.SUBMITTED,
                   in_scope(col(Participant.unit_code), codes)))).all()
        qids = {q for _, q, _, _ in aq}
        correct_of: dict[int, set[int]] = defaultdict(set)
        qinfo: dict[int, tuple[str, str]] = {}
        if qids:
            for qid, ext, qtext, oid, ok in (await s.execute(
                    sa_select(col(Question.id), col(Question.ext_id), col(Question.text),
                              col(Option.id), col(Option.correct))
                    .join(Option, col(Option.question_id) == Question.id)
                    .where(col(Question.id).in_(sorted(qids))))).all():
                assert qid is not None and oid is not None  # primary keys of stored rows
                qinfo[qid] = (ext, qtext)
                if ok:
                    correct_of[qid].add(oid)
        try:
            d.review_queue = (await s.execute(text(
                "SELECT count(*) FROM (SELECT DISTINCT f.participant_id FROM integrity_flags f "
                "LEFT JOIN review_decisions r ON r.round_id = f.round_id "
                "AND r.participant_id = f.participant_id "
                "WHERE f.round_id = :r AND r.participant_id IS NULL) q"), {"r": round_id})
            ).scalar_one()
        except Exception:  # the review tables are optional (issue 5); no queue then
            d.review_queue = None
    _fill(d, rows, aq, answers, correct_of, qinfo, unit_of, tz)
    return d


AttemptRow = tuple[str, str, datetime | None, int | None, int | None, str | None, datetime]
QuestionRow = tuple[str, int, str, list[list[Any]]]
AnswerRow = tuple[str, str, list[str], datetime]


def _fill(d: Dashboard, rows: Sequence[Any], aq: Sequence[Any], answers: Sequence[Any],
          correct_of: dict[int, set[int]], qinfo: dict[int, tuple[str, str]],
          unit_of: dict[str, str], tz: ZoneInfo) -> None:
    """Aggregate the raw rows into the dashboard's figures."""
    d.attempts = len(rows)
    people: set[str] = set()
    hourly: dict[datetime, list[int]] = defaultdict(lambda: [0, 0])
    unit_people: dict[str, set[str]] = defaultdict(set)
    unit_counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    percents: list[float] = []
    pct_of: dict[str, float] = {}
    started: dict[str, datetime] = {}
    row: AttemptRow
    for row in rows:
        aid, pid, submitted, score, top, ua, start = row
        people.add(pid)
        started[aid] = start
        perfect = bool(top) and score == top
        d.perfect += perfect
        if is_mobile(ua):
            d.mobile += 1
        else:
            d.desktop += 1
        hour = (submitted or start).astimezone(tz).replace(minute=0, second=0, microsecond=0)
        hourly[hour][0] += 1
        hourly[hour][1] += perfect
        unit = unit_of.get(pid, "?")
        unit_people[unit].add(pid)
        unit_counts[unit][0] += 1
        unit_counts[unit][1] += perfect
        pct = 100.0 * (score or 0) / top if top else 0.0
        percents.append(pct)
        pct_of[aid] = pct
    d.people_with_attempts = len(people)
    if hourly:
        first, last = min(hourly), max(hourly)
        h = first
        while h <= last:  # fill silent hours so the time axis is honest
            attempts, perfects = hourly.get(h, [0, 0])
            d.hourly.append((h, attempts, perfects))
            h += timedelta(hours=1)
    d.by_unit = sorted(((unit, len(unit_people[unit]), n, p)
                        for unit, (n, p) in unit_counts.items()), key=lambda x: -x[2])
    d.histogram = score_bands(percents)
    # Per-question statistics.
    chosen: dict[tuple[str, str], list[str]] = {}
    saves: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    ans: AnswerRow
    for ans in answers:
        aid, qpub, opts, saved = ans
        chosen[(aid, qpub)] = opts
        saves[aid].append((saved, qpub))
    gap: dict[tuple[str, str], float] = {}
    for aid, items in saves.items():
        prev = started.get(aid)
        for saved, qpub in sorted(items):
            if prev is not None:
                gap[(aid, qpub)] = max((saved - prev).total_seconds(), 0.0)
            prev = saved
    stats: dict[int, QuestionStat] = {}
    results: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    times: dict[int, list[float]] = defaultdict(list)
    paper: QuestionRow
    for paper in aq:
        aid, qid, qpub, options = paper
        ext, qtext = qinfo.get(qid, (str(qid), ""))
        st = stats.setdefault(qid, QuestionStat(ext, qtext))
        pub_to_opt = {pub: oid for oid, pub in options}
        picked = {pub_to_opt.get(p) for p in chosen.get((aid, qpub), [])}
        ok = bool(picked) and picked == correct_of.get(qid, set())
        st.shown += 1
        st.correct += ok
        results[qid].append((pct_of.get(aid, 0.0), ok))
        if (aid, qpub) in gap:
            times[qid].append(gap[(aid, qpub)])
    for qid, st in stats.items():
        st.discrimination = discrimination(results[qid])
        st.median_s = _median(times[qid])
    d.questions = sorted(stats.values(), key=lambda q: (q.share_correct or 0, q.ext_id))
