"""Audit helpers: re-deriving what a participant was shown."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from contest.core.context import Services
from contest.errors import NotFound
from contest.setup.papers import derive_paper
from contest.storage.tables import Attempt, AttemptQuestion, Round


async def rederive_paper(ctx: Services, attempt_id: str) -> dict[str, Any]:
    """Re-draw an attempt's paper from the round secret; report whether it equals the stored one.

    Raises NotFound.
    """
    async with ctx.sm() as s:
        att = await s.get(Attempt, attempt_id)
        if att is None:
            raise NotFound()
        r = await s.get(Round, att.round_id)
        assert r is not None
        earlier = (
            await s.scalars(
                select(AttemptQuestion.question_id)
                .join(Attempt, col(Attempt.id) == AttemptQuestion.attempt_id)
                .where(
                    Attempt.participant_id == att.participant_id,
                    Attempt.round_id == att.round_id,
                    Attempt.number < att.number,
                )
            )
        ).all()
        paper = await derive_paper(ctx, s, r, att.participant_id, att.number, earlier)
        stored = (
            await s.scalars(
                select(AttemptQuestion)
                .where(AttemptQuestion.attempt_id == attempt_id)
                .order_by(col(AttemptQuestion.position))
            )
        ).all()
    derived = [
        {
            "question_id": q.question_id,
            "public_id": q.public_id,
            "options": [[o.option_id, o.public_id] for o in q.options],
        }
        for q in paper
    ]
    kept = [
        {
            "question_id": q.question_id,
            "public_id": q.public_id,
            "options": [list(o) for o in q.options],
        }
        for q in stored
    ]
    return {
        "attempt_id": attempt_id,
        "round_id": att.round_id,
        "number": att.number,
        "matches": derived == kept,
        "paper": derived,
    }
