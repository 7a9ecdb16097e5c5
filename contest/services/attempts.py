"""The attempt life cycle: start, read, save answers, submit, expire."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert
from sqlmodel import col, select

from contest.domain import policy, scoring
from contest.domain.people import age_on
from contest.errors import (
    AttemptsExhausted,
    AttemptSubmitted,
    DeadlinePassed,
    NotEligible,
    NotFound,
    PredictionRequired,
    RoundNotOpen,
    ServiceUnavailable,
    UnknownOption,
    ValidationFailed,
)
from contest.services import standings
from contest.services.accounts import new_id
from contest.services.context import Services
from contest.services.papers import bank_texts, derive_paper, render_paper
from contest.storage.db import transaction
from contest.storage.tables import (
    Answer,
    Attempt,
    AttemptQuestion,
    Contest,
    Option,
    Participant,
    Question,
    Round,
    RoundEntry,
)


@dataclass(frozen=True)
class PaperView:
    """An attempt as its participant may see it: never which option is correct."""

    attempt: Attempt
    round: Round
    questions: list[dict[str, Any]]
    answers: dict[str, list[str]]


@dataclass(frozen=True)
class SubmitResult:
    """The outcome of a submit (or of the first submit, when repeated)."""

    attempt: Attempt
    counted: bool
    rank: int | None


async def _own_attempt(s: AsyncSession, participant_id: str, attempt_id: str) -> Attempt:
    """The participant's attempt; raises NotFound for anyone else's or an unknown id."""
    att = await s.get(Attempt, attempt_id, populate_existing=True)
    if att is None or att.participant_id != participant_id:
        raise NotFound()
    return att


async def _round(s: AsyncSession, round_id: int) -> Round:
    r = await s.get(Round, round_id)
    if r is None:
        raise NotFound()
    return r


def _expired(att: Attempt, r: Round, now: datetime) -> bool:
    return att.status == "running" and not policy.accepts_answers(now, att.deadline, r.grace_s)


async def start(
    ctx: Services, participant_id: str, round_id: int, user_agent: str | None = None
) -> tuple[PaperView, bool]:
    """Start an attempt or return the running one (created flag).

    Raises NotFound, RoundNotOpen, AttemptsExhausted, NotEligible.
    """
    for _ in range(3):
        try:
            return await _start_once(ctx, participant_id, round_id, user_agent)
        except (IntegrityError, _StartRace):
            # A concurrent start by the same participant won the unique index: return theirs.
            continue
    raise ServiceUnavailable()  # pragma: no cover - three lost races in a row: retry later


class _StartRace(Exception):
    """Another start of the same participant committed while this one was deciding."""


async def _start_once(
    ctx: Services, participant_id: str, round_id: int, user_agent: str | None
) -> tuple[PaperView, bool]:
    now = ctx.now()
    async with ctx.sm() as s:
        r = await _round(s, round_id)
        running = await s.scalar(
            select(Attempt).where(
                Attempt.participant_id == participant_id,
                Attempt.round_id == round_id,
                Attempt.status == "running",
            )
        )
    if running is not None:
        if not _expired(running, r, now):
            return await view(ctx, participant_id, running.id), False
        await finish(ctx, running.id, now, prediction=None, auto=True)
    async with transaction(ctx.sm) as s:
        r = await _round(s, round_id)
        participant = await s.get(Participant, participant_id)
        if participant is None or participant.contest_id != r.contest_id:
            raise NotFound()
        if not r.opens_at <= now < r.closes_at:
            raise RoundNotOpen()
        contest = await s.get(Contest, r.contest_id)
        if (
            contest
            and contest.min_age
            and age_on(participant.birth_date, now.date()) < contest.min_age
        ):
            raise NotEligible(min_age=contest.min_age)
        previous = (
            await s.execute(
                select(Attempt.number, Attempt.id, Attempt.status).where(
                    Attempt.participant_id == participant_id, Attempt.round_id == round_id
                )
            )
        ).all()
        if any(status == "running" for _, _, status in previous):
            # A concurrent start (often this client's own retry) committed in between:
            # go round again and return that attempt rather than count it as used up.
            raise _StartRace()
        if r.kind != "practice" and not policy.may_start(len(previous), r.max_attempts):
            raise AttemptsExhausted(max_attempts=r.max_attempts)
        number = max((n for n, _, _ in previous), default=0) + 1
        seen = (
            (
                await s.scalars(
                    select(AttemptQuestion.question_id).where(
                        col(AttemptQuestion.attempt_id).in_([a for _, a, _ in previous])
                    )
                )
            ).all()
            if previous
            else []
        )
        paper = await derive_paper(ctx, s, r, participant_id, number, seen)
        att = Attempt(
            id=new_id(),
            round_id=round_id,
            participant_id=participant_id,
            number=number,
            started_at=now,
            deadline=policy.deadline(now, r.time_limit_s, r.closes_at),
            user_agent=(user_agent or "")[:255] or None,
        )
        s.add(att)
        await s.flush()  # the attempt row first: attempt_questions reference it
        s.add_all(
            AttemptQuestion(
                attempt_id=att.id,
                position=i,
                question_id=pq.question_id,
                public_id=pq.public_id,
                options=[[o.option_id, o.public_id] for o in pq.options],
            )
            for i, pq in enumerate(paper)
        )
        texts = await bank_texts(ctx, s, r.bank_version_id)
    # A new attempt has no answers yet: render it from the paper just drawn (no re-read).
    questions = render_paper(
        [(pq.question_id, pq.public_id, [(o.option_id, o.public_id) for o in pq.options])
         for pq in paper],
        texts,
    )
    return PaperView(att, r, questions, {}), True


async def view(ctx: Services, participant_id: str, attempt_id: str) -> PaperView:
    """The attempt as its participant left it; expires it first if its time is up.

    Raises NotFound.
    """
    now = ctx.now()
    async with ctx.sm() as s:
        att = await _own_attempt(s, participant_id, attempt_id)
        r = await _round(s, att.round_id)
    if _expired(att, r, now):
        await finish(ctx, att.id, now, prediction=None, auto=True)
    async with ctx.sm() as s:
        att = await _own_attempt(s, participant_id, attempt_id)
        rows = (
            await s.execute(
                select(AttemptQuestion.question_id, AttemptQuestion.public_id,
                       AttemptQuestion.options)
                .where(col(AttemptQuestion.attempt_id) == att.id)
                .order_by(col(AttemptQuestion.position))
            )
        ).all()
        answers = (await s.scalars(select(Answer).where(Answer.attempt_id == att.id))).all()
        texts = await bank_texts(ctx, s, r.bank_version_id)
    questions = render_paper([tuple(row) for row in rows], texts)
    return PaperView(att, r, questions, {a.question_public_id: list(a.option_ids) for a in answers})


async def save_answer(
    ctx: Services,
    participant_id: str,
    attempt_id: str,
    question_public_id: str,
    option_ids: Sequence[str],
) -> Answer:
    """Store the participant's choice for one question (idempotent; [] clears).

    Raises NotFound, AttemptSubmitted, DeadlinePassed, UnknownOption, ValidationFailed.
    """
    now = ctx.now()
    chosen = list(dict.fromkeys(option_ids))  # de-duplicate, keep order
    async with transaction(ctx.sm) as s:
        found = (
            await s.execute(
                select(Attempt, Round.grace_s)
                .join(Round, col(Round.id) == Attempt.round_id)
                .where(col(Attempt.id) == attempt_id)
            )
        ).first()
        if found is None or found[0].participant_id != participant_id:
            raise NotFound()
        att, grace_s = found
        if att.status != "running":
            raise AttemptSubmitted()
        if not policy.accepts_answers(now, att.deadline, grace_s):
            raise DeadlinePassed()
        row = (
            await s.execute(
                select(AttemptQuestion.options, Question.kind)
                .join(Question, col(Question.id) == AttemptQuestion.question_id)
                .where(
                    col(AttemptQuestion.attempt_id) == att.id,
                    col(AttemptQuestion.public_id) == question_public_id,
                )
            )
        ).first()
        if row is None:
            raise NotFound()
        paper_options, kind = row
        offered = {pub for _oid, pub in paper_options}
        if not set(chosen) <= offered:
            raise UnknownOption()
        if not scoring.is_valid_choice(
            "multiple" if kind == "multiple" else "single", set(chosen), offered
        ):
            raise ValidationFailed(fields={"option_ids": "field.single_choice"})
        answer = Answer(
            attempt_id=att.id, question_public_id=question_public_id, option_ids=chosen,
            saved_at=now,
        )
        # One upsert: two saves of the same question at once (a double tap, a retry after a
        # time-out) both succeed, the later one winning, instead of colliding on the key.
        await s.execute(_upsert_answer(s, answer))
    return answer


def _upsert_answer(s: AsyncSession, answer: Answer) -> Insert:
    """INSERT ... ON CONFLICT DO UPDATE of one answer, in the session's SQL dialect."""
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(Answer).values(
        attempt_id=answer.attempt_id,
        question_public_id=answer.question_public_id,
        option_ids=answer.option_ids,
        saved_at=answer.saved_at,
        saves=1,
    )
    return stmt.on_conflict_do_update(
        index_elements=["attempt_id", "question_public_id"],
        set_={
            "option_ids": stmt.excluded.option_ids,
            "saved_at": stmt.excluded.saved_at,
            "saves": col(Answer.saves) + 1,
        },
    )


