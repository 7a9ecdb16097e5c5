"""Watching a contest from the console: dashboard CSVs, participant lists, personal data,
the audit log. Each read of personal data or export is audited in its own transaction (the
audit event is the only write)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from sqlmodel import col, select

from contest.console import dashboard
from contest.core import audit_log, crypto
from contest.core.context import Services
from contest.core.scope import in_scope, narrowed, require_participant
from contest.domain import export_rows as xr
from contest.errors import NotFound
from contest.storage.db import transaction
from contest.storage.tables import AuditEvent, Participant, Staff

CSV_KINDS = ("hourly", "units", "scores", "questions")


def _f(v: float | None) -> str:
    return "" if v is None else f"{v:.3f}"


async def dashboard_csv(ctx: Services, staff: Staff, round_id: int, unit: str | None,
                        kind: str, ip: str | None) -> str:
    """One table of the dashboard as CSV text (BOM first, for Excel), audited as an export;
    raises NotFound (unknown kind or round, unit outside the scope)."""
    if kind not in CSV_KINDS:
        raise NotFound()
    d = await dashboard.build(ctx, staff, round_id, unit)
    buf = io.StringIO()
    w = csv.writer(buf)
    if kind == "hourly":
        w.writerow(["gio", "luot_thi", "diem_tuyet_doi"])
        w.writerows((h.isoformat(), a, p) for h, a, p in d.hourly)
    elif kind == "units":
        w.writerow(["don_vi", "nguoi_thi", "luot_thi", "diem_tuyet_doi"])
        w.writerows(xr.safe_cells(row) for row in d.by_unit)  # unit names: no formulas
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
                         f"round:{round_id}", ip=ip, kind=kind, unit=unit)
    return "\ufeff" + buf.getvalue()


async def participants(ctx: Services, staff: Staff, unit: str | None,
                       offset: int) -> list[tuple[Participant, str]]:
    """A page of 50 participants in the staff member's scope, newest first, phones masked;
    raises NotFound for a unit outside the scope."""
    codes = await narrowed(ctx, staff, unit)
    async with ctx.sm() as s:
        rows = (await s.scalars(select(Participant)
                                .where(in_scope(col(Participant.unit_code), codes))
                                .order_by(col(Participant.created_at).desc())
                                .offset(offset).limit(50))).all()
    data = crypto.cipher(ctx.settings)
    return [(p, crypto.mask_phone(data.decrypt(p.phone_enc))) for p in rows]


async def reveal(ctx: Services, staff: Staff, participant_id: str,
                 ip: str | None) -> tuple[Participant, dict[str, str | None]]:
    """A participant's decrypted phone, e-mail and CCCD, the view audited; raises NotFound."""
    p = await require_participant(ctx, staff, participant_id)
    data = crypto.cipher(ctx.settings)
    async with transaction(ctx.sm) as s:
        audit_log.record(s, ctx.now(), f"staff:{staff.username}", "personal_data.view",
                         f"participant:{p.id}", ip=ip)
    return p, {"phone": data.decrypt(p.phone_enc), "email": data.decrypt(p.email_enc),
               "id_number": data.decrypt(p.id_number_enc)}


async def audit_events(ctx: Services, action: str | None, offset: int) -> Sequence[AuditEvent]:
    """A page of 100 audit events, newest first, optionally of one action."""
    async with ctx.sm() as s:
        q = select(AuditEvent).order_by(col(AuditEvent.id).desc()).offset(offset).limit(100)
        if action:
            q = q.where(col(AuditEvent.action) == action)
        return (await s.scalars(q)).all()
