"""Console pages of issue 15: the outbox (staff, unit scoped) and officer-issued reset codes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from contest.core import crypto
from contest.core.scope import narrowed, require_participant
from contest.domain.vocabulary import OutboxState, StaffRole
from contest.errors import ConfigInvalid
from contest.i18n import words
from contest.notify import outbox
from contest.people import recovery
from contest.web.console.render import page
from contest.web.console.views import ctx_of, form_str, html
from contest.web.errors import locale_of
from contest.web.parsing import int_param
from contest.web.staff_auth import client_ip, require_staff

RESET_ROLES = (StaffRole.ADMIN, StaffRole.ORGANISER, StaffRole.UNIT_OFFICER)
STATES = tuple(OutboxState)


@html
async def outbox_page(request: Request) -> Response:
    staff = await require_staff(request)
    ctx = ctx_of(request)
    unit = request.query_params.get("unit") or None
    state = request.query_params.get("state") or None
    if state not in (None, *STATES):
        state = None
    offset = int_param(request, "offset", 0, 0)
    rows = await outbox.listing(ctx, await narrowed(ctx, staff, unit), state, offset)
    return page(request, "outbox.html", rows=rows, unit=unit or "", state=state or "",
                states=STATES, offset=offset)


async def _reset_page(request: Request, status: int = 200, **values: object) -> Response:
    staff = await require_staff(request, *RESET_ROLES)
    ctx = ctx_of(request)
    p = await require_participant(ctx, staff, request.path_params["participant_id"])
    phone = crypto.mask_phone(crypto.cipher(ctx.settings).decrypt(p.phone_enc))
    return page(request, "reset_code.html", status=status, p=p, phone=phone,
                ttl_min=ctx.settings.reset_officer_ttl_s // 60, **values)


@html
async def reset_code_form(request: Request) -> Response:
    return await _reset_page(request)


@html
async def reset_code_issue(request: Request) -> Response:
    staff = await require_staff(request, *RESET_ROLES)
    ctx = ctx_of(request)
    document = await form_str(request, "document")
    try:
        code = await recovery.issue_by_staff(
            ctx, staff, request.path_params["participant_id"],
            await form_str(request, "identity_checked") == "on", document, client_ip(request))
    except ConfigInvalid as exc:
        return await _reset_page(request, 422, document=document,
                                 error=str(words(exc.params, locale_of(request))
                                           .get("detail", "")))
    return await _reset_page(request, code=code)