async def submit(
    ctx: Services, participant_id: str, attempt_id: str, prediction: int | None
) -> SubmitResult:
    """End an attempt and score it; a repeated submit returns the first result.

    Raises NotFound, PredictionRequired.
    """
    now = ctx.now()
    async with ctx.sm() as s:
        att = await _own_attempt(s, participant_id, attempt_id)
        r = await _round(s, att.round_id)
    if (
        att.status == "running"
        and not _expired(att, r, now)
        and r.prediction_prompt
        and prediction is None
        and r.kind != "practice"
    ):
        raise PredictionRequired(fields={"prediction": "field.prediction"})
    await finish(ctx, att.id, now, prediction, auto=_expired(att, r, now))
    return await result(ctx, participant_id, attempt_id)


async def result(ctx: Services, participant_id: str, attempt_id: str) -> SubmitResult:
    """The stored result of a submitted attempt with its live rank; raises NotFound."""
    async with ctx.sm() as s:
        att = await _own_attempt(s, participant_id, attempt_id)
        entry = await s.get(RoundEntry, (att.round_id, participant_id))
    counted = entry is not None and entry.counted_attempt_id == att.id
    rank = await standings.live_rank(ctx, att.round_id, participant_id)
    return SubmitResult(att, counted, rank)


async def finish(
    ctx: Services, attempt_id: str, now: datetime, prediction: int | None, auto: bool
) -> bool:
    """Score and close a running attempt exactly once; False if it was already closed.

    An automatic finish ends the attempt at its deadline and ignores any prediction.
    """
    async with transaction(ctx.sm) as s:
        att = await s.get(Attempt, attempt_id, populate_existing=True)
        if att is None or att.status != "running":
            return False
        r = await _round(s, att.round_id)
        ended = att.deadline if auto else min(now, att.deadline)
        score, max_score = await _score(s, att.id, r.partial_credit)
        duration = policy.duration_ms(att.started_at, ended)
        done = await s.execute(
            update(Attempt)
            .where(col(Attempt.id) == att.id, col(Attempt.status) == "running")
            .values(
                status="submitted",
                submitted_at=ended,
                auto_submitted=auto,
                score_milli=score,
                max_score_milli=max_score,
                duration_ms=duration,
                prediction=None if auto else prediction,
            )
        )
        if getattr(done, "rowcount", 0) != 1:
            return False  # a concurrent submit won; its transaction records the result
        await _update_entry(s, r, att.participant_id, None if auto else prediction)
    if r.kind != "practice":
        await standings.after_submit(ctx, r, att.participant_id)
    return True


