"""Leaderboard HTTP API: pages, around-me, stats, masking, the SSE stream; two app instances."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn

from contest.app import create_app
from tests.conftest import REAL_REDIS, World
from tests.services.test_standings import people, start, submit
from tests.waiting import serving, until


@contextlib.asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """Serve an app (lifespan already running) on a free 127.0.0.1 port; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off",
                                           log_level="warning", timeout_graceful_shutdown=1))
    task = asyncio.create_task(server.serve())
    await serving(server, task)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


class Events:
    """Reads a text/event-stream: events as dicts, comments counted."""

    def __init__(self, resp: httpx.Response) -> None:
        self.lines = resp.aiter_lines()
        self.comments: list[str] = []

    async def next(self, wait_s: float = 5.0) -> dict[str, str]:
        async def read() -> dict[str, str]:
            event: dict[str, str] = {}
            async for line in self.lines:
                if line.startswith(":"):
                    self.comments.append(line)
                elif line == "":
                    if event:
                        return event
                else:
                    name, _, value = line.partition(": ")
                    event[name] = value
            raise EOFError
        return await asyncio.wait_for(read(), wait_s)

    async def comment(self, wait_s: float = 5.0) -> str:
        """The next comment line; fails if an event comes first."""
        async def read() -> str:
            async for line in self.lines:
                if line.startswith(":"):
                    self.comments.append(line)
                    return line
                assert line == "", f"an event before the comment: {line}"
            raise EOFError
        return await asyncio.wait_for(read(), wait_s)


async def test_pages_are_masked_and_paginated(world: World) -> None:
    ps = await people(world, 3)
    for i, (c, _) in enumerate(ps):
        a = await start(world, c, right=i)
        world.clock.advance(3)
        await submit(c, a)
    url = f"/api/v1/rounds/{world.round_id}/leaderboard"
    page = (await world.client.get(url, params={"limit": 2})).json()
    assert page["total"] == 3 and page["frozen"] is False
    assert [e["rank"] for e in page["entries"]] == [1, 2]
    assert page["entries"][0] == {"rank": 1, "name": "Trần V. N. 2.",
                                  "unit": "Trường THPT Bù Đăng", "score": 2,
                                  "duration_ms": 3000}
    rest = (await world.client.get(url, params={"limit": 2, "offset": 2})).json()
    assert [e["rank"] for e in rest["entries"]] == [3]
    text = json.dumps(page) + json.dumps(rest)
    assert "0912345" not in text and ps[0][1] not in text  # never a phone or an id
    assert (await world.client.get(url, params={"limit": "x"})).status_code == 422
    both = await world.client.get(url, params={"unit": "BP", "group": "tudo"})
    assert both.status_code == 422 and both.json()["fields"]["group"]
    assert (await world.client.get(url, params={"group": "zzz"})).status_code == 404
    assert (await world.client.get("/api/v1/rounds/99999/leaderboard")).status_code == 404


async def test_around_me_and_stats(world: World) -> None:
    ps = await people(world, 5)
    for i, (c, _) in enumerate(ps):
        a = await start(world, c, right=i)
        world.clock.advance(2)
        await submit(c, a)
    base = f"/api/v1/rounds/{world.round_id}"
    assert (await world.make_client().get(f"{base}/leaderboard/around-me")).status_code == 401
    mine = (await ps[2][0].get(f"{base}/leaderboard/around-me",
                               params={"before": 1, "after": 1})).json()
    assert mine["me"]["rank"] == 3 and mine["total"] == 5
    assert [(e["rank"], e["me"]) for e in mine["entries"]] == [(2, False), (3, True),
                                                                 (4, False)]
    top = (await ps[4][0].get(f"{base}/leaderboard/around-me", params={"before": 3})).json()
    assert top["entries"][0]["rank"] == 1 and top["me"]["rank"] == 1
    nobody = world.make_client()
    await world.register(nobody, phone="0987000111")
    empty = (await nobody.get(f"{base}/leaderboard/around-me")).json()
    assert empty["me"] is None and empty["entries"] == []
    stats = (await world.client.get(f"{base}/stats", params={"unit": "BP-BUDANG"})).json()
    assert stats == {"participants": 5, "attempts": 5, "perfect": 0, "frozen": False}
    assert (await world.client.get(f"{base}/stats", params={"unit": "BP-DONGXOAI"})).json()[
        "participants"] == 0


