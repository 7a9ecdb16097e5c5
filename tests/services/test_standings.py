"""Standings: boards agree with SQL, survive flushes, outages, concurrent rebuilds; freeze."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from sqlmodel import col, select

from contest.attempts import attempts
from contest.core.context import Services
from contest.errors import NotFound, ValidationFailed
from contest.live import freezing, standings
from contest.storage.tables import Attempt, Round
from tests.conftest import World


def right_options(q: dict[str, Any]) -> list[str]:
    """The correct options of a test-bank question, read from their text (test bank only)."""
    ok = (" A",) if q["kind"] == "single" else (" A", " C")
    return [o["id"] for o in q["options"] if o["text"].endswith(ok)]


async def start(w: World, client: httpx.AsyncClient, right: int) -> str:
    resp = await client.post(f"/api/v1/rounds/{w.round_id}/attempts")
    assert resp.status_code == 201, resp.text
    paper = resp.json()
    for q in paper["questions"][:right]:
        put = await client.put(f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}",
                               json={"option_ids": right_options(q)})
        assert put.status_code == 200, put.text
    attempt_id: str = paper["attempt_id"]
    return attempt_id


async def submit(client: httpx.AsyncClient, attempt_id: str) -> dict[str, Any]:
    resp = await client.post(f"/api/v1/attempts/{attempt_id}/submit", json={"prediction": 7})
    assert resp.status_code == 200, resp.text
    out: dict[str, Any] = resp.json()
    return out


async def people(w: World, n: int, **extra: Any) -> list[tuple[httpx.AsyncClient, str]]:
    out = []
    for i in range(n):
        c = w.make_client()
        resp = await w.register(c, phone=f"09123450{i:02d}",
                                full_name=f"Trần Văn Người {i}", **extra)
        assert resp.status_code == 201, resp.text
        out.append((c, resp.json()["participant_id"]))
    return out


async def tie_heavy_round(w: World) -> list[tuple[httpx.AsyncClient, str]]:
    """Five results: a clear winner, an exact tie for second, a slower equal score, a zero."""
    ps = await people(w, 5)
    a = await start(w, ps[0][0], right=5)
    w.clock.advance(30)
    await submit(ps[0][0], a)
    b = await start(w, ps[1][0], right=3)
    c = await start(w, ps[2][0], right=3)
    w.clock.advance(40)
    await submit(ps[1][0], b)
    await submit(ps[2][0], c)  # same start, same instant: an exact tie with b
    d = await start(w, ps[3][0], right=3)
    e = await start(w, ps[4][0], right=0)
    w.clock.advance(41)
    await submit(ps[3][0], d)
    await submit(ps[4][0], e)
    return ps


async def board(w: World, staff: bool = True, **kw: Any) -> list[tuple[int, str, int, int]]:
    read = await standings.leaderboard(w.ctx, w.round_id, kw.pop("unit", None), 100,
                                       staff=staff, **kw)
    return [(e.rank, e.participant_id, e.score_milli, e.duration_ms) for e in read.entries]


async def test_board_equals_sql_order_with_competition_ranks(world: World) -> None:
    ps = await tie_heavy_round(world)
    sql = await standings.sql_order(world.ctx, world.round_id)
    live = await board(world)
    assert [(pid, s, d) for _, pid, s, d in live] == sql
    assert [r for r, *_ in live] == [1, 2, 2, 4, 5]
    assert {live[1][1], live[2][1]} == {ps[1][1], ps[2][1]}
    assert await standings.rebuild(world.ctx, world.round_id) == 5
    assert await board(world) == live
    counts, frozen = await standings.stats(world.ctx, world.round_id)
    assert counts == {"participants": 5, "attempts": 5, "perfect": 1} and not frozen


async def test_flushing_redis_mid_round_then_reading_gives_the_same_board(world: World) -> None:
    await tie_heavy_round(world)
    url = f"/api/v1/rounds/{world.round_id}"
    before = (await world.client.get(f"{url}/leaderboard")).json()
    stats_before = (await world.client.get(f"{url}/stats?unit=BP")).json()
    assert before["total"] == 5 and stats_before["participants"] == 5
    version = await standings.board_version(world.ctx, world.round_id)
    await world.ctx.redis.flushdb()
    assert (await world.client.get(f"{url}/leaderboard")).json() == before
    assert await standings.board_version(world.ctx, world.round_id) > version  # ids go on
    assert (await world.client.get(f"{url}/stats?unit=BP")).json() == stats_before


async def test_rebuild_running_alongside_submits_loses_none(world: World) -> None:
    ps = await people(world, 6)
    started = [await start(world, c, right=i % 4) for i, (c, _) in enumerate(ps)]
    world.clock.advance(20)
    await submit(ps[0][0], started[0])
    await world.ctx.redis.flushdb()  # boards gone: the rebuild and the submits now race
    await asyncio.gather(
        standings.rebuild(world.ctx, world.round_id),
        *(attempts.submit(world.ctx, pid, a, 7) for (_, pid), a in zip(ps[1:], started[1:],
                                                                        strict=True)))
    sql = await standings.sql_order(world.ctx, world.round_id)
    assert [(pid, s, d) for _, pid, s, d in await board(world)] == sql
    assert len(sql) == 6
    counts, _ = await standings.stats(world.ctx, world.round_id)
    assert counts["attempts"] == 6


async def test_submit_while_redis_is_down_is_stored_and_caught_up(world: World) -> None:
    (c, pid), = await people(world, 1)
    attempt_id = await start(world, c, right=2)
    world.clock.advance(12)
    assert await board(world) == []  # boards built (empty) before the outage
    down = Services(settings=world.ctx.settings, sm=world.ctx.sm, now=world.clock.now,
                    redis=aioredis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5,
                                         decode_responses=True, retry=Retry(NoBackoff(), 0)))
    try:
        result = await attempts.submit(down, pid, attempt_id, 7)
    finally:
        await down.redis.aclose()
    assert result.rank is None  # pending: shown as such to the participant
    assert result.attempt.status == "submitted" and result.attempt.score_milli == 2000
    async with world.ctx.sm() as s:
        att = await s.get(Attempt, attempt_id)
        r = await s.get(Round, world.round_id)
    assert att is not None and att.status == "submitted"
    assert r is not None and r.board_stale == 1
    assert await board(world) == []  # this process's built board missed it ...
    await standings.rebuild_stale(world.ctx)  # ... until the sweep runs with Redis back
    assert [pid for _, pid, *_ in await board(world)] == [pid]
    async with world.ctx.sm() as s:
        assert await s.scalar(select(Round.board_stale).where(col(Round.id) == world.round_id)) == 0


async def test_freeze_shows_the_public_the_board_as_it_stood(world: World) -> None:
    (c1, p1), (c2, p2) = await people(world, 2)
    a1 = await start(world, c1, right=1)
    world.clock.advance(10)
    await submit(c1, a1)
    world.clock.advance(1)
    await freezing.freeze(world.ctx, world.round_id, world.clock.now())
    a2 = await start(world, c2, right=5)
    world.clock.advance(10)
    res = await submit(c2, a2)
    assert res["rank"] is None  # not on the frozen board: revealed later
    assert [pid for _, pid, *_ in await board(world, staff=False)] == [p1]
    assert [pid for _, pid, *_ in await board(world, staff=True)] == [p2, p1]
    url = f"/api/v1/rounds/{world.round_id}"
    public = (await world.client.get(f"{url}/leaderboard")).json()
    assert public["frozen"] is True and public["total"] == 1
    assert (await world.client.get(f"{url}/stats")).json()["participants"] == 1
    assert (await c1.get(f"{url}/me")).json()["rank"] == 1
    await world.ctx.redis.flushdb()  # the frozen copy is rebuilt from SQL as well
    assert [pid for _, pid, *_ in await board(world, staff=False)] == [p1]
    await freezing.reveal(world.ctx, world.round_id)
    assert [pid for _, pid, *_ in await board(world, staff=False)] == [p2, p1]
    assert (await world.client.get(f"{url}/leaderboard")).json()["frozen"] is False


async def test_freeze_validation(world: World) -> None:
    with pytest.raises(ValidationFailed):
        await freezing.freeze_before_close(world.ctx, world.round_id, 0)
    with pytest.raises(ValidationFailed):  # at or after the close there is nothing to freeze
        await freezing.freeze(world.ctx, world.round_id, world.clock.now() + timedelta(days=1))
    with pytest.raises(ValidationFailed):  # a time without a zone is refused, never guessed
        await freezing.freeze(world.ctx, world.round_id, datetime(2026, 11, 20, 9, 0))
    r = await freezing.freeze_before_close(world.ctx, world.round_id, 2)
    assert r.board_frozen_at is not None
    with pytest.raises(NotFound):
        await freezing.freeze(world.ctx, 999_999, world.clock.now())


async def test_unit_and_group_boards(world: World) -> None:
    ps = await people(world, 2)
    (c3, p3), = [(world.make_client(), "")]
    resp = await world.register(c3, phone="0987654321", full_name="Lê Thị Hoa",
                                unit_code="BP-DONGXOAI", group="hssv")
    p3 = resp.json()["participant_id"]
    for i, (c, _) in enumerate([*ps, (c3, p3)]):
        a = await start(world, c, right=i + 1)
        world.clock.advance(5)
        await submit(c, a)
    assert [pid for _, pid, *_ in await board(world, unit="BP-BUDANG")] == [ps[1][1], ps[0][1]]
    assert [pid for _, pid, *_ in await board(world, unit="BP")] == [p3, ps[1][1], ps[0][1]]
    assert [pid for _, pid, *_ in await board(world, group="hssv")] == [p3]
    counts, _ = await standings.stats(world.ctx, world.round_id, group="tudo")
    assert counts == {"participants": 2, "attempts": 2, "perfect": 0}
    with pytest.raises(ValidationFailed):
        await board(world, unit="BP", group="hssv")
    with pytest.raises(NotFound):
        await board(world, group="nope")
    with pytest.raises(NotFound):
        await board(world, unit="NOPE")


async def test_an_attempt_timed_out_before_the_freeze_joins_the_frozen_board(
        world: World) -> None:
    (c1, p1), (c3, p3) = await people(world, 2)
    await start(world, c3, right=3)  # never submitted: its time runs out at +600 s
    world.clock.advance(100)
    a1 = await start(world, c1, right=1)
    world.clock.advance(10)
    await submit(c1, a1)
    world.clock.advance(600)  # c3's deadline has passed; the sweep has not closed it yet
    await freezing.freeze(world.ctx, world.round_id, world.clock.now())
    world.clock.advance(1)
    assert [pid for _, pid, *_ in await board(world, staff=False)] == [p1]
    assert await attempts.expire_due(world.ctx) == 1  # closed at its deadline, before freeze
    assert [pid for _, pid, *_ in await board(world, staff=False)] == [p3, p1]
