"""Console pages for watching a contest: dashboard (SVG + CSV), participants, audit log."""

from __future__ import annotations

import csv
import io

from sqlmodel import col, select
from starlette.requests import Request
from starlette.responses import Response

from contest.domain import export_rows as xr
from contest.errors import NotFound
from contest.services import audit_log, console_config, crypto, dashboard
from contest.services.scope import in_scope, narrowed, require_participant
from contest.storage.db import transaction
from contest.storage.tables import AuditEvent, Participant
from contest.web.console import charts
from contest.web.console.render import page
from contest.web.console.views import ctx_of, html
from contest.web.parsing import int_param, path_int
from contest.web.staff_auth import client_ip, require_staff

REVEAL_ROLES = ("admin", "organiser")
CSV_KINDS = ("hourly", "units", "scores", "questions")


async def _rounds(request: Request) -> list[tuple[int, str]]:
    out = []
    for c, rounds in await console_config.contests(ctx_of(request)):
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
    hours = [h.strftime("%d/%m %Hh") for h, _, _ in d.hourly]
    svg = {
        "time": charts.lines("Lượt thi theo giờ", hours, [
            ("Lượt thi", [a for _, a, _ in d.hourly], "#9b1c1c"),
            ("Điểm tuyệt đối", [p for _, _, p in d.hourly], "#17663a")]),
        "units": charts.bars("Lượt thi theo đơn vị", [u for u, *_ in d.by_unit[:20]],
                             [a for _, _, a, _ in d.by_unit[:20]]),
        "scores": charts.bars("Phân bố điểm", [b for b, _ in d.histogram],
                              [n for _, n in d.histogram], "#2c5aa0"),
    }
    return page(request, "dashboard.html", d=d, svg=svg, unit=unit or "")


@html
async def dashboard_csv(request: Request) -> Response:
    staff = await require_staff(request)
    kind = request.path_params["kind"]
    if kind not in CSV_KINDS:
        raise NotFound()
    ctx = ctx_of(request)
    rid = path_int(request, "round_id")
    unit = request.query_params.get("unit") or None
    d = await dashboard.build(ctx, staff, rid, unit)
    buf = io.StringIO()
    w = csv.writer(buf)
    if kind == "hourly":
        w.writerow(["gio", "luot_thi", "diem_tuyet_doi"])
        w.writerows((h.isoformat(), a, p) for h, a, p in d.hourly)
    elif kind == "units":
        w.writerow(["don_vi", "nguoi_thi", "luot_thi", "diem_tuyet_doi"])
        w.writerows(xr.safe_cells(row) for row in d.by_unit)
    elif kind == "scores":
        w.writerow(["khoang_diem", "luot_thi"])
        w.writerows(d.histogram)
    else:
        w.writerow(["ma_cau", "so_lan_ra", "ty_le_dung", "do_phan_biet", "trung_vi_giay"])
        w.writerows(xr.safe_cells((q.ext_id, q.shown, _f(q.share_correct),
                                   _f(q.discrimination), _f(q.median_s)))
                    for q in d.questions)
    async with transaction(ctx.sm) as s:
        audit_log.record(s, ctx.now(), f"staff:{staff.username}", "export.csv",
                         f"round:{rid}", ip=client_ip(request), kind=kind, unit=unit)
    return Response("\ufeff" + buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="round-{rid}-{kind}.csv"',
                             "Cache-Control": "no-store"})


def _f(v: float | None) -> str:
    return "" if v is None else f"{v:.3f}"


@html
async def participants(request: Request) -> Response:
    staff = await require_staff(request)
    ctx = ctx_of(request)
    unit = request.query_params.get("unit") or None
    codes = await narrowed(ctx, staff, unit)
    offset = int_param(request, "offset", 0, 0)
    async with ctx.sm() as s:
        rows = (await s.scalars(select(Participant)
                                .where(in_scope(col(Participant.unit_code), codes))
                                .order_by(col(Participant.created_at).desc())
                                .offset(offset).limit(50))).all()
    data = crypto.cipher(ctx.settings)
    shown = [(p, crypto.mask_phone(data.decrypt(p.phone_enc))) for p in rows]
    return page(request, "participants.html", rows=shown, unit=unit or "", offset=offset,
                can_reveal=staff.role in REVEAL_ROLES)


@html
async def participant_reveal(request: Request) -> Response:
    staff = await require_staff(request, *REVEAL_ROLES)
    ctx = ctx_of(request)
    p = await require_participant(ctx, staff, request.path_params["participant_id"])
    data = crypto.cipher(ctx.settings)
    async with transaction(ctx.sm) as s:
        audit_log.record(s, ctx.now(), f"staff:{staff.username}", "personal_data.view",
                         f"participant:{p.id}", ip=client_ip(request))
    return page(request, "participant.html", p=p, phone=data.decrypt(p.phone_enc),
                email=data.decrypt(p.email_enc), id_number=data.decrypt(p.id_number_enc))


@html
async def audit(request: Request) -> Response:
    await require_staff(request, "admin")
    offset = int_param(request, "offset", 0, 0)
    action = request.query_params.get("action") or None
    async with ctx_of(request).sm() as s:
        q = select(AuditEvent).order_by(col(AuditEvent.id).desc()).offset(offset).limit(100)
        if action:
            q = q.where(col(AuditEvent.action) == action)
        events = (await s.scalars(q)).all()
    return page(request, "audit.html", events=events, offset=offset, action=action or "")
