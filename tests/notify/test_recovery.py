"""Account recovery end to end: the API, the outbox, the real SMS receiver and SMTP server,
and the officer's code from the console."""

from __future__ import annotations

import re
from dataclasses import replace

import httpx
from sqlmodel import col, select

from contest.notify import outbox
from contest.storage.notify_tables import OutboxMessage, PasswordReset
from contest.storage.tables import AuditEvent, Participant
from tests.conftest import World
from tests.notify.conftest import Mailbox, Receiver

PHONE = "0912345678"
REQUEST = "/api/v1/contests/thu/password-reset/request"
CONFIRM = "/api/v1/contests/thu/password-reset/confirm"


def code_in(text: str) -> str:
    found = re.search(r"\b(\d{6})\b", text)
    assert found, text
    return found.group(1)


async def participant(w: World) -> Participant:
    async with w.ctx.sm() as s:
        return (await s.scalars(select(Participant))).one()


async def login(w: World, password: str) -> int:
    r = await w.make_client().post("/api/v1/contests/thu/login",
                                   json={"phone": PHONE, "password": password})
    return r.status_code


async def test_reset_by_sms_end_to_end(world: World, receiver: Receiver) -> None:
    w = world
    assert (await w.register(email="ngoc@example.vn")).status_code == 201
    statuses = [await login(w, "sai-mat-khau") for _ in range(7)]
    assert statuses[-1] == 429  # the forgetful person has locked their phone's logins
    known = await w.client.post(REQUEST, json={"phone": "+84 912 345 678"})
    unknown = await w.client.post(REQUEST, json={"phone": "0987654321"})
    # no account enumeration: the same answer for a known and an unknown phone
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json()) == (
        202, {"ok": True})
    receiver.plan = [503]  # the provider fails once: the code still arrives, once
    assert await outbox.deliver_due(w.ctx) == {"pending": 1}
    w.clock.advance(w.ctx.settings.notify_retry_s)
    assert await outbox.deliver_due(w.ctx) == {"sent": 1}
    w.clock.advance(3600)
    assert await outbox.deliver_due(w.ctx) == {}
    assert len(receiver.accepted) == 1 and receiver.accepted[0]["to"] == PHONE
    code = code_in(receiver.accepted[0]["text"])
    async with w.ctx.sm() as s:
        reset = (await s.scalars(select(PasswordReset))).one()
        assert code not in reset.code_hash  # hashed at rest
    w.clock.current = reset.created_at  # back inside the code's lifetime
    wrong = "000000" if code != "000000" else "111111"
    r = await w.client.post(CONFIRM, json={"phone": PHONE, "code": wrong,
                                           "new_password": "mat-khau-moi-1"})
    assert r.status_code == 400 and r.json()["error"] == "reset_code_invalid"
    assert "Mã xác nhận" in r.json()["detail"]
    before = (await participant(w)).session_version
    ok = await w.client.post(CONFIRM, json={"phone": PHONE, "code": code,
                                            "new_password": "mat-khau-moi-1"})
    assert ok.status_code == 200, ok.text
    p = await participant(w)
    assert ok.json()["participant_id"] == p.id and p.session_version == before + 1
    assert (await w.client.get("/api/v1/me/preferences")).status_code == 200  # logged in
    again = await w.client.post(CONFIRM, json={"phone": PHONE, "code": code,
                                               "new_password": "mat-khau-moi-2"})
    assert again.status_code == 400  # single use
    assert await login(w, "mat-khau-moi-1") == 200
    assert await login(w, "matkhau123") == 401
    async with w.ctx.sm() as s:
        events = (await s.scalars(select(AuditEvent).where(
            col(AuditEvent.action) == "participant.password_reset"))).all()
    assert [e.details["issued_by"] for e in events] == ["self"]


async def test_codes_expire_and_wrong_tries_are_limited(world: World, receiver: Receiver) -> None:
    w = world
    await w.register()
    await w.client.post(REQUEST, json={"phone": PHONE})
    await outbox.deliver_due(w.ctx)
    code = code_in(receiver.accepted[-1]["text"])
    w.clock.advance(w.ctx.settings.reset_code_ttl_s)
    body = {"phone": PHONE, "code": code, "new_password": "mat-khau-moi-1"}
    assert (await w.client.post(CONFIRM, json=body)).status_code == 400  # expired
    await w.client.post(REQUEST, json={"phone": PHONE})
    await outbox.deliver_due(w.ctx)
    code = code_in(receiver.accepted[-1]["text"])
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(w.ctx.settings.reset_max_tries):
        r = await w.client.post(CONFIRM, json={**body, "code": wrong})
        assert r.status_code == 400
    assert (await w.client.post(CONFIRM, json={**body, "code": code})).status_code == 400
    short = await w.client.post(CONFIRM, json={**body, "code": code, "new_password": "ngan"})
    assert short.status_code == 422 and "new_password" in short.json()["fields"]
    bad = await w.client.post(REQUEST, json={"phone": 12})
    assert bad.status_code == 422


