"""Drawing papers: the bank's questions as the draw sees them, and re-deriving a paper."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from contest.core.context import Services
from contest.domain.draw import (
    DrawQuestion,
    PaperQuestion,
    QuestionText,
    Quota,
    attempt_seed,
    draw_paper,
)
from contest.storage.tables import Option, Question, Round


async def bank_texts(
    ctx: Services, s: AsyncSession, bank_version_id: int
) -> dict[int, QuestionText]:
    """Question and option texts of a bank version by question id (cached: immutable)."""
    cached = ctx.text_cache.get(bank_version_id)
    if cached is not None:
        return cached
    rows = (
        await s.execute(
            sa_select(
                col(Question.id), col(Question.text), col(Question.kind), col(Option.id),
                col(Option.text),
            )
            .join(Option, col(Option.question_id) == Question.id)
            .where(col(Question.bank_version_id) == bank_version_id)
        )
    ).all()
    out: dict[int, QuestionText] = {}
    for qid, qtext, kind, oid, otext in rows:
        assert qid is not None and oid is not None  # primary keys of stored rows
        shown = "multiple" if kind == "multiple" else "single"
        out.setdefault(qid, QuestionText(qtext, shown, {})).options[oid] = otext
    ctx.text_cache[bank_version_id] = out
    return out


def render_paper(
    rows: Sequence[tuple[int, str, Sequence[Sequence[Any]]]], texts: dict[int, QuestionText]
) -> list[dict[str, Any]]:
    """The questions of a paper as the API shows them, from (question id, public id,
    [[option id, public option id], ...]) rows in paper order."""
    out = []
    for question_id, public_id, options in rows:
        qt = texts[question_id]
        out.append({
            "id": public_id,
            "text": qt.text,
            "kind": qt.kind,
            "options": [{"id": pub, "text": qt.options[oid]} for oid, pub in options],
        })
    return out


async def bank_questions(
    ctx: Services, s: AsyncSession, bank_version_id: int, question_set: str | None = None
) -> list[DrawQuestion]:
    """The draw's view of a bank version's questions, or of one question set of it (cached:
    versions are immutable)."""
    key = (bank_version_id, question_set)
    cached = ctx.bank_cache.get(key)
    if cached is not None:
        return cached
    query = (
        sa_select(
            col(Question.id), col(Question.topic), col(Question.difficulty),
            col(Question.kind), col(Option.id),
        )
        .join(Option, col(Option.question_id) == Question.id)
        .where(col(Question.bank_version_id) == bank_version_id)
        .order_by(col(Question.id), col(Option.position))
    )
    if question_set is not None:
        query = query.where(col(Question.question_set) == question_set)
    rows = (await s.execute(query)).all()
    by_q: dict[int, tuple[str, str, str, list[int]]] = {}
    for qid, topic, difficulty, kind, oid in rows:
        assert qid is not None and oid is not None  # primary keys of stored rows
        by_q.setdefault(qid, (topic, difficulty, kind, []))[3].append(oid)
    out = [
        DrawQuestion(q, tuple(o), t, d, shuffle_options=kind != "true_false")
        for q, (t, d, kind, o) in by_q.items()
    ]
    ctx.bank_cache[key] = out
    return out


def round_quotas(r: Round) -> list[Quota]:
    """The round's draw rules: its quotas, or N questions from the whole bank."""
    if r.quotas:
        return [quota_from_dict(q) for q in r.quotas]
    return [Quota(count=r.questions_per_attempt)]


def quota_from_dict(raw: dict[str, Any]) -> Quota:
    """A quota from its stored form {count, topic?, difficulty?}."""
    return Quota(count=int(raw["count"]), topic=raw.get("topic"), difficulty=raw.get("difficulty"))


async def derive_paper(
    ctx: Services,
    s: AsyncSession,
    r: Round,
    participant_id: str,
    number: int,
    seen: Sequence[int] = (),
) -> tuple[PaperQuestion, ...]:
    """The paper of attempt `number` of a participant, exactly as the draw makes it."""
    assert r.bank_version_id is not None
    questions = await bank_questions(ctx, s, r.bank_version_id, r.question_set)
    return draw_from(questions, r, participant_id, number, seen)


def draw_from(
    questions: Sequence[DrawQuestion],
    r: Round,
    participant_id: str,
    number: int,
    seen: Sequence[int] = (),
) -> tuple[PaperQuestion, ...]:
    """The paper of attempt `number` from the round's questions as the draw sees them;
    raises DrawError."""
    seed = attempt_seed(r.secret, participant_id, number)
    return draw_paper(seed, questions, round_quotas(r), seen, r.draw_version)
