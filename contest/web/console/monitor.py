"""Console pages for watching a contest: dashboard (SVG + CSV), participants, audit log."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from contest.console import dashboard
from contest.console import monitor as console_monitor
from contest.domain.vocabulary import StaffRole
from contest.setup import round_settings
from contest.web.console import charts
from contest.web.console.render import page
from contest.web.console.views import ctx_of, html
from contest.web.errors import locale_of
from contest.web.parsing import int_param, path_int
from contest.web.staff_auth import client_ip, require_staff

REVEAL_ROLES = (StaffRole.ADMIN, StaffRole.ORGANISER)
RESET_ROLES = (StaffRole.ADMIN, StaffRole.ORGANISER, StaffRole.UNIT_OFFICER)


async def _rounds(request: Request) -> list[tuple[int, str]]:
    out = []
    for c, rounds in await round_settings.contests(ctx_of(request)):
        out += [(r.id, f"{c.title} · {r.title}") for r in rounds if r.id is not None]
    return out


@html
async def dashboard_index(request: Request) -> Response:
    await require_staff(request)
    rounds = await _rounds(request)
    return page(request, "dashboard_index.html", rounds=rounds)


@html
async def dashboard_page(request: Request) -> Response:
    staff = await require_staff(request)
    unit = request.query_params.get("unit") or None
    d = await dashboard.build(ctx_of(request), staff, path_int(request, "round_id"), unit)
    svg = charts.dashboard_svgs(d, locale_of(request))
    return page(request, "dashboard.html", d=d, svg=svg, unit=unit or "")


@html
async def dashboard_csv(request: Request) -> Response:
    staff = await require_staff(request)
    rid = path_int(request, "round_id")
    kind = request.path_params["kind"]
    body = await console_monitor.dashboard_csv(
        ctx_of(request), staff, rid, request.query_params.get("unit") or None, kind,
        client_ip(request))
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="round-{rid}-{kind}.csv"',
                             "Cache-Control": "no-store"})


@html
async def participants(request: Request) -> Response:
    staff = await require_staff(request)
    unit = request.query_params.get("unit") or None
    offset = int_param(request, "offset", 0, 0)
    shown = await console_monitor.participants(ctx_of(request), staff, unit, offset)
    return page(request, "participants.html", rows=shown, unit=unit or "", offset=offset,
                can_reveal=staff.role in REVEAL_ROLES,
                can_reset=staff.role in RESET_ROLES)


@html
async def participant_reveal(request: Request) -> Response:
    staff = await require_staff(request, *REVEAL_ROLES)
    p, clear = await console_monitor.reveal(ctx_of(request), staff,
                                            request.path_params["participant_id"],
                                            client_ip(request))
    return page(request, "participant.html", p=p, phone=clear["phone"], email=clear["email"],
                id_number=clear["id_number"])


@html
async def audit(request: Request) -> Response:
    await require_staff(request, "admin")
    offset = int_param(request, "offset", 0, 0)
    action = request.query_params.get("action") or None
    events = await console_monitor.audit_events(ctx_of(request), action, offset)
    return page(request, "audit.html", events=events, offset=offset, action=action or "")
