"""The staff review API: the review list of a round, clear / disqualify, a fresh scan."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictStr
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from contest.core import scope
from contest.core.context import Services
from contest.domain.vocabulary import StaffRole
from contest.integrity import review
from contest.integrity import signals as integrity
from contest.storage.tables import Staff
from contest.web.clientinfo import client_ip
from contest.web.parsing import parse_body, path_int

# Unit officers and unit-bound viewers read their own units' flags only (services.scope).
READERS = tuple(StaffRole)
DECIDERS = (StaffRole.ADMIN, StaffRole.ORGANISER)


def _ctx(request: Request) -> Services:
    ctx: Services = request.app.state.services
    return ctx


async def _staff(request: Request, *roles: str) -> Staff:
    # Imported here: the staff login is built alongside (issue 6) and owns this check.
    from contest.web.staff_auth import require_staff

    return await require_staff(request, *roles)


class DecisionIn(BaseModel):
    """A reviewer's decision."""

    model_config = ConfigDict(extra="ignore")
    decision: StrictStr = Field(max_length=16)
    reason: StrictStr = Field(max_length=4000)


async def review_list(request: Request) -> JSONResponse:
    """GET: the round's flagged participants in the caller's scope (?unit= narrows it; runs
    the integrity pass first unless ?scan=0)."""
    staff = await _staff(request, *READERS)
    units = await scope.narrowed(_ctx(request), staff, request.query_params.get("unit") or None)
    scan = request.query_params.get("scan", "1") != "0"
    items = await review.review_list(_ctx(request), path_int(request, "round_id"), scan=scan,
                                     units=units)
    return JSONResponse({"items": [review.item_out(i) for i in items]})


async def decide(request: Request) -> JSONResponse:
    """POST {decision: clear|disqualify, reason}: record the decision in the audit log."""
    staff = await _staff(request, *DECIDERS)
    body = await parse_body(request, DecisionIn)
    units = await scope.unit_codes_in_scope(_ctx(request), staff)
    row = await review.decide(_ctx(request), path_int(request, "round_id"),
                              request.path_params["participant_id"], body.decision, body.reason,
                              f"staff:{staff.username}", client_ip(request), units=units)
    return JSONResponse({"participant_id": row.participant_id, "decision": row.decision,
                         "reason": row.reason, "reviewer": row.reviewer,
                         "decided_at": row.decided_at.isoformat()})


async def scan(request: Request) -> JSONResponse:
    """POST: run the round's integrity pass now."""
    await _staff(request, *DECIDERS)
    report = await integrity.scan_round(_ctx(request), path_int(request, "round_id"))
    return JSONResponse({"computed": report.computed,
                         "flagged_participants": report.flagged_participants})


BASE = "/api/staff/review/rounds/{round_id}"
ROUTES = [
    Route(BASE, review_list, methods=["GET"]),
    Route(f"{BASE}/scan", scan, methods=["POST"]),
    Route(f"{BASE}/participants/{{participant_id}}", decide, methods=["POST"]),
]
