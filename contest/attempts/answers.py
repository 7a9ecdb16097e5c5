"""Answer saves: check against the cached paper, throttle, then one guarded upsert.

The hot path of a contest (every participant saves 10-30 answers per attempt): a save costs
one Redis round trip (the throttle) and one database statement, which commits before the
request is answered. Nothing is read back: the paper is immutable and cached per worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from contest.core.context import Services
from contest.core.paper_cache import CachedPaper, paper_of
from contest.domain import policy, scoring
from contest.domain.vocabulary import AttemptStatus
from contest.errors import (
    AttemptSubmitted,
    DeadlinePassed,
    NotFound,
    UnknownOption,
    ValidationFailed,
)
from contest.integrity import throttle
from contest.storage.answer_writes import AnswerWrite
from contest.storage.tables import Attempt, Round

MAX_BATCH = 50  # answers in one batch request: more than any paper holds


@dataclass(frozen=True)
class SavedAnswer:
    """An acknowledged (committed) answer."""

    question_public_id: str
    option_ids: list[str]
    saved_at: datetime


def _checked(paper: CachedPaper, question_public_id: str, option_ids: Sequence[str]
             ) -> AnswerWrite:
    """The answer to write, de-duplicated; raises NotFound, UnknownOption, ValidationFailed."""
    q = paper.questions.get(question_public_id)
    if q is None:
        raise NotFound()
    chosen = tuple(dict.fromkeys(option_ids))  # de-duplicate, keep order
    picked = set(chosen)
    if not picked <= q.offered:
        raise UnknownOption()
    if not scoring.is_valid_choice("multiple" if q.multiple else "single", picked, q.offered):
        raise ValidationFailed(fields={"option_ids": "field.single_choice"})
    return AnswerWrite(question_public_id, chosen)


async def save(ctx: Services, participant_id: str, attempt_id: str,
               answers: Sequence[tuple[str, Sequence[str]]],
               session_version: int | None = None) -> list[SavedAnswer]:
    """Store the participant's choices (idempotent; [] clears), all or none, committed.

    With session_version, the session is checked in the throttle's round trip. Raises
    NotFound, RateLimited, NotLoggedIn, AttemptSubmitted, DeadlinePassed, UnknownOption,
    ValidationFailed.
    """
    paper = await paper_of(ctx, attempt_id)
    if paper is None or paper.participant_id != participant_id:
        # probing costs a try too
        await throttle.participant(ctx, participant_id, "answer", session_version)
        raise NotFound()
    await throttle.participant_in(ctx, paper.contest_id, participant_id, "answer",
                                  max(1, len(answers)), session_version)
    writes: dict[str, AnswerWrite] = {}
    for qid, option_ids in answers:
        writes[qid] = _checked(paper, qid, option_ids)  # a repeated question: the last wins
    now = ctx.now()
    earliest = paper.earliest_deadline(now)
    if paper.deadline < earliest:
        raise await _refusal(ctx, attempt_id, now)
    written = await ctx.answer_writer.upsert(attempt_id, participant_id, earliest, now,
                                             list(writes.values()))
    if len(written) != len(writes):
        raise await _refusal(ctx, attempt_id, now)
    return [SavedAnswer(w.question_public_id, list(w.option_ids), now) for w in writes.values()]


async def _refusal(ctx: Services, attempt_id: str, now: datetime) -> Exception:
    """Why the guarded upsert wrote nothing: submitted, past the deadline, or gone."""
    async with ctx.sm() as s:
        found = (await s.execute(
            select(Attempt.status, Attempt.deadline, Round.grace_s)
            .join(Round, col(Round.id) == Attempt.round_id)
            .where(col(Attempt.id) == attempt_id)
        )).first()
    if found is None:
        ctx.papers.drop(attempt_id)
        return NotFound()
    status, deadline, grace_s = found
    if status != AttemptStatus.RUNNING:
        ctx.papers.drop(attempt_id)
        return AttemptSubmitted()
    if not policy.accepts_answers(now, deadline, grace_s):
        return DeadlinePassed()
    return NotFound()  # pragma: no cover - the paper and the database disagree
