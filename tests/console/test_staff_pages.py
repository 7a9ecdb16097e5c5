"""Staff management in the browser (admins), TOTP enrolment with a QR code, and the consent
text: published in the console, shown by the public contest API, stored at registration."""

from __future__ import annotations

import re

import pyotp
from sqlalchemy import text
from sqlmodel import col, select

from contest.storage.tables import AuditEvent, Participant, Staff
from tests.console.conftest import PASSWORD, Console


async def _actions(console: Console) -> list[tuple[str, str]]:
    async with console.world.ctx.sm() as s:
        return [(e.action, e.target) for e in (await s.scalars(
            select(AuditEvent).order_by(col(AuditEvent.id)))).all()]


async def _staff(console: Console, username: str) -> Staff:
    async with console.world.ctx.sm() as s:
        found = await s.scalar(select(Staff).where(col(Staff.username) == username))
    assert found is not None
    return found


async def test_admin_creates_changes_and_deactivates_staff(console: Console) -> None:
    admin = await console.login("admin")
    page = await admin.get("/console/staff")
    assert page.status_code == 200 and "officer" in page.text and "Tạo tài khoản" in page.text
    form = {"username": "budang2", "full_name": "Lê Văn Cường", "role": "unit_officer",
            "unit_code": "BP-BUDANG", "password": "mat-khau-moi-1", "password2": "mat-khau-moi-1"}
    bad = await admin.post("/console/staff", data={**form, "password2": "khac-hoan-toan"})
    assert bad.status_code == 422 and "không khớp" in bad.text
    bad = await admin.post("/console/staff", data={**form, "unit_code": ""})
    assert bad.status_code == 422 and "mã đơn vị" in bad.text
    made = await admin.post("/console/staff", data=form)
    assert made.status_code == 303 and made.headers["location"] == "/console/staff?created=budang2"
    member = await _staff(console, "budang2")
    assert (member.role, member.unit_code, member.active) == ("unit_officer", "BP-BUDANG", True)

    officer = await console.login("budang2", "mat-khau-moi-1")
    assert (await officer.get("/console/participants?unit=BP-DONGXOAI")).status_code == 404
    edit = await admin.get(f"/console/staff/{member.id}")
    assert edit.status_code == 200 and "BP-BUDANG" in edit.text
    moved = await admin.post(f"/console/staff/{member.id}",
                             data={"role": "viewer", "unit_code": "BP", "active": "1"})
    assert moved.status_code == 303
    # The change applies to the live session at once (the role is read on every request).
    assert (await officer.get("/api/staff/me")).json()["role"] == "viewer"
    off = await admin.post(f"/console/staff/{member.id}",
                           data={"role": "viewer", "unit_code": "BP", "active": "0"})
    assert off.status_code == 303
    assert (await officer.get("/api/staff/me")).status_code == 401
    again = await console.world.make_client().post(
        "/api/staff/login", json={"username": "budang2", "password": "mat-khau-moi-1"})
    assert again.status_code == 401
    assert [a for a in await _actions(console) if a[1] == "staff:budang2" and
            a[0] in ("staff.create", "staff.update")] == \
        [("staff.create", "staff:budang2"), ("staff.update", "staff:budang2"),
         ("staff.update", "staff:budang2")]


async def test_the_last_admin_cannot_be_demoted_or_locked(console: Console) -> None:
    admin = await console.login("admin")
    me = await _staff(console, "admin")
    for data in ({"role": "organiser", "unit_code": "", "active": "1"},
                 {"role": "admin", "unit_code": "", "active": "0"}):
        r = await admin.post(f"/console/staff/{me.id}", data=data)
        assert r.status_code == 422 and "ít nhất một quản trị" in r.text
    assert (await _staff(console, "admin")).role == "admin"
    unknown = await admin.get("/console/staff/999")
    assert unknown.status_code == 404


async def test_totp_enrolment_with_a_qr_code(console: Console) -> None:
    w = console.world
    organiser = await console.login("organiser")
    page = await organiser.get("/console/account/totp")
    assert page.status_code == 200 and "<svg" in page.text and "<path" in page.text
    found = re.search(r"<code>([A-Z2-7]{32})</code>", page.text)
    assert found is not None
    secret = found.group(1)
    wrong = await organiser.post("/console/account/totp", data={"code": "000000"
                                 if pyotp.TOTP(secret).at(w.clock.now()) != "000000"
                                 else "111111"})
    assert wrong.status_code == 422 and "không đúng" in wrong.text
    # A failed confirmation shows a fresh secret: confirm against the newest one.
    secret = re.search(r"<code>([A-Z2-7]{32})</code>", wrong.text).group(1)  # type: ignore[union-attr]
    assert (await _staff(console, "organiser")).totp_secret is None
    ok = await organiser.post("/console/account/totp",
                              data={"code": pyotp.TOTP(secret).at(w.clock.now())})
    assert ok.status_code == 303
    assert (await _staff(console, "organiser")).totp_secret == secret
    assert ("staff.totp_enrol", "staff:organiser") in await _actions(console)
    # From now on the password alone is not enough.
    r = await w.make_client().post("/api/staff/login",
                                   json={"username": "organiser", "password": PASSWORD})
    assert r.status_code == 401 and r.json()["error"] == "staff_login_failed"
    w.clock.advance(60)
    await console.login("organiser", totp=pyotp.TOTP(secret).at(w.clock.now()))
    # An admin removes it (a lost phone): the password is enough again.
    admin = await console.login("admin")
    member = await _staff(console, "organiser")
    r = await admin.post(f"/console/staff/{member.id}",
                         data={"role": "organiser", "unit_code": "", "active": "1",
                               "reset_totp": "on"})
    assert r.status_code == 303 and (await _staff(console, "organiser")).totp_secret is None
    await console.login("organiser")


async def test_consent_text_published_shown_and_stored(console: Console) -> None:
    w = console.world
    public = (await w.client.get("/api/v1/contests/thu")).json()
    assert public["consent"]["version"] == "mac-dinh-2026-11"
    assert "Nghị định 13/2023/NĐ-CP" in public["consent"]["text"]
    assert len(public["consent"]["purposes"]) == 4

    organiser = await console.login("organiser")
    page = await organiser.get("/console/contests/1/consent")
    assert page.status_code == 200 and "mac-dinh-2026-11" in page.text
    body = {"version": "2026-12-v2", "text": "Tôi đồng ý cho Sở Tư pháp xử lý dữ liệu.",
            "purposes": "Tính điểm\n\nTrao giải\n"}
    assert (await organiser.post("/console/contests/1/consent",
                                 data={**body, "purposes": " \n"})).status_code == 422
    r = await organiser.post("/console/contests/1/consent", data=body)
    assert r.status_code == 303
    again = await organiser.post("/console/contests/1/consent", data=body)
    assert again.status_code == 422 and "đã được công bố" in again.text
    assert (await organiser.post("/console/contests/999/consent", data=body)).status_code == 404

    public = (await w.client.get("/api/v1/contests/thu")).json()
    assert public["consent"] == {"version": "2026-12-v2", "text": body["text"],
                                 "purposes": ["Tính điểm", "Trao giải"]}
    reg = await w.register()
    assert reg.status_code == 201
    async with w.ctx.sm() as s:
        p = await s.get(Participant, reg.json()["participant_id"])
        rows = (await s.execute(text("SELECT version FROM consent_texts"))).all()
    assert p is not None and p.consent_version == "2026-12-v2"
    assert [r[0] for r in rows] == ["2026-12-v2"]
    assert ("consent.publish", "contest:1") in await _actions(console)
