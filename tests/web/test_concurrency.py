"""Races the API must win: simultaneous submits and starts by one participant."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from contest.live import standings
from contest.settings import Settings
from contest.storage.tables import Attempt, RoundEntry
from tests.conftest import World


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Per-participant throttles raised: these tests are about races, not rate limits."""
    return replace(settings, limit_start="1000/60", limit_submit="1000/60",
                   limit_answer="1000/60")


async def test_fifty_simultaneous_submits_score_once(world: World) -> None:
    pid = (await world.register()).json()["participant_id"]
    paper = (await world.client.post(f"/api/v1/rounds/{world.round_id}/attempts")).json()
    world.clock.advance(20)
    url = f"/api/v1/attempts/{paper['attempt_id']}/submit"
    responses = await asyncio.gather(
        *(world.client.post(url, json={"prediction": i}) for i in range(50))
    )
    assert {r.status_code for r in responses} == {200}
    bodies = [r.json() for r in responses]
    assert all(b == bodies[0] for b in bodies)  # everyone sees the one result
    async with world.ctx.sm() as s:
        entry = await s.get(RoundEntry, (world.round_id, pid))
        submitted = await s.scalar(
            select(func.count()).select_from(Attempt).where(Attempt.status == "submitted")
        )
    assert submitted == 1
    assert entry is not None and entry.attempts_submitted == 1
    # the live counter saw exactly one submitted attempt
    stats, _ = await standings.stats(world.ctx, world.round_id)
    assert stats["attempts"] == 1
    assert entry.prediction in range(50)


async def test_fifty_simultaneous_starts_create_one_attempt(world: World) -> None:
    await world.register()
    url = f"/api/v1/rounds/{world.round_id}/attempts"
    responses = await asyncio.gather(*(world.client.post(url) for _ in range(50)))
    assert {r.status_code for r in responses} <= {200, 201}
    assert [r.status_code for r in responses].count(201) == 1
    assert len({r.json()["attempt_id"] for r in responses}) == 1
    async with world.ctx.sm() as s:
        count = await s.scalar(select(func.count()).select_from(Attempt))
    assert count == 1


async def test_many_participants_submitting_at_once_all_ranked(world: World) -> None:
    clients = [world.make_client() for _ in range(12)]
    for i, c in enumerate(clients):
        assert (await world.register(c, phone=f"09{i:08d}")).status_code == 201
    papers = await asyncio.gather(
        *(c.post(f"/api/v1/rounds/{world.round_id}/attempts") for c in clients)
    )
    results = await asyncio.gather(
        *(
            c.post(f"/api/v1/attempts/{p.json()['attempt_id']}/submit", json={"prediction": 1})
            for c, p in zip(clients, papers, strict=True)
        )
    )
    assert {r.status_code for r in results} == {200}
    board = (
        await world.client.get(f"/api/v1/rounds/{world.round_id}/leaderboard?limit=100")
    ).json()
    assert board["total"] == 12
    stats, _ = await standings.stats(world.ctx, world.round_id)
    assert stats["attempts"] == 12 and stats["participants"] == 12


async def test_simultaneous_starts_with_one_attempt_allowed_are_never_refused(
    world: World,
) -> None:
    """A retry landing while the first start commits gets that attempt, not 403 exhausted."""
    rid = await world.add_round(max_attempts=1)
    await world.register()
    url = f"/api/v1/rounds/{rid}/attempts"
    responses = await asyncio.gather(*(world.client.post(url) for _ in range(30)))
    assert sorted({r.status_code for r in responses}) in ([200, 201], [201])
    assert len({r.json()["attempt_id"] for r in responses}) == 1
