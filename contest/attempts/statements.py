"""The attempt life cycle's statements, built once with bound parameters (the hot path runs
them thousands of times a second: no per-request compilation)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, bindparam, exists, func, text, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from contest.domain.vocabulary import AttemptStatus
from contest.storage.integrity_tables import AttemptSignals
from contest.storage.results_tables import PrizeAward, RoundQualifier
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

ATTEMPTS = Attempt.__table__  # type: ignore[attr-defined]
PAPER_ROWS = AttemptQuestion.__table__  # type: ignore[attr-defined]
SIGNALS = AttemptSignals.__table__  # type: ignore[attr-defined]
ENTRIES = RoundEntry.__table__  # type: ignore[attr-defined]

# The hot statements, built once with bound parameters: building a SQLAlchemy statement
# (coercions, operators, cache key) cost more CPU per request than executing it.
# A start's paper on PostgreSQL: one INSERT of every question (one parse, plan and execution
# in the server) instead of an executemany, which runs the one-row INSERT once per question.
# SQLite, in-process, keeps the executemany of PAPER_ROWS.
PAPER_INSERT_PG = text(
    "INSERT INTO attempt_questions (attempt_id, position, question_id, public_id, options) "
    "SELECT :aid, p.position, p.question_id, p.public_id, CAST(p.options AS json) "
    "FROM unnest(CAST(:positions AS integer[]), CAST(:qids AS integer[]), "
    "CAST(:pubs AS text[]), CAST(:opts AS text[])) "
    "AS p(position, question_id, public_id, options)")
START_READ = (
    sa_select(Round, col(Contest.min_age), col(Participant.birth_date),
              # issue 17: on the list of a final round (a primary-key probe, same statement)
              exists().where(col(RoundQualifier.round_id) == Round.id,
                             col(RoundQualifier.participant_id) == bindparam("pid")))
    .join(Contest, col(Contest.id) == Round.contest_id)
    .outerjoin(Participant, and_(col(Participant.id) == bindparam("pid"),
                                 col(Participant.contest_id) == Round.contest_id))
    .where(col(Round.id) == bindparam("rid"))
)
PREVIOUS = (
    sa_select(Attempt, col(AttemptQuestion.question_id))
    .outerjoin(AttemptQuestion, col(AttemptQuestion.attempt_id) == Attempt.id)
    .where(col(Attempt.participant_id) == bindparam("pid"),
           col(Attempt.round_id) == bindparam("rid"))
    .execution_options(populate_existing=True)
)
PAPER_WITH_ANSWERS = (
    sa_select(col(AttemptQuestion.question_id), col(AttemptQuestion.public_id),
              col(AttemptQuestion.options), col(Answer.option_ids))
    .outerjoin(Answer, and_(col(Answer.attempt_id) == AttemptQuestion.attempt_id,
                            col(Answer.question_public_id) == AttemptQuestion.public_id))
    .where(col(AttemptQuestion.attempt_id) == bindparam("aid"))
    .order_by(col(AttemptQuestion.position))
)
ATTEMPT_WITH_ROUND = (
    sa_select(Attempt, Round)
    .join(Round, col(Round.id) == Attempt.round_id)
    .where(col(Attempt.id) == bindparam("aid"))
    .execution_options(populate_existing=True)
)
CLOSE_READ = (
    sa_select(Attempt, Round, col(Participant.unit_code), col(Participant.group_code),
              # what the live board's eligibility needs (issue 16), in the same statement
              col(Participant.birth_date),
              exists().where(col(PrizeAward.contest_id) == Round.contest_id,
                             col(PrizeAward.round_id) != Round.id,
                             col(PrizeAward.participant_id) == Attempt.participant_id),
              col(Contest.min_age))
    .join(Round, col(Round.id) == Attempt.round_id)
    .join(Contest, col(Contest.id) == Round.contest_id)
    .join(Participant, col(Participant.id) == Attempt.participant_id)
    .where(col(Attempt.id) == bindparam("aid"))
    .execution_options(populate_existing=True)
)
COUNTED = sa_select(col(RoundEntry.counted_attempt_id), col(RoundEntry.prediction)).where(
    col(RoundEntry.round_id) == bindparam("rid"),
    col(RoundEntry.participant_id) == bindparam("pid"))
SCORE_ROWS = (
    sa_select(col(AttemptQuestion.question_id), col(AttemptQuestion.options),
              col(Question.kind), col(Answer.option_ids),
              # the integrity signals' answer times, computed from this same read
              func.coalesce(col(Answer.first_saved_at), col(Answer.saved_at)))
    .join(Question, col(Question.id) == AttemptQuestion.question_id)
    .outerjoin(Answer, and_(col(Answer.attempt_id) == AttemptQuestion.attempt_id,
                            col(Answer.question_public_id) == AttemptQuestion.public_id))
    .where(col(AttemptQuestion.attempt_id) == bindparam("aid"))
)
# The correct options of an attempt's paper, by the attempt (not an expanding IN of its
# question ids, which SQLAlchemy re-rendered at every execution and PostgreSQL prepared anew
# per paper length).
KEY = (
    sa_select(col(Option.id))
    .join(AttemptQuestion, col(AttemptQuestion.question_id) == Option.question_id)
    .where(col(AttemptQuestion.attempt_id) == bindparam("aid"), col(Option.correct))
)
# Core UPDATEs of the table, not the entity: an ORM-enabled update evaluates its criteria
# against the session's objects to synchronise them (a sixth of a submit's CPU).
CLOSE = (
    update(ATTEMPTS)
    .where(ATTEMPTS.c.id == bindparam("aid"), ATTEMPTS.c.status == AttemptStatus.RUNNING)
    .values(status=AttemptStatus.SUBMITTED, submitted_at=bindparam("ended"),
            auto_submitted=bindparam("auto"),
            score_milli=bindparam("score"), max_score_milli=bindparam("max_score"),
            duration_ms=bindparam("duration"), prediction=bindparam("kept"))
)
SUBMITTED = (
    sa_select(Attempt)
    .where(col(Attempt.participant_id) == bindparam("pid"),
           col(Attempt.round_id) == bindparam("rid"),
           col(Attempt.status) == AttemptStatus.SUBMITTED)
    .execution_options(populate_existing=True)
)


def entry_upsert(insert_: Any) -> Any:
    """INSERT … ON CONFLICT DO UPDATE of a round entry; the first prediction stays locked."""
    stmt = insert_(ENTRIES).values(
        round_id=bindparam("rid"), participant_id=bindparam("pid"),
        prediction=bindparam("kept"), counted_attempt_id=bindparam("counted"),
        attempts_submitted=bindparam("n"))
    return stmt.on_conflict_do_update(
        index_elements=["round_id", "participant_id"],
        set_={"prediction": func.coalesce(ENTRIES.c.prediction, stmt.excluded.prediction),
              "counted_attempt_id": stmt.excluded.counted_attempt_id,
              "attempts_submitted": stmt.excluded.attempts_submitted},
    )


ENTRY_UPSERT = {"postgresql": entry_upsert(pg_insert), "sqlite": entry_upsert(sqlite_insert)}
