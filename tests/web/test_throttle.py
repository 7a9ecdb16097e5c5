"""Throttles and the registration gate through the HTTP API (embedded and real Redis)."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from contest.app import create_app
from contest.domain import pow as powd
from contest.integrity import throttle
from contest.settings import Settings
from tests.conftest import REAL_REDIS, World


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, trusted_proxies="127.0.0.1")


async def _contest_id(w: World) -> int:
    async with w.ctx.sm() as s:
        return int((await s.execute(text("SELECT id FROM contests WHERE slug='thu'"))).scalar())


async def _limit(w: World, **values: Any) -> None:
    await throttle.set_limits(w.ctx, await _contest_id(w), values)


async def _paper(w: World, c: httpx.AsyncClient) -> dict[str, Any]:
    r = await c.post(f"/api/v1/rounds/{w.round_id}/attempts")
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


async def _save(c: httpx.AsyncClient, paper: dict[str, Any]) -> httpx.Response:
    q = paper["questions"][0]
    return await c.put(f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}",
                       json={"option_ids": [q["options"][0]["id"]]})


async def test_a_burst_from_one_participant_is_throttled_and_another_is_not(world: World) -> None:
    await _limit(world, answer="20/60")
    a, b = world.client, world.make_client()
    assert (await world.register(a, phone="0912000001")).status_code == 201
    assert (await world.register(b, phone="0912000002")).status_code == 201
    pa, pb = await _paper(world, a), await _paper(world, b)

    codes = [(await _save(a, pa)).status_code for _ in range(30)]
    assert codes == [200] * 20 + [429] * 10
    refused = await _save(a, pa)
    assert refused.status_code == 429
    body = refused.json()
    assert body["error"] == "rate_limited"
    assert "Bạn thao tác quá nhanh" in body["detail"]
    retry = int(refused.headers["Retry-After"])
    assert 1 <= retry <= 3  # one save costs 3 s of a 20/60 budget
    assert (await _save(b, pb)).status_code == 200  # the neighbour is not affected

    world.clock.advance(retry)
    assert (await _save(a, pa)).status_code == 200


async def test_starts_and_submits_are_throttled_per_participant(world: World) -> None:
    await _limit(world, start="3/60", submit="2/60")
    assert (await world.register()).status_code == 201
    codes = [(await world.client.post(f"/api/v1/rounds/{world.round_id}/attempts")).status_code
             for _ in range(4)]
    assert codes == [201, 200, 200, 429]
    att = (await world.client.get(f"/api/v1/rounds/{world.round_id}/me")).json()
    assert att["attempt"] is None
    world.clock.advance(60)
    paper = (await world.client.post(f"/api/v1/rounds/{world.round_id}/attempts")).json()
    url = f"/api/v1/attempts/{paper['attempt_id']}/submit"
    codes = [(await world.client.post(url, json={"prediction": 1})).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


async def test_500_registrations_from_one_school_ip_succeed(world: World) -> None:
    """A school of 500 registers through one NAT during a lesson; the ceiling lets all in."""
    # argon2 at its lowest cost (the test settings), so 500 hashes do not dominate.
    started = time.perf_counter()
    for i in range(500):
        r = await world.register(world.make_client(), phone=f"09{i:08d}")
        assert r.status_code == 201, (i, r.text)
        world.clock.advance(5)  # 500 pupils over about 42 minutes
    print(f"500 registrations in {time.perf_counter() - started:.1f} s")
    async with world.ctx.sm() as s:
        assert (await s.execute(text("SELECT count(*) FROM participants"))).scalar() == 500


async def test_the_ip_ceiling_counts_the_forwarded_client_behind_a_trusted_proxy(
        world: World) -> None:
    await _limit(world, ip_register="3/3600")
    school = {"X-Forwarded-For": "203.0.113.7"}
    for i in range(3):
        c = world.make_client()
        c.headers.update(school)
        assert (await world.register(c, phone=f"091300000{i}")).status_code == 201
    c = world.make_client()
    c.headers.update(school)
    refused = await world.register(c, phone="0913000009")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    other = world.make_client()
    other.headers["X-Forwarded-For"] = "198.51.100.1"
    assert (await world.register(other, phone="0913000010")).status_code == 201


async def test_login_failures_lock_the_phone_for_longer_each_time(world: World) -> None:
    await _limit(world, login_free_failures=3, login_lock_s=10, login_lock_max_s=100)
    assert (await world.register()).status_code == 201
    url = "/api/v1/contests/thu/login"
    wrong = {"phone": "0912345678", "password": "sai-mat-khau"}
    right = {"phone": "0912345678", "password": "matkhau123"}
    codes = [(await world.client.post(url, json=wrong)).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 401]  # the 4th failure starts a 10 s lock
    locked = await world.client.post(url, json=right)
    assert locked.status_code == 429
    assert locked.json()["error"] == "login_locked"
    assert "sai mật khẩu nhiều lần" in locked.json()["detail"]
    assert locked.headers["Retry-After"] == "10"
    world.clock.advance(10)
    assert (await world.client.post(url, json=wrong)).status_code == 401  # 5th: 20 s lock
    assert (await world.client.post(url, json=right)).headers["Retry-After"] == "20"
    # another phone is not affected
    assert (await world.register(world.make_client(), phone="0987654321")).status_code == 201
    other = {"phone": "0987654321", "password": "matkhau123"}
    assert (await world.make_client().post(url, json=other)).status_code == 200
    world.clock.advance(20)
    assert (await world.client.post(url, json=right)).status_code == 200
    # success forgets the failures: the next wrong password is free again
    assert (await world.client.post(url, json=wrong)).status_code == 401
    assert (await world.client.post(url, json=right)).status_code == 200


async def test_the_proof_of_work_gate_switches_on_under_a_rush(world: World) -> None:
    await _limit(world, pow_threshold_per_min=3, pow_bits=8)
    gate = (await world.client.get("/api/v1/contests/thu/challenge")).json()
    assert gate["required"] is False and gate["bits"] == 8
    for i in range(3):
        assert (await world.register(world.make_client(), phone=f"091400000{i}")).status_code == 201
    c = world.make_client()
    refused = await world.register(c, phone="0914000005")
    assert refused.status_code == 403 and refused.json()["error"] == "challenge_required"
    assert "tải lại trang" in refused.json()["detail"]

    gate = (await c.get("/api/v1/contests/thu/challenge")).json()
    assert gate["required"] is True
    solution = {"challenge": gate["challenge"], "nonce": powd.solve(gate["challenge"], 8)}
    ok = await world.register(c, phone="0914000005", pow=solution)
    assert ok.status_code == 201, ok.text
    again = await world.register(world.make_client(), phone="0914000006", pow=solution)
    assert again.status_code == 403 and again.json()["error"] == "challenge_failed"
    wrong = {"challenge": gate["challenge"], "nonce": "x"}
    assert (await world.register(world.make_client(), phone="0914000007",
                                 pow=wrong)).json()["error"] == "challenge_failed"
    world.clock.advance(180)  # the rush is over: no challenge needed
    assert (await world.register(world.make_client(), phone="0914000008")).status_code == 201


async def test_every_api_client_gets_a_device_cookie(world: World) -> None:
    r = await world.client.get("/api/v1/contests")
    assert "contest_device=" in r.headers["set-cookie"]
    assert "HttpOnly" in r.headers["set-cookie"]
    again = await world.client.get("/api/v1/contests")
    assert "contest_device=" not in again.headers.get("set-cookie", "")


@pytest.mark.skipif(not REAL_REDIS, reason="two app instances share state only on a real Redis")
async def test_limits_hold_across_two_app_instances(world: World, settings: Settings) -> None:
    await _limit(world, answer="20/60")
    second = create_app(settings, now=world.clock.now, sweep=False)
    async with second.router.lifespan_context(second):
        assert (await world.register()).status_code == 201
        paper = await _paper(world, world.client)
        other = httpx.AsyncClient(transport=httpx.ASGITransport(app=second),
                                  base_url="http://test", cookies=world.client.cookies)
        try:
            codes = []
            for i in range(30):  # alternate between the two workers
                c = world.client if i % 2 == 0 else other
                codes.append((await _save(c, paper)).status_code)
        finally:
            await other.aclose()
    assert codes.count(200) == 20 and codes.count(429) == 10