async def _score(s: AsyncSession, attempt_id: str, partial: bool) -> tuple[int, int]:
    rows = (
        await s.execute(
            select(AttemptQuestion, Question.kind)
            .join(Question, col(Question.id) == AttemptQuestion.question_id)
            .where(AttemptQuestion.attempt_id == attempt_id)
        )
    ).all()
    qids = [aq.question_id for aq, _ in rows]
    correct_opts = set(
        (
            await s.scalars(
                select(Option.id).where(col(Option.question_id).in_(qids), col(Option.correct))
            )
        ).all()
    )
    answers = {
        a.question_public_id: set(a.option_ids)
        for a in (await s.scalars(select(Answer).where(Answer.attempt_id == attempt_id))).all()
    }
    markings = []
    for aq, kind in rows:
        pub = {oid: p for oid, p in aq.options}
        markings.append(
            scoring.Marking(
                kind="multiple" if kind == "multiple" else "single",
                correct=frozenset(pub[o] for o in pub if o in correct_opts),
                chosen=frozenset(answers.get(aq.public_id, set())),
            )
        )
    return scoring.score_attempt(markings, partial)


async def _update_entry(
    s: AsyncSession, r: Round, participant_id: str, prediction: int | None
) -> None:
    assert r.id is not None
    entry = await s.get(RoundEntry, (r.id, participant_id), populate_existing=True)
    if entry is None:
        entry = RoundEntry(round_id=r.id, participant_id=participant_id)
        s.add(entry)
    if entry.prediction is None and prediction is not None:
        entry.prediction = prediction  # the first prediction is locked for the round
    submitted = (
        await s.scalars(
            select(Attempt).where(
                Attempt.participant_id == participant_id,
                Attempt.round_id == r.id,
                Attempt.status == "submitted",
            )
        )
    ).all()
    entry.attempts_submitted = len(submitted)
    best = policy.counted(
        [
            policy.Result(
                a.id,
                a.number,
                a.score_milli or 0,
                a.duration_ms or 0,
                a.submitted_at or a.started_at,
            )
            for a in submitted
        ],
        r.counting,
    )
    entry.counted_attempt_id = best.attempt_id if best else None