async def test_stream_sends_changes_and_honours_last_event_id(world: World) -> None:
    (c1, _), (c2, _) = await people(world, 2)
    url = f"/api/v1/rounds/{world.round_id}/leaderboard/stream"
    async with serve(world.app) as base, httpx.AsyncClient(base_url=base, timeout=10) as http:
        bad = await http.get(url, params={"unit": "NOPE"})
        assert bad.status_code == 404  # bad input fails before the stream starts
        async with http.stream("GET", url, params={"limit": 5}) as resp:
            assert resp.headers["content-type"].startswith("text/event-stream")
            events = Events(resp)
            first = await events.next()
            assert first["event"] == "leaderboard"
            assert json.loads(first["data"])["total"] == 0
            a = await start(world, c1, right=2)
            world.clock.advance(9)
            await submit(c1, a)
            second = await events.next()
            assert int(second["id"]) > int(first["id"])
            data = json.loads(second["data"])
            assert data["total"] == 1 and data["entries"][0]["name"] == "Trần V. N. 0."
        last = second["id"]
        hub = world.app.state.board_hub
        hub._cache.clear()  # so that the new stream's re-read of the board shows in it
        # Reconnecting with the current id: no duplicate, only a comment, until a change.
        async with http.stream("GET", url, params={"limit": 5},
                               headers={"Last-Event-ID": last}) as resp:
            events = Events(resp)
            assert await events.comment() == ": resumed"
            # On joining, the stream re-reads the board once: a duplicate would be sent then,
            # and would come before the change below.
            await until(lambda: hub._cache, what="the resumed stream re-read the board")
            a = await start(world, c2, right=4)
            world.clock.advance(5)
            await submit(c2, a)
            third = await events.next()  # the first event is the change, not the old board
            assert json.loads(third["data"])["total"] == 2 and int(third["id"]) > int(last)
            assert events.comments == [": resumed"]
        # A stale id gets the current board at once.
        async with http.stream("GET", url, params={"limit": 5},
                               headers={"Last-Event-ID": "1"}) as resp:
            assert json.loads((await Events(resp).next())["data"])["total"] == 2
    await until(lambda: not hub.feeds, 2.5, "the last client out ends the round's subscription")
    assert hub.feeds == {}


@contextlib.asynccontextmanager
async def second_instance(world: World) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    """Another app process-alike on the same database and Redis."""
    app = create_app(world.ctx.settings, now=world.clock.now, sweep=False)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield app, client


@pytest.mark.skipif(not REAL_REDIS, reason="needs REDIS_URL: instances share one Redis")
async def test_two_instances_see_the_same_board(world: World) -> None:
    ps = await people(world, 3)
    async with second_instance(world) as (_, other):
        for i, (c, _) in enumerate(ps):
            a = await start(world, c, right=i)
            world.clock.advance(4)
            await submit(c, a)
        url = f"/api/v1/rounds/{world.round_id}/leaderboard"
        mine, theirs = (await world.client.get(url)).json(), (await other.get(url)).json()
        assert mine == theirs and mine["total"] == 3


@pytest.mark.skipif(not REAL_REDIS, reason="needs REDIS_URL: pub/sub across instances")
async def test_stream_on_one_instance_sees_a_submit_on_the_other(world: World) -> None:
    (c1, _), = await people(world, 1)
    url = f"/api/v1/rounds/{world.round_id}/leaderboard/stream"
    async with second_instance(world) as (app_b, _), serve(app_b) as base, \
            httpx.AsyncClient(base_url=base, timeout=10) as http, \
            http.stream("GET", url) as resp:
        events = Events(resp)
        assert json.loads((await events.next())["data"])["total"] == 0
        a = await start(world, c1, right=3)  # on instance A (world.app)
        world.clock.advance(6)
        await submit(c1, a)
        update = await events.next()
        assert json.loads(update["data"])["total"] == 1


async def test_projector_page_is_served_and_uses_the_stream(world: World) -> None:
    page = await world.client.get("/projector/")
    assert page.status_code == 200 and "Bảng xếp hạng trực tiếp" in page.text
    script = await world.client.get("/projector/projector.js")
    assert script.status_code == 200 and "/leaderboard/stream?limit=20" in script.text
    assert "innerHTML" not in script.text  # names are rendered as text, never as HTML


async def test_the_lifespan_closes_the_board_hub(world: World) -> None:
    async with second_instance(world) as (app, _):
        hub = app.state.board_hub
        feed, _event = hub.join(world.round_id)
        await asyncio.wait_for(feed.ready.wait(), 5)  # the round's subscription is listening
        task = feed.task
        assert task is not None and not task.done()
    assert task.done() and hub.feeds == {}  # shutdown ended the subscription
