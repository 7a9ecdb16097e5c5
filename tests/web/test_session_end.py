"""A session ends for good: a cookie copied before logout (or before a password reset) is
refused afterwards on every participant route, including the answer-save hot path."""

from __future__ import annotations

from tests.conftest import World


async def test_cookie_copied_before_logout_is_refused_after_it(world: World) -> None:
    assert (await world.register()).status_code == 201
    paper = (await world.client.post(f"/api/v1/rounds/{world.round_id}/attempts")).json()
    copied = world.client.cookies.get("contest_session")
    assert copied
    thief = world.make_client()
    thief.cookies.set("contest_session", copied)
    q = paper["questions"][0]
    save = f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}"
    body = {"option_ids": [q["options"][0]["id"]]}
    assert (await thief.put(save, json=body)).status_code == 200
    assert (await world.client.post("/api/v1/logout")).status_code == 200
    await world.ctx.redis.flushdb()  # even with Redis's copy gone, SQL remembers
    for method, url, kwargs in (
            ("PUT", save, {"json": body}),
            ("GET", f"/api/v1/attempts/{paper['attempt_id']}", {}),
            ("GET", f"/api/v1/rounds/{world.round_id}/me", {}),
            ("POST", f"/api/v1/attempts/{paper['attempt_id']}/submit", {"json": {}}),
            ("POST", f"/api/v1/rounds/{world.round_id}/attempts", {})):
        r = await thief.request(method, url, **kwargs)
        assert r.status_code == 401, (url, r.text)
    # logging in again gives a working session
    r = await world.client.post("/api/v1/contests/thu/login",
                                json={"phone": "0912345678", "password": "matkhau123"})
    assert r.status_code == 200
    assert (await world.client.put(save, json=body)).status_code == 200