async def expire_due(ctx: Services, limit: int = 200) -> int:
    """Submit automatically the attempts past their deadline and grace; returns how many."""
    now = ctx.now()
    async with ctx.sm() as s:
        rows = (
            await s.execute(
                select(Attempt.id, Attempt.deadline, Round.grace_s)
                .join(Round, col(Round.id) == Attempt.round_id)
                .where(Attempt.status == "running", Attempt.deadline < now)
                .order_by(col(Attempt.deadline))
                .limit(limit)
            )
        ).all()
    done = 0
    for attempt_id, deadline, grace in rows:
        if not policy.accepts_answers(now, deadline, grace):
            done += await finish(ctx, attempt_id, now, prediction=None, auto=True)
    return done


async def attempts_of(ctx: Services, participant_id: str, round_id: int) -> list[Attempt]:
    """A participant's attempts in a round, oldest first."""
    async with ctx.sm() as s:
        return list(
            (
                await s.scalars(
                    select(Attempt)
                    .where(Attempt.participant_id == participant_id, Attempt.round_id == round_id)
                    .order_by(col(Attempt.number))
                )
            ).all()
        )


async def submitted_count(s: AsyncSession, round_id: int) -> int:
    """Submitted attempts in a round, from SQL."""
    n = await s.scalar(
        select(func.count())
        .select_from(Attempt)
        .where(Attempt.round_id == round_id, Attempt.status == "submitted")
    )
    return int(n or 0)


@dataclass(frozen=True)
class MyRound:
    """A participant's standing in a round: the counted attempt, all attempts, the rank."""

    counted: Attempt | None
    attempts: list[Attempt]
    rank: int | None
    prediction: int | None
    attempts_left: int | None


async def my_round(ctx: Services, participant_id: str, round_id: int) -> MyRound:
    """The participant's counted attempt, attempts and live rank; raises NotFound."""
    now = ctx.now()
    async with ctx.sm() as s:
        r = await _round(s, round_id)
        participant = await s.get(Participant, participant_id)
        if participant is None or participant.contest_id != r.contest_id:
            raise NotFound()
        running = await s.scalar(
            select(Attempt).where(
                Attempt.participant_id == participant_id,
                Attempt.round_id == round_id,
                Attempt.status == "running",
            )
        )
    if running is not None and _expired(running, r, now):
        await finish(ctx, running.id, now, prediction=None, auto=True)
    attempts = await attempts_of(ctx, participant_id, round_id)
    async with ctx.sm() as s:
        entry = await s.get(RoundEntry, (round_id, participant_id))
    counted = next((a for a in attempts if entry and a.id == entry.counted_attempt_id), None)
    rank = (
        await standings.live_rank(ctx, round_id, participant_id)
        if counted and r.kind != "practice"
        else None
    )
    left = (
        None
        if r.max_attempts is None or r.kind == "practice"
        else max(0, r.max_attempts - len(attempts))
    )
    return MyRound(counted, attempts, rank, entry.prediction if entry else None, left)
