"""The attempt life cycle: start, read, save answers, submit, expire."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from contest.attempts import statements as sql
from contest.attempts.first_start import first_start
from contest.attempts.views import (
    PaperView,
    StartNote,
    check_attempts_left,
    check_open_and_age,
    expired,
    new_attempt,
    paper_rows,
    remember,
    view_of,
)
from contest.core.context import Services
from contest.domain import policy, scoring
from contest.domain.draw import PaperQuestion
from contest.domain.vocabulary import AttemptStatus, RoundKind
from contest.errors import (
    NotFound,
    PredictionRequired,
    ServiceUnavailable,
)
from contest.integrity import signals as integrity
from contest.live import standings
from contest.setup import qualification
from contest.setup.papers import bank_texts, derive_paper, render_paper
from contest.storage.bulk import dialect
from contest.storage.db import transaction
from contest.storage.tables import (
    Attempt,
    Round,
)


@dataclass(frozen=True)
class SubmitResult:
    """The outcome of a submit (or of the first submit, when repeated)."""

    attempt: Attempt
    counted: bool
    rank: int | None
    hidden_until: datetime | None = None  # the round hides scores until then (issue 14)


async def round_of(s: AsyncSession, round_id: int) -> Round:
    """The round; raises NotFound."""
    r = await s.get(Round, round_id)
    if r is None:
        raise NotFound()
    return r


async def start(
    ctx: Services, participant_id: str, round_id: int, note: StartNote | None = None
) -> tuple[PaperView, bool]:
    """Start an attempt or return the running one (created flag).

    Raises NotFound, RoundNotOpen, AttemptsExhausted, NotEligible.
    """
    note = note or StartNote()
    fast = await first_start(ctx, participant_id, round_id, note)
    if fast is not None:
        return fast
    for _ in range(3):
        try:
            return await _start_once(ctx, participant_id, round_id, note)
        except _RunningExpired as stale:
            await finish(ctx, stale.attempt_id, ctx.now(), prediction=None, auto=True)
        except (IntegrityError, _StartRace):
            # A concurrent start by the same participant won the unique index: return theirs.
            continue
    raise ServiceUnavailable()  # pragma: no cover - three lost races in a row: retry later


class _StartRace(Exception):
    """Another start of the same participant committed while this one was deciding."""


class _RunningExpired(Exception):
    """The participant's running attempt is past its time: finish it, then start again."""

    def __init__(self, attempt_id: str) -> None:
        super().__init__(attempt_id)
        self.attempt_id = attempt_id


async def _start_once(
    ctx: Services, participant_id: str, round_id: int, note: StartNote
) -> tuple[PaperView, bool]:
    """One transaction: read the round and the participant's attempts (two statements), then
    insert the attempt, its paper (one multi-row insert) and the integrity note; nothing is
    read back. Resuming a running attempt reads its paper and answers instead (one more)."""
    now = ctx.now()
    async with transaction(ctx.sm) as s:
        found = (await s.execute(sql.START_READ, {"pid": participant_id, "rid": round_id})).first()
        if found is None or found[2] is None:
            raise NotFound()
        r, min_age, birth_date, qualified = found
        previous = (await s.execute(sql.PREVIOUS, {"pid": participant_id, "rid": round_id})).all()
        attempts_seen = {a.id: a for a, _ in previous}
        running = next((a for a in attempts_seen.values()
                        if a.status == AttemptStatus.RUNNING), None)
        if running is not None:
            if expired(running, r, now):
                raise _RunningExpired(running.id)
            return await _paper_view(ctx, s, running, r), False
        check_open_and_age(r, now, min_age, birth_date)
        if r.qualify is not None and not qualified:
            await qualification.refuse(s, r)  # raises NotQualified / QualificationPending
        check_attempts_left(r, len(attempts_seen))
        number = max((a.number for a in attempts_seen.values()), default=0) + 1
        seen = [qid for _, qid in previous if qid is not None]
        paper = await derive_paper(ctx, s, r, participant_id, number, seen)
        att = new_attempt(r, participant_id, number, now, note)
        # Core inserts with their parameters apart: the statements compile once and are
        # cached (values() inside the statement made SQLAlchemy walk them for a cache key at
        # every start).
        await s.execute(insert(sql.ATTEMPTS), att.model_dump())
        await _insert_paper(s, att.id, paper)
        await s.execute(insert(sql.SIGNALS), dict(
            attempt_id=att.id, round_id=round_id, participant_id=participant_id, ip=note.ip,
            device=note.device, user_agent=att.user_agent, started_at=now, hidden_changes=0))
        texts = await bank_texts(ctx, s, r.bank_version_id)
    # A new attempt has no answers yet: render it from the paper just drawn (no re-read).
    rows = paper_rows(paper)
    remember(ctx, att, r, rows, texts)
    return PaperView(att, r, render_paper(rows, texts), {}), True


