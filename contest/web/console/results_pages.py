"""Console pages for a round's results: state, draw commitment, finalisation, exports.

The actions call the same services as the staff JSON endpoints (contest.web.results);
exports are links to those endpoints, which apply the unit scope and write the audit log.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from contest.domain.documents import CLAIM_MAX, DEFAULT_CLAIM
from contest.domain.vocabulary import StaffRole
from contest.errors import (
    ConfigInvalid,
    DrawCommitted,
    RoundFinalised,
    RoundNotClosed,
    RoundNotFinalised,
)
from contest.results import finalise, winner_notices
from contest.results import staff_results as console_results
from contest.web.console.messages import text
from contest.web.console.render import page
from contest.web.console.views import ctx_of, form_str, html
from contest.web.errors import locale_of
from contest.web.parsing import path_int
from contest.web.results import EXPORT_ROLES
from contest.web.staff_auth import require_staff

ORGANISERS = (StaffRole.ADMIN, StaffRole.ORGANISER)
# (kind in the URL, title, what it holds), in the order the page lists them.
# the exports offered, in this order; their titles are `results.export.<kind>.title|holds`
EXPORT_KINDS = ("winners", "winners-internal", "participation", "ranking")
NEEDS_RESULTS = frozenset({"winners", "winners-internal", "ranking"})


def _level(request: Request) -> int:
    raw = request.query_params.get("level", "2")
    return int(raw) if raw.isdecimal() and 0 < int(raw) < 10 else 2


async def _render(request: Request, round_id: int, status: int = 200,
                  **extra: Any) -> Response:
    staff = request.state.staff
    unit = request.query_params.get("unit") or None
    ov = await console_results.overview(ctx_of(request), staff, round_id, unit)
    level = _level(request)
    query = "&".join(x for x in (f"unit={unit}" if unit else "", f"level={level}") if x)
    exports = [kind for kind in EXPORT_KINDS
               if staff.role in EXPORT_ROLES[kind.replace("-", "_")]
               and (ov.result is not None or kind not in NEEDS_RESULTS)]
    values: dict[str, Any] = {"confirm": request.query_params.get("confirm") == "1",
                              "done": request.query_params.get("done", ""),
                              "sent": {k: request.query_params.get(k, "0")
                                       for k in ("queued", "already", "unreachable")}}
    # issue 16 item 9: each winner's notice (from the outbox) and the "how to receive" text
    notices = (await winner_notices.states(ctx_of(request), round_id,
                                           [w.entry_id for w in ov.winners])
               if ov.result is not None else {})
    claim = await winner_notices.claim_of(ctx_of(request), ov.round.contest_id)
    values.update(notices=notices, claim=claim, default_claim=DEFAULT_CLAIM, claim_max=CLAIM_MAX)
    values.update(extra)
    return page(request, "results.html", status=status, ov=ov, unit=unit or "", level=level,
                query=query, exports=exports, can_act=staff.role in ORGANISERS, **values)


@html
async def results_index(request: Request) -> Response:
    await require_staff(request)
    return page(request, "results_index.html",
                rounds=await console_results.ranked_rounds(ctx_of(request)))


@html
async def results_page(request: Request) -> Response:
    await require_staff(request)
    return await _render(request, path_int(request, "round_id"))


@html
async def finalise_submit(request: Request) -> Response:
    staff = await require_staff(request, *ORGANISERS)
    rid = path_int(request, "round_id")
    if await form_str(request, "confirm") != "yes":
        # The button only opens the confirmation step; finalising needs its explicit "yes".
        return await _render(request, rid, status=422, confirm=True, need_confirm=True)
    try:
        await finalise.finalise(ctx_of(request), rid, actor=f"staff:{staff.username}")
    except (RoundNotClosed, RoundFinalised, ConfigInvalid) as exc:
        return await _render(request, rid, status=exc.status,
                             error=text(f"error.{exc.code}", locale_of(request), **exc.params))
    return RedirectResponse(f"/console/rounds/{rid}/results?done=finalised", status_code=303)


@html
async def commitment_submit(request: Request) -> Response:
    staff = await require_staff(request, *ORGANISERS)
    rid = path_int(request, "round_id")
    try:
        await finalise.commit_draw(ctx_of(request), rid, actor=f"staff:{staff.username}")
    except DrawCommitted as exc:
        return await _render(request, rid, status=exc.status,
                             error=text(f"error.{exc.code}", locale_of(request)))
    return RedirectResponse(f"/console/rounds/{rid}/results?done=committed", status_code=303)


@html
async def notify_submit(request: Request) -> Response:
    """Queue the winner notices of a finalised round (each person once, whoever presses)."""
    staff = await require_staff(request, *ORGANISERS)
    rid = path_int(request, "round_id")
    try:
        sent = await winner_notices.send(ctx_of(request), rid, f"staff:{staff.username}")
    except RoundNotFinalised as exc:
        return await _render(request, rid, status=exc.status,
                             error=text(f"error.{exc.code}", locale_of(request)))
    return RedirectResponse(f"/console/rounds/{rid}/results?done=notified&queued={sent.queued}"
                            f"&already={sent.already}&unreachable={sent.unreachable}#thong-bao",
                            status_code=303)


@html
async def claim_submit(request: Request) -> Response:
    """Save the contest's "how to receive the prize" text from the round's results page."""
    staff = await require_staff(request, *ORGANISERS)
    rid = path_int(request, "round_id")
    ov = await console_results.overview(ctx_of(request), staff, rid, None)
    try:
        await winner_notices.set_claim(ctx_of(request), ov.round.contest_id,
                                       await form_str(request, "prize_claim"),
                                       f"staff:{staff.username}")
    except ConfigInvalid as exc:
        return await _render(request, rid, status=exc.status,
                             error=text(f"error.{exc.code}", locale_of(request), **exc.params))
    return RedirectResponse(f"/console/rounds/{rid}/results?done=claim#thong-bao",
                            status_code=303)
