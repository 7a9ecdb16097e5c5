"""Staff login, sessions, CSRF, throttling, TOTP and roles, through the real app."""

from __future__ import annotations

import pyotp
from sqlalchemy import select

from contest.console.staff import create_staff
from contest.storage.tables import AuditEvent
from contest.web.staff_auth import COOKIE
from tests.console.conftest import PASSWORD, Console


async def test_login_sets_a_hardened_cookie_and_me_answers(console: Console) -> None:
    client = console.world.make_client()
    r = await client.post("/api/staff/login", json={"username": "Organiser", "password": PASSWORD})
    assert r.status_code == 200
    assert r.json()["role"] == "organiser" and len(r.json()["csrf_token"]) == 64
    cookie = r.headers["set-cookie"].lower()
    assert f"{COOKIE}=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    me = await client.get("/api/staff/me")
    assert me.status_code == 200 and me.json()["username"] == "organiser"


async def test_wrong_password_is_refused_and_audited(console: Console) -> None:
    client = console.world.make_client()
    r = await client.post("/api/staff/login", json={"username": "admin", "password": "sai-roi-123"})
    assert r.status_code == 401 and r.json()["error"] == "staff_login_failed"
    r = await client.post("/api/staff/login", json={"username": "nobody", "password": PASSWORD})
    assert r.status_code == 401 and r.json()["error"] == "staff_login_failed"
    async with console.world.ctx.sm() as s:
        actions = [(e.action, e.actor) for e in (await s.scalars(select(AuditEvent))).all()]
    assert ("staff.login_failed", "staff:admin") in actions
    assert ("staff.login_failed", "staff:nobody") in actions


async def test_login_is_throttled_per_account(console: Console) -> None:
    client = console.world.make_client()
    for _ in range(5):
        r = await client.post("/api/staff/login", json={"username": "admin", "password": "x" * 12})
        assert r.status_code == 401
    r = await client.post("/api/staff/login", json={"username": "admin", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    # Another account from the same address is still allowed (the per-IP limit is higher).
    r = await client.post("/api/staff/login", json={"username": "viewer", "password": PASSWORD})
    assert r.status_code == 200


async def test_login_is_throttled_per_address(console: Console) -> None:
    client = console.world.make_client()
    for i in range(30):
        r = await client.post("/api/staff/login",
                              json={"username": f"guess{i}", "password": "x" * 12})
        assert r.status_code == 401
    r = await client.post("/api/staff/login", json={"username": "admin", "password": PASSWORD})
    assert r.status_code == 429


async def test_state_change_without_csrf_token_is_refused(console: Console) -> None:
    client = await console.login("organiser")
    del client.headers["X-CSRF-Token"]
    r = await client.post("/api/staff/logout")
    assert r.status_code == 403 and r.json()["error"] == "csrf_failed"
    client.headers["X-CSRF-Token"] = "0" * 64
    r = await client.post("/api/staff/logout")
    assert r.status_code == 403
    # Another session's token does not work either.
    other = await console.login("admin")
    client.headers["X-CSRF-Token"] = console.csrf["admin"]
    r = await client.post("/api/staff/logout")
    assert r.status_code == 403
    assert (await other.get("/api/staff/me")).status_code == 200
    client.headers["X-CSRF-Token"] = console.csrf["organiser"]
    assert (await client.post("/api/staff/logout")).status_code == 200


async def test_tampered_cookie_is_refused(console: Console) -> None:
    client = await console.login("organiser")
    value = client.cookies[COOKIE]
    nonce, _, rest = value.partition(".")
    forged = httpx_cookie_swap(nonce) + "." + rest
    client.cookies.set(COOKIE, forged)
    r = await client.get("/api/staff/me")
    assert r.status_code == 401 and r.json()["error"] == "not_logged_in"


def httpx_cookie_swap(text: str) -> str:
    """text with its first character changed."""
    return ("A" if text[0] != "A" else "B") + text[1:]


async def test_logged_out_session_cannot_be_replayed(console: Console) -> None:
    client = await console.login("admin")
    stolen = client.cookies[COOKIE]
    assert (await client.post("/api/staff/logout")).status_code == 200
    replay = console.world.make_client()
    replay.cookies.set(COOKIE, stolen)
    replay.headers["X-CSRF-Token"] = console.csrf["admin"]
    assert (await replay.get("/api/staff/me")).status_code == 401
    assert (await replay.post("/api/staff/logout")).status_code == 401


async def test_idle_session_expires(console: Console) -> None:
    client = await console.login("viewer")
    redis = console.world.ctx.redis
    sessions = await redis.keys("contest:staff:session:*")
    assert len(sessions) == 1
    assert 0 < await redis.ttl(sessions[0]) <= console.world.ctx.settings.staff_idle_timeout_s
    await redis.delete(*sessions)  # what the idle timeout does
    assert (await client.get("/api/staff/me")).status_code == 401


async def test_totp_is_required_when_enrolled(console: Console) -> None:
    made = await create_staff(console.world.ctx, "chief", PASSWORD, "admin", totp=True)
    assert made.totp_uri and made.staff.totp_secret
    client = console.world.make_client()
    r = await client.post("/api/staff/login", json={"username": "chief", "password": PASSWORD})
    # a right password without its code is answered like a wrong one
    assert r.status_code == 401 and r.json()["error"] == "staff_login_failed"
    r = await client.post("/api/staff/login",
                          json={"username": "chief", "password": PASSWORD, "totp": "000000"})
    code = pyotp.TOTP(made.staff.totp_secret).at(console.world.clock.now())
    if code != "000000":
        assert r.status_code == 401
    r = await client.post("/api/staff/login",
                          json={"username": "chief", "password": PASSWORD, "totp": code})
    assert r.status_code == 200


async def test_login_form_needs_its_double_submit_token(console: Console) -> None:
    client = console.world.make_client()
    form = await client.get("/console/login")
    assert form.status_code == 200 and "csrf_token" in form.text
    token = client.cookies["contest_staff_pre"]
    r = await client.post("/console/login", data={"username": "admin", "password": PASSWORD,
                                                   "csrf_token": "forged"})
    assert r.status_code == 403
    r = await client.post("/console/login", data={"username": "admin", "password": PASSWORD,
                                                   "csrf_token": token, "next": "//evil.example"})
    assert r.status_code == 303 and r.headers["location"] == "/console"
    home = await client.get("/console")
    assert home.status_code == 200 and "Đăng xuất" in home.text


async def test_console_page_without_session_redirects_to_login(console: Console) -> None:
    r = await console.world.client.get("/console")
    assert r.status_code == 303 and r.headers["location"].startswith("/console/login?next=")