async def _insert_paper(s: AsyncSession, attempt_id: str,
                        paper: Sequence[PaperQuestion]) -> None:
    """Insert the paper's rows: one statement on PostgreSQL, an executemany on SQLite."""
    options = [[[o.option_id, o.public_id] for o in pq.options] for pq in paper]
    if dialect(s) == "postgresql":
        await s.execute(sql.PAPER_INSERT_PG, {
            "aid": attempt_id, "positions": list(range(len(paper))),
            "qids": [pq.question_id for pq in paper], "pubs": [pq.public_id for pq in paper],
            "opts": [orjson.dumps(o).decode() for o in options]})
        return
    await s.execute(insert(sql.PAPER_ROWS), [
        {"attempt_id": attempt_id, "position": i, "question_id": pq.question_id,
         "public_id": pq.public_id, "options": o}
        for i, (pq, o) in enumerate(zip(paper, options, strict=True))])


async def _paper_view(ctx: Services, s: AsyncSession, att: Attempt, r: Round) -> PaperView:
    """The attempt's paper with its saved answers: one statement (texts are cached)."""
    rows = (await s.execute(sql.PAPER_WITH_ANSWERS, {"aid": att.id})).all()
    return view_of(ctx, att, r, rows, await bank_texts(ctx, s, r.bank_version_id))


async def view(ctx: Services, participant_id: str, attempt_id: str) -> PaperView:
    """The attempt as its participant left it (two statements); expires it first if its time
    is up. Raises NotFound."""
    now = ctx.now()
    for _ in range(2):
        async with ctx.sm() as s:
            found = (await s.execute(sql.ATTEMPT_WITH_ROUND, {"aid": attempt_id})).first()
            if found is None or found[0].participant_id != participant_id:
                raise NotFound()
            att, r = found
            if not expired(att, r, now):
                return await _paper_view(ctx, s, att, r)
        await finish(ctx, att.id, now, prediction=None, auto=True)
    raise ServiceUnavailable()  # pragma: no cover - finished yet still running


async def submit(
    ctx: Services, participant_id: str, attempt_id: str, prediction: int | None
) -> SubmitResult:
    """End an attempt and score it in one transaction; a repeated submit returns the first
    result. Raises NotFound, PredictionRequired."""
    closed = await _close(ctx, attempt_id, ctx.now(), prediction, auto=False,
                          participant_id=participant_id)
    hidden = standings.hidden_until(ctx, closed.round)  # issue 14: no score oracle
    rank = (None if closed.round.kind == RoundKind.PRACTICE or hidden else
            await standings.live_rank(ctx, closed.attempt.round_id, participant_id,
                                      known=closed.round))
    return SubmitResult(closed.attempt, closed.counted_id == attempt_id, rank, hidden)


async def finish(
    ctx: Services, attempt_id: str, now: datetime, prediction: int | None, auto: bool
) -> bool:
    """Score and close a running attempt exactly once; False if it was already closed.

    An automatic finish ends the attempt at its deadline and ignores any prediction.
    """
    try:
        return (await _close(ctx, attempt_id, now, prediction, auto)).closed_now
    except NotFound:
        return False


@dataclass(frozen=True)
class _Closed:
    """An attempt after a close: as submitted, its round, the round's counted attempt id."""

    attempt: Attempt
    round: Round
    counted_id: str | None
    closed_now: bool


class _ClosedElsewhere(Exception):
    """A concurrent close of the same attempt committed first (READ COMMITTED re-check)."""


async def _close(
    ctx: Services, attempt_id: str, now: datetime, prediction: int | None, auto: bool,
    participant_id: str | None = None,
) -> _Closed:
    """Close an attempt (see _close_once); when a concurrent close won, its result.

    Raises NotFound, PredictionRequired.
    """
    try:
        return await _close_once(ctx, attempt_id, now, prediction, auto, participant_id)
    except _ClosedElsewhere:
        return await _close_once(ctx, attempt_id, now, prediction, auto, participant_id)


