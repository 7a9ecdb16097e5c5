"""Practice review: the key, explanation and legal basis of answered questions.

A practice round (``Round.kind == "practice"``) is never ranked, so its participant may see at
once whether each saved answer is right, with the explanation and the law it rests on. A ranked
round shows the same review only after it has closed and the attempt is submitted: before that
the answer key never leaves the server.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import col

from contest.attempts import attempts
from contest.core.context import Services
from contest.domain import scoring
from contest.domain.vocabulary import AttemptStatus, RoundKind
from contest.errors import ReviewNotAvailable
from contest.storage.tables import AttemptQuestion, BankVersion, Option, Question, Round


@dataclass(frozen=True)
class QuestionReview:
    """One question of a paper with its key, in the attempt's public ids."""

    question_id: str
    chosen: list[str]
    correct_option_ids: list[str]
    is_correct: bool
    points: int  # thousandths earned, with the round's partial-credit rule
    basis: str
    explanation: str | None


@dataclass(frozen=True)
class Review:
    """The reviewable part of an attempt: every answered question (all once submitted)."""

    attempt_id: str
    kind: str
    status: str
    questions: list[QuestionReview]


async def _shares_bank_with_open_ranked(ctx: Services, version_id: int) -> bool:
    """True while a ranked round that has not closed draws on the same bank (any version):
    the configuration checks refuse it, and this holds the key back if one slipped through."""
    bank = select(col(BankVersion.bank_id)).where(col(BankVersion.id) == version_id)
    async with ctx.sm() as s:
        found = await s.scalar(
            select(col(Round.id))
            .join(BankVersion, col(BankVersion.id) == col(Round.bank_version_id))
            .where(col(BankVersion.bank_id).in_(bank), col(Round.kind) == RoundKind.RANKED,
                   col(Round.closes_at) > ctx.now()).limit(1))
    return found is not None


async def review(ctx: Services, participant_id: str, attempt_id: str) -> Review:
    """The key of the attempt's answered questions (all of them once it is submitted).

    Raises NotFound (not the participant's attempt) and ReviewNotAvailable (a ranked round
    that has not closed, or an attempt still running in a closed ranked round).
    """
    paper = await attempts.view(ctx, participant_id, attempt_id)  # also expires a late attempt
    r, att = paper.round, paper.attempt
    practice = r.kind == RoundKind.PRACTICE
    if not practice and (ctx.now() < r.closes_at or att.status != AttemptStatus.SUBMITTED):
        raise ReviewNotAvailable()
    if practice and await _shares_bank_with_open_ranked(ctx, r.bank_version_id):
        raise ReviewNotAvailable()
    submitted = att.status == AttemptStatus.SUBMITTED
    shown = {qid for qid, chosen in paper.answers.items() if chosen}
    async with ctx.sm() as s:
        rows = (
            await s.execute(
                select(AttemptQuestion, Question)
                .join(Question, col(Question.id) == col(AttemptQuestion.question_id))
                .where(col(AttemptQuestion.attempt_id) == att.id)
                .order_by(col(AttemptQuestion.position))
            )
        ).all()
        pairs = [(aq, q) for aq, q in rows if submitted or aq.public_id in shown]
        qids = [q.id for _aq, q in pairs]
        correct: set[int | None] = set(
            (await s.scalars(select(col(Option.id)).where(
                col(Option.question_id).in_(qids), col(Option.correct)))).all()
        ) if qids else set()
    out = []
    for aq, q in pairs:
        key = [pub for oid, pub in aq.options if oid in correct]
        chosen = paper.answers.get(aq.public_id, [])
        kind = "multiple" if q.kind == "multiple" else "single"
        earned = scoring.score_question(
            scoring.Marking(kind, frozenset(key), frozenset(chosen)), r.partial_credit)
        out.append(QuestionReview(
            question_id=aq.public_id, chosen=list(chosen), correct_option_ids=key,
            is_correct=set(chosen) == set(key) and bool(key), points=earned,
            basis=q.basis, explanation=q.explanation,
        ))
    return Review(att.id, r.kind, att.status, out)
