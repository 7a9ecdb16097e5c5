"""Item 11: a TOTP code works once, and a missing code is answered like a wrong password."""

from __future__ import annotations

import pyotp

from contest.console.staff import create_staff
from tests.console.conftest import PASSWORD, Console


async def test_a_totp_code_cannot_be_replayed_inside_its_window(console: Console) -> None:
    made = await create_staff(console.world.ctx, "chief", PASSWORD, "admin", totp=True)
    assert made.staff.totp_secret
    code = pyotp.TOTP(made.staff.totp_secret).at(console.world.clock.now())
    body = {"username": "chief", "password": PASSWORD, "totp": code}
    first = console.world.make_client()
    assert (await first.post("/api/staff/login", json=body)).status_code == 200
    replay = await console.world.make_client().post("/api/staff/login", json=body)
    assert replay.status_code == 401 and replay.json()["error"] == "staff_login_failed"
    console.world.clock.advance(30)
    fresh = pyotp.TOTP(made.staff.totp_secret).at(console.world.clock.now())
    r = await console.world.make_client().post("/api/staff/login",
                                               json={**body, "totp": fresh})
    assert r.status_code == 200


async def test_a_right_password_without_its_code_looks_like_a_wrong_password(
        console: Console) -> None:
    await create_staff(console.world.ctx, "chief", PASSWORD, "admin", totp=True)
    c = console.world.make_client()
    no_code = await c.post("/api/staff/login", json={"username": "chief", "password": PASSWORD})
    wrong = await c.post("/api/staff/login",
                         json={"username": "chief", "password": "sai-mat-khau-99"})
    assert (no_code.status_code, no_code.json()) == (wrong.status_code, wrong.json())
    assert no_code.status_code == 401