async def _close_once(
    ctx: Services, attempt_id: str, now: datetime, prediction: int | None, auto: bool,
    participant_id: str | None,
) -> _Closed:
    """One transaction: read the attempt with its round and owner, score it from its paper
    and answers, close it (guarded on 'running'), and upsert the round entry; then put the
    counted attempt on the live boards. With participant_id it is a participant's submit
    (the prediction is required while the attempt is in time).

    Raises NotFound, PredictionRequired.
    """
    async with transaction(ctx.sm) as s:
        found = (await s.execute(sql.CLOSE_READ, {"aid": attempt_id})).first()
        if found is None or participant_id not in (None, found[0].participant_id):
            raise NotFound()
        att, r, unit_code, group_code, birth, prior, min_age = found
        if att.status != AttemptStatus.RUNNING:
            entry = (await s.execute(sql.COUNTED, {"rid": att.round_id,
                                                "pid": att.participant_id})).first()
            return _Closed(att, r, entry[0] if entry else None, False)
        auto = auto or expired(att, r, now)
        if participant_id and not auto and r.prediction_prompt and prediction is None \
                and r.kind != RoundKind.PRACTICE:
            # One locked prediction per person and round: a later attempt may omit it.
            entry = (await s.execute(sql.COUNTED, {"rid": att.round_id,
                                                "pid": att.participant_id})).first()
            if entry is None or entry[1] is None:
                raise PredictionRequired(fields={"prediction": "field.prediction"})
        kept = None if auto else prediction
        ended = att.deadline if auto else min(now, att.deadline)
        rows = (await s.execute(sql.SCORE_ROWS, {"aid": att.id})).all()
        score, max_score = await _score(s, att.id, rows, r.partial_credit)
        duration = policy.duration_ms(att.started_at, ended)
        done = await s.execute(sql.CLOSE, {
            "aid": att.id, "ended": ended, "auto": auto, "score": score, "max_score": max_score,
            "duration": duration, "kept": kept})
        if getattr(done, "rowcount", 0) != 1:
            raise _ClosedElsewhere()
        submitted, counted = await _update_entry(s, r, att.participant_id, kept)
        mine = next(a for a in submitted if a.id == att.id)
        # The integrity signals from the rows read for the score (texts are cached), in
        # this transaction: a separate pass after the response cost as much as the submit.
        assert r.bank_version_id is not None
        signals = integrity.evaluate(
            att.started_at, duration, auto, [(qid, options) for qid, options, *_ in rows],
            {qid: (chosen, at) for qid, _, _, chosen, at in rows if chosen is not None},
            await bank_texts(ctx, s, r.bank_version_id))
        await integrity.store_at_close(s, mine, signals, now)
    ctx.papers.drop(att.id)
    best = next((a for a in submitted if a.id == counted), None)
    if r.kind != RoundKind.PRACTICE and best is not None:
        await standings.publish(ctx, r, best, len(submitted), unit_code, group_code, birth,
                                prior, min_age)
    return _Closed(mine, r, counted, True)


async def _score(s: AsyncSession, attempt_id: str, rows: Sequence[Any], partial: bool
                 ) -> tuple[int, int]:
    """The attempt's score from its sql.SCORE_ROWS and the key (one statement)."""
    correct_opts = set((await s.scalars(sql.KEY, {"aid": attempt_id})).all())
    markings = []
    for _qid, options, kind, chosen, _at in rows:
        pub = {oid: p for oid, p in options}
        markings.append(scoring.Marking(
            kind="multiple" if kind == "multiple" else "single",
            correct=frozenset(pub[o] for o in pub if o in correct_opts),
            chosen=frozenset(chosen or ()),
        ))
    return scoring.score_attempt(markings, partial)


async def _update_entry(
    s: AsyncSession, r: Round, participant_id: str, prediction: int | None
) -> tuple[list[Attempt], str | None]:
    """Upsert the participant's round entry (two statements): the counted attempt, how many
    were submitted, and the first prediction, which stays locked for the round. Returns the
    submitted attempts and the counted one's id."""
    assert r.id is not None
    submitted = list((await s.scalars(sql.SUBMITTED, {"pid": participant_id, "rid": r.id})).all())
    best = policy.counted(
        [policy.Result(a.id, a.number, a.score_milli or 0, a.duration_ms or 0,
                       a.submitted_at or a.started_at) for a in submitted],
        r.counting,
    )
    counted = best.attempt_id if best else None
    await s.execute(sql.ENTRY_UPSERT[s.get_bind().dialect.name], {
        "rid": r.id, "pid": participant_id, "kept": prediction, "counted": counted,
        "n": len(submitted)})
    return submitted, counted


async def expire_due(ctx: Services, limit: int = 200) -> int:
    """Submit automatically the attempts past their deadline and grace; returns how many."""
    now = ctx.now()
    async with ctx.sm() as s:
        rows = (
            await s.execute(
                select(Attempt.id, Attempt.deadline, Round.grace_s)
                .join(Round, col(Round.id) == Attempt.round_id)
                .where(Attempt.status == AttemptStatus.RUNNING, Attempt.deadline < now)
                .order_by(col(Attempt.deadline))
                .limit(limit)
            )
        ).all()
    done = 0
    for attempt_id, deadline, grace in rows:
        if not policy.accepts_answers(now, deadline, grace):
            done += await finish(ctx, attempt_id, now, prediction=None, auto=True)
    return done
