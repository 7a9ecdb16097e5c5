"""The session cookie: Starlette's format, verified, written only when the session changes."""

from __future__ import annotations

import json
from base64 import b64encode

from itsdangerous import TimestampSigner

from tests.conftest import World


def _mint(secret: str, data: dict[str, str]) -> str:
    return TimestampSigner(secret).sign(b64encode(json.dumps(data).encode())).decode()


async def test_cookie_in_starlettes_format_is_accepted_and_not_rewritten(world: World) -> None:
    pid = (await world.register()).json()["participant_id"]
    client = world.make_client()
    client.cookies.set("contest_session", _mint(world.ctx.settings.secret_key, {"pid": pid}))
    for _ in range(2):  # the second request is served from the worker's verified cookies
        r = await client.get(f"/api/v1/rounds/{world.round_id}/me")
        assert r.status_code == 200
        assert "contest_session" not in r.headers.get("set-cookie", "")
        assert r.headers["vary"] == "Cookie"


async def test_forged_or_damaged_cookie_is_not_a_session(world: World) -> None:
    pid = (await world.register()).json()["participant_id"]
    for cookie in (_mint("another-secret-entirely-0123456789", {"pid": pid}),
                   _mint(world.ctx.settings.secret_key, {"pid": pid})[:-3] + "AAA", "garbage"):
        client = world.make_client()
        client.cookies.set("contest_session", cookie)
        r = await client.get(f"/api/v1/rounds/{world.round_id}/me")
        assert r.status_code == 401, cookie


async def test_login_sets_and_logout_clears_the_cookie(world: World) -> None:
    r = await world.register()
    assert "contest_session=" in r.headers["set-cookie"]
    assert "HttpOnly" in r.headers["set-cookie"]
    out = await world.client.post("/api/v1/logout")
    assert "contest_session=null" in out.headers["set-cookie"]
    assert (await world.client.get(f"/api/v1/rounds/{world.round_id}/me")).status_code == 401
