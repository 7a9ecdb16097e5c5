"""Handler of the practice review: the key of answered questions, practice rounds only."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from contest.attempts import practice
from contest.core.context import Services
from contest.web import guard
from contest.web.schemas import points


def review_out(rv: practice.Review) -> dict[str, Any]:
    """The review as JSON: option ids are the attempt's public ids."""
    return {
        "attempt_id": rv.attempt_id, "kind": rv.kind, "status": rv.status,
        "questions": [
            {"question_id": q.question_id, "chosen": q.chosen,
             "correct_option_ids": q.correct_option_ids, "is_correct": q.is_correct,
             "points": points(q.points), "basis": q.basis, "explanation": q.explanation}
            for q in rv.questions
        ],
    }


async def review(request: Request) -> JSONResponse:
    """GET /api/v1/attempts/{attempt_id}/review."""
    ctx: Services = request.app.state.services
    pid = await guard.signed_in(request)
    rv = await practice.review(ctx, pid, request.path_params["attempt_id"])
    return JSONResponse(review_out(rv), headers={"Cache-Control": "no-store"})
