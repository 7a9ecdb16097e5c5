"""The Redis limiter scripts: the same answers as the pure GCRA, shared across clients."""

from __future__ import annotations

import random

import pytest

from contest.core.context import Services
from contest.domain.rates import Rate, gcra
from contest.storage.limiter import Limiter
from contest.storage.redis_client import make_redis
from tests.conftest import REAL_REDIS


@pytest.mark.parametrize("seed", range(5))
async def test_the_script_agrees_with_the_pure_gcra(services: Services, seed: int) -> None:
    rng = random.Random(seed)
    rate = Rate(rng.randint(1, 20), rng.choice([1, 10, 60]))
    lim = Limiter(services.redis)
    tat: int | None = None
    now = 1_764_000_000_000
    for _ in range(200):
        now += rng.choice([0, 0, 1, 50, 500, 3000])
        expected, new = gcra(tat, now, rate)
        assert await lim.hit("t", f"s{seed}", rate, now) == expected
        if expected == 0:
            tat = new


async def test_limits_are_per_key(services: Services) -> None:
    lim = Limiter(services.redis)
    rate = Rate(2, 60)
    assert [await lim.hit("answer", "a", rate, 0) for _ in range(3)] == [0, 0, 30_000]
    assert await lim.hit("answer", "b", rate, 0) == 0
    assert await lim.hit("submit", "a", rate, 0) == 0


async def test_login_lock_grows_and_resets(services: Services) -> None:
    lim = Limiter(services.redis)
    args = (2, 1000, 5000, 86_400_000)
    # each try is reserved before it is judged; past the free ones it locks, growing each time
    steps = [(0, 0), (0, 0), (0, 0), (0, 1000), (1000, 0), (1000, 2000), (3000, 0),
             (3000, 4000), (7000, 0), (7000, 5000), (8000, 4000)]
    got = [(t, await lim.reserve_login(1, "0912345678", t, *args)) for t, _ in steps]
    assert got == steps
    t = 8000
    assert await lim.reserve_login(1, "0987654321", t, *args) == 0
    await lim.login_succeeded(1, "0912345678")
    assert await lim.reserve_login(1, "0912345678", t, *args) == 0


async def test_a_released_try_lifts_the_lock_it_started(services: Services) -> None:
    lim = Limiter(services.redis)
    args = (1, 1000, 5000, 86_400_000)
    assert await lim.reserve_login(1, "p", 0, *args) == 0
    assert await lim.reserve_login(1, "p", 0, *args) == 0  # the 2nd try starts a lock
    assert await lim.reserve_login(1, "p", 0, *args) == 1000
    await lim.release_login(1, "p", 1)  # ...but it was never judged
    assert await lim.reserve_login(1, "p", 0, *args) == 0


async def test_a_counted_try_is_reserved_on_every_key_or_none(services: Services) -> None:
    lim = Limiter(services.redis)
    assert await lim.reserve_counted([("a", 1), ("b", 2)], 60) == 0
    assert await lim.reserve_counted([("a", 1), ("b", 2)], 60) > 0  # a is full: b untouched
    assert await lim.reserve_counted([("c", 5), ("b", 2)], 60) == 0
    assert await lim.reserve_counted([("c", 5), ("b", 2)], 60) > 0


@pytest.mark.skipif(not REAL_REDIS, reason="needs a Redis server two clients can share")
async def test_two_clients_share_one_budget(services: Services) -> None:
    other = make_redis(services.settings.redis_url)
    try:
        a, b = Limiter(services.redis), Limiter(other)
        rate = Rate(10, 60)
        waits = [await (a if i % 2 else b).hit("answer", "p", rate, 0) for i in range(14)]
        assert waits.count(0) == 10
    finally:
        await other.aclose()
