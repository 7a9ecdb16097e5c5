"""Console pages of the bulk participant import (parse, call the roster service, render)."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from contest.console import roster as console_roster
from contest.domain.phrase import Phrase
from contest.domain.vocabulary import StaffRole
from contest.errors import ConfigInvalid
from contest.setup import round_settings
from contest.web.console.render import page
from contest.web.console.views import ctx_of, html, on_error_show
from contest.web.parsing import int_param
from contest.web.staff_auth import client_ip, require_staff

ROSTER_ROLES = (StaffRole.ADMIN, StaffRole.ORGANISER, StaffRole.UNIT_OFFICER)


def _contest_id(request: Request) -> int | None:
    return int_param(request, "contest", 0, 0) or None


@html
async def import_page(request: Request) -> Response:
    await require_staff(request, *ROSTER_ROLES)
    contests = [c for c, _ in await round_settings.contests(ctx_of(request))]
    return page(request, "roster.html", contests=contests, chosen=_contest_id(request))


@html
async def template_file(request: Request) -> Response:
    staff = await require_staff(request, *ROSTER_ROLES)
    name, data = await console_roster.template(ctx_of(request), staff, _contest_id(request))
    return Response(data, media_type="application/vnd.openxmlformats-officedocument."
                    "spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


@html
async def import_submit(request: Request) -> Response:
    staff = await require_staff(request, *ROSTER_ROLES)
    ctx = ctx_of(request)
    contests = [c for c, _ in await round_settings.contests(ctx)]
    form = await request.form()
    raw = form.get("contest")
    chosen = int(raw) if isinstance(raw, str) and raw.isdigit() else None
    on_error_show(request, "roster.html", contests=contests, chosen=chosen)
    up = form.get("file")
    if not isinstance(up, UploadFile) or not up.filename:
        raise ConfigInvalid(detail=Phrase("detail.console.no_roster_file"))
    data = await up.read(console_roster.MAX_FILE + 1)
    result = await console_roster.import_roster(ctx, staff, chosen, up.filename, data,
                                                client_ip(request))
    return page(request, "roster.html", status=200 if result.slips or not result.problems
                else 422, contests=contests, chosen=chosen, result=result,
                filename=up.filename)
