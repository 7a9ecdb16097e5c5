"""Admission control and conflicting writes: overload and races answer 4xx/503, never 500."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from sqlalchemy import select

from contest.settings import Settings
from contest.storage.tables import Answer
from tests.conftest import World


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """One request in flight per worker and no queueing, per-participant throttles raised."""
    return replace(settings, max_inflight=1, queue_wait_s=0.0, limit_answer="1000/60",
                   limit_start="1000/60")


async def test_requests_beyond_the_cap_get_503_busy_with_retry_after(world: World) -> None:
    await world.register()
    paper = (await world.client.post(f"/api/v1/rounds/{world.round_id}/attempts")).json()
    q = paper["questions"][0]
    url = f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}"
    responses = await asyncio.gather(
        *(world.client.put(url, json={"option_ids": [q["options"][i % 2]["id"]]})
          for i in range(20)))
    codes = [r.status_code for r in responses]
    assert 200 in codes and 503 in codes
    busy = next(r for r in responses if r.status_code == 503)
    assert busy.json()["error"] == "busy"
    assert busy.headers["Retry-After"] == "2"
    assert "không bị mất" in busy.json()["detail"]
    # the page and static files are never refused
    assert (await world.client.get("/")).status_code == 200


async def test_simultaneous_saves_of_one_question_all_succeed(world: World) -> None:
    """A double tap or a retry after a time-out: every save succeeds, the row is upserted."""
    from contest.attempts import answers

    pid = (await world.register()).json()["participant_id"]
    paper = (await world.client.post(f"/api/v1/rounds/{world.round_id}/attempts")).json()
    q = paper["questions"][0]
    results = await asyncio.gather(
        *(answers.save(world.ctx, pid, paper["attempt_id"],
                       [(q["id"], [q["options"][i % 2]["id"]])]) for i in range(10)),
        return_exceptions=True)
    assert all(not isinstance(r, BaseException) for r in results), results
    async with world.ctx.sm() as s:
        rows = (await s.scalars(select(Answer).where(
            Answer.attempt_id == paper["attempt_id"]))).all()
    assert len(rows) == 1 and rows[0].saves == 10
    assert rows[0].option_ids in ([q["options"][0]["id"]], [q["options"][1]["id"]])
