"""Items 1 and 2: parallel password guesses are reserved before argon2 runs, and argon2 work
per worker is bounded (a short queue, then 503 busy with Retry-After)."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from contest.integrity import throttle
from contest.people import accounts, passwords
from contest.settings import Settings
from tests.conftest import World
from tests.console.conftest import PASSWORD, Console
from tests.security.conftest import parallel_client

LOGIN = "/api/v1/contests/thu/login"
STAFF_LOGIN = "/api/staff/login"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A queue long enough that every reserved try is verified (item 2 is tested apart)."""
    return replace(settings, hash_queue=200, hash_wait_s=30.0)


async def _contest_id(w: World) -> int:
    async with w.ctx.sm() as s:
        return int((await s.execute(text("SELECT id FROM contests WHERE slug='thu'"))).scalar())


async def _burst(base: str, url: str, bodies: list[dict[str, Any]]) -> list[Any]:
    async with parallel_client(base) as c:
        return list(await asyncio.gather(*(c.post(url, json=b) for b in bodies)))


def _codes(responses: list[Any]) -> Counter[int]:
    return Counter(r.status_code for r in responses)


async def test_sixty_parallel_guesses_for_one_phone_verify_at_most_the_allowance(
        world: World, served: str) -> None:
    assert (await world.register()).status_code == 201
    free = world.ctx.settings.login_free_failures
    wrong = [{"phone": "0912345678", "password": f"sai-mat-khau-{i}"} for i in range(59)]
    right = {"phone": "0912 345 678", "password": "matkhau123"}
    responses = await _burst(served, LOGIN, [*wrong[:30], right, *wrong[30:]])
    codes = _codes(responses)
    # free failures, plus the one that starts the lock: the same as one guess at a time
    assert codes[401] + codes[200] <= free + 1, codes
    assert codes[429] >= 60 - free - 1
    assert set(codes) <= {200, 401, 429}
    assert all(int(r.headers["Retry-After"]) > 0 for r in responses if r.status_code == 429)


async def test_sixty_parallel_guesses_from_one_address_verify_at_most_its_ceiling(
        world: World, served: str) -> None:
    await throttle.set_limits(world.ctx, await _contest_id(world), {"ip_login": "10/3600"})
    bodies = [{"phone": f"09120000{i:02d}", "password": "sai-mat-khau"} for i in range(60)]
    codes = _codes(await _burst(served, LOGIN, bodies))
    assert codes == Counter({401: 10, 429: 50})


async def test_sixty_parallel_staff_guesses_verify_at_most_the_account_limit(
        console: Console, served: str) -> None:
    bodies: list[dict[str, Any]] = [{"username": "admin", "password": f"sai-{i:02d}-mat-khau"}
                                    for i in range(59)]
    bodies.insert(40, {"username": "admin", "password": PASSWORD})
    responses = await _burst(served, STAFF_LOGIN, bodies)
    codes = _codes(responses)
    assert codes[401] + codes[200] <= 5, codes
    assert codes[429] >= 55
    assert all(int(r.headers["Retry-After"]) > 0 for r in responses if r.status_code == 429)


async def test_sixty_parallel_staff_guesses_from_one_address_stop_at_its_limit(
        console: Console, served: str) -> None:
    bodies = [{"username": f"doan{i}", "password": "sai-mat-khau-1"} for i in range(60)]
    codes = _codes(await _burst(served, STAFF_LOGIN, bodies))
    assert codes == Counter({401: 30, 429: 30})


class _CountingHasher(PasswordHasher):
    """argon2 at its cheapest, recording how many verifications run at the same moment."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.lock = threading.Lock()
        self.running = 0
        self.peak = 0
        self.gate = threading.Event()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            self.gate.wait(0.05)  # hold the slot a moment, as a real 64 MiB hash does
            return super().verify(hash, password)
        finally:
            with self.lock:
                self.running -= 1


async def test_a_login_flood_runs_at_most_the_hashing_slots_and_sheds_the_rest(
        world: World, served: str, monkeypatch: pytest.MonkeyPatch) -> None:
    world.ctx.settings = replace(world.ctx.settings, hash_slots=2, hash_queue=3, hash_wait_s=5.0)
    hasher = _CountingHasher()
    monkeypatch.setattr(passwords, "_hasher", hasher)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", hasher.hash("x"))
    bodies = [{"phone": f"09130000{i:02d}", "password": "sai-mat-khau"} for i in range(40)]
    responses = await _burst(served, LOGIN, bodies)
    codes = _codes(responses)
    assert hasher.peak <= 2
    assert codes[503] > 0 and codes[401] >= 5, codes
    assert set(codes) == {401, 503}
    busy = next(r for r in responses if r.status_code == 503)
    assert busy.json()["error"] == "busy" and int(busy.headers["Retry-After"]) > 0
    # a try refused as busy was never judged, so the phone's allowance is intact
    again = await _burst(served, LOGIN, [bodies[i] for i, r in enumerate(responses)
                                         if r.status_code == 503][:1])
    assert again[0].status_code == 401