async def test_requests_are_throttled_per_phone_and_address(world: World) -> None:
    w = world
    w.ctx.settings = replace(w.ctx.settings, limit_reset_ip="6/3600")
    await w.register()
    for _ in range(3):
        assert (await w.client.post(REQUEST, json={"phone": PHONE})).status_code == 202
    r = await w.client.post(REQUEST, json={"phone": PHONE})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    # an unknown phone is throttled the same way (the 429 says nothing about accounts)
    other = httpx.AsyncClient(transport=httpx.ASGITransport(app=w.app, client=("10.0.0.2", 1)),
                              base_url="http://test")
    async with other:
        for _ in range(3):
            assert (await other.post(REQUEST, json={"phone": "0987654321"})).status_code == 202
        assert (await other.post(REQUEST, json={"phone": "0987654321"})).status_code == 429
    # the first address has used 4 of its 6: the 7th request from it is refused
    codes = [(await w.client.post(REQUEST, json={"phone": f"09000000{n:02d}"})).status_code
             for n in range(3)]
    assert codes == [202, 202, 429]
    async with w.ctx.sm() as s:
        assert len((await s.scalars(select(OutboxMessage))).all()) == 3


async def test_reset_by_email(world: World, smtp: Mailbox) -> None:
    w = world
    await w.register(email="ngoc@example.vn")
    r = await w.client.post(REQUEST, json={"phone": PHONE, "via": "email"})
    assert r.status_code == 202
    assert await outbox.deliver_due(w.ctx) == {"sent": 1}
    assert [m["To"] for m in smtp.messages] == ["ngoc@example.vn"]
    code = code_in(smtp.texts()[0])
    ok = await w.client.post(CONFIRM, json={"phone": PHONE, "code": code,
                                            "new_password": "mat-khau-moi-1"})
    assert ok.status_code == 200


async def test_officer_issues_a_code(world: World) -> None:
    from contest.console.staff import create_staff
    from tests.console.conftest import ACCOUNTS, PASSWORD, Console

    w = world
    for username, (role, unit) in ACCOUNTS.items():
        await create_staff(w.ctx, username, PASSWORD, role, unit, f"Cán bộ {username}")
    console = Console(w)
    officer = await console.login("officer")
    await w.register()
    pid = (await participant(w)).id
    url = f"/console/participants/{pid}/reset-code"
    page = await officer.get(url)
    assert page.status_code == 200 and "Nguyễn Thị Bích Ngọc" in page.text
    refused = await officer.post(url, data={"csrf_token": console.csrf["officer"],
                                            "document": ""})
    assert refused.status_code == 422 and "đối chiếu" in refused.text
    issued = await officer.post(url, data={"csrf_token": console.csrf["officer"],
                                           "document": "Thẻ căn cước",
                                           "identity_checked": "on"})
    assert issued.status_code == 200
    code = code_in(issued.text.split('class="code"')[1])
    async with w.ctx.sm() as s:
        event = (await s.scalars(select(AuditEvent).where(
            col(AuditEvent.action) == "participant.reset_code_issued"))).one()
        assert (event.actor, event.target) == ("staff:officer", f"participant:{pid}")
        assert code not in str(event.details)
        assert not (await s.scalars(select(OutboxMessage))).all()  # nothing is sent
    viewer = await console.login("viewer")
    assert (await viewer.get(url)).status_code == 403
    w.clock.advance(1800)  # officer codes live longer than sent ones
    ok = await w.make_client().post(CONFIRM, json={"phone": PHONE, "code": code,
                                                   "new_password": "mat-khau-moi-1"})
    assert ok.status_code == 200
    async with w.ctx.sm() as s:
        events = (await s.scalars(select(AuditEvent).where(
            col(AuditEvent.action) == "participant.password_reset"))).all()
    assert [e.details["issued_by"] for e in events] == ["staff:officer"]


async def test_preferences(world: World) -> None:
    w = world
    anonymous = w.make_client()
    assert (await anonymous.get("/api/v1/me/preferences")).status_code == 401
    await w.register()
    assert (await w.client.get("/api/v1/me/preferences")).json() == {"reminders": False}
    r = await w.client.put("/api/v1/me/preferences", json={"reminders": True})
    assert r.json() == {"reminders": True}
    assert (await participant(w)).reminders is True
    bad = await w.client.put("/api/v1/me/preferences", json={"reminders": "yes"})
    assert bad.status_code == 422 and "reminders" in bad.json()["fields"]
    other = w.make_client()
    assert (await w.register(other, phone="0922222222", reminders=True)).status_code == 201
    assert (await other.get("/api/v1/me/preferences")).json() == {"reminders": True}


