"""What both start paths share: the paper as its participant sees it, where a start came
from, the start's eligibility rules, and filling the worker's paper cache."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from contest.core.context import Services
from contest.core.paper_cache import cached_paper
from contest.domain import policy
from contest.domain.draw import PaperQuestion, QuestionText
from contest.domain.people import age_on
from contest.domain.vocabulary import AttemptStatus, RoundKind
from contest.errors import AttemptsExhausted, NotEligible, RoundNotOpen
from contest.people.accounts import new_id
from contest.setup.papers import render_paper
from contest.storage.tables import Attempt, Round


@dataclass(frozen=True)
class PaperView:
    """An attempt as its participant may see it: never which option is correct."""

    attempt: Attempt
    round: Round
    questions: list[dict[str, Any]]
    answers: dict[str, list[str]]


@dataclass(frozen=True)
class StartNote:
    """Where a start came from, noted for the integrity review in the start's transaction."""

    ip: str | None = None
    device: str | None = None
    user_agent: str | None = None


def expired(att: Attempt, r: Round, now: datetime) -> bool:
    """True for a running attempt that no longer accepts answers (deadline plus grace)."""
    return (att.status == AttemptStatus.RUNNING
            and not policy.accepts_answers(now, att.deadline, r.grace_s))


def is_open(r: Round, now: datetime) -> bool:
    """True within the round's hours."""
    return r.opens_at <= now < r.closes_at


def has_attempts_left(r: Round, attempts: int) -> bool:
    """True while the round's attempts limit allows another start (practice: always)."""
    return r.kind == RoundKind.PRACTICE or policy.may_start(attempts, r.max_attempts)


def check_open_and_age(r: Round, now: datetime, min_age: int | None, birth_date: date) -> None:
    """Refuse a start outside the round's hours or below the contest's age limit.

    Raises RoundNotOpen, NotEligible."""
    if not is_open(r, now):
        raise RoundNotOpen()
    if min_age and age_on(birth_date, now.date()) < min_age:
        raise NotEligible(min_age=min_age)


def check_attempts_left(r: Round, attempts: int) -> None:
    """Refuse a start past the round's attempts limit (practice rounds have none).

    Raises AttemptsExhausted."""
    if not has_attempts_left(r, attempts):
        raise AttemptsExhausted(max_attempts=r.max_attempts)


def new_attempt(r: Round, participant_id: str, number: int, now: datetime,
                note: StartNote) -> Attempt:
    """A running attempt starting now, its deadline the time limit or the round's close."""
    assert r.id is not None
    return Attempt(
        id=new_id(), round_id=r.id, participant_id=participant_id, number=number,
        status=AttemptStatus.RUNNING, started_at=now,
        deadline=policy.deadline(now, r.time_limit_s, r.closes_at),
        user_agent=(note.user_agent or "")[:255] or None)


def paper_rows(paper: Sequence[PaperQuestion]) -> list[tuple[int, str, list[tuple[int, str]]]]:
    """A drawn paper as stored rows: (question id, public id, [(option id, public id)])."""
    return [(pq.question_id, pq.public_id, [(o.option_id, o.public_id) for o in pq.options])
            for pq in paper]


def view_of(ctx: Services, att: Attempt, r: Round,
            rows: Sequence[tuple[int, str, Sequence[Sequence[Any]], Sequence[str] | None]],
            texts: dict[int, QuestionText]) -> PaperView:
    """The view of an attempt from its paper rows with the saved answers (question id,
    public id, options, chosen or None), its paper cached for the saves."""
    paper = [(qid, pub, options) for qid, pub, options, _ in rows]
    remember(ctx, att, r, paper, texts)
    answers = {pub: list(chosen) for _, pub, _, chosen in rows if chosen is not None}
    return PaperView(att, r, render_paper(paper, texts), answers)


def remember(ctx: Services, att: Attempt, r: Round,
             rows: Sequence[tuple[int, str, Sequence[Sequence[Any]]]],
             texts: dict[int, QuestionText]) -> None:
    """Put a running attempt's paper in this worker's cache, ready for its answer saves."""
    if att.status != AttemptStatus.RUNNING:
        return
    ctx.papers.put(att.id, cached_paper(
        att.participant_id, r.contest_id, att.round_id, att.deadline, r.grace_s,
        [(pub, texts[qid].kind, options) for qid, pub, options in rows]))
