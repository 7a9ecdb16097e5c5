"""Password hashes use argon2's production parameters unless dev-mode settings ask for the
test cost (the suite's settings do, to stay fast)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from argon2 import PasswordHasher, extract_parameters
from sqlalchemy import text

from contest.settings import Settings, SettingsError
from tests.conftest import World

PRODUCTION = PasswordHasher()  # argon2-cffi's defaults: RFC 9106's low-memory profile


async def _stored_hash(world: World, phone: str) -> str:
    r = await world.register(world.make_client(), phone=phone)
    assert r.status_code == 201, r.text
    async with world.ctx.sm() as s:
        return str((await s.execute(text("SELECT password_hash FROM participants"))).scalar_one())


async def test_a_registration_is_hashed_with_the_production_parameters_by_default(
        world: World) -> None:
    assert Settings().argon2_cost == "production"
    world.ctx.settings = replace(world.ctx.settings, argon2_cost=Settings().argon2_cost)
    stored = await _stored_hash(world, "0912000001")
    params = extract_parameters(stored)
    assert (params.memory_cost, params.time_cost, params.parallelism) == (
        PRODUCTION.memory_cost, PRODUCTION.time_cost, PRODUCTION.parallelism) == (65536, 3, 4)
    login = await world.make_client().post("/api/v1/contests/thu/login", json={
        "phone": "0912000001", "password": "matkhau123"})
    assert login.status_code == 200, login.text


async def test_the_test_cost_is_cheaper_and_still_verifies(world: World) -> None:
    assert world.ctx.settings.argon2_cost == "test"
    params = extract_parameters(await _stored_hash(world, "0912000002"))
    assert params.memory_cost < PRODUCTION.memory_cost and params.time_cost == 1
    login = await world.make_client().post("/api/v1/contests/thu/login", json={
        "phone": "0912000002", "password": "matkhau123"})
    assert login.status_code == 200, login.text


@pytest.mark.parametrize(("cost", "dev", "message"), [
    ("test", False, "dev mode"), ("cheap", True, "production or test")])
def test_the_test_cost_is_refused_outside_dev_mode(cost: str, dev: bool, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings(argon2_cost=cost, dev_mode=dev).check()
