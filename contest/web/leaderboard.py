"""Leaderboard handlers: pages, around-me, live counters, and the SSE stream.

The stream waits on the process's BoardHub (contest.live.hub); each client re-reads its board
(one read per board version per process, cached) at most once a second when it changed.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import StreamingResponse

from contest.core.context import Services
from contest.domain.people import mask_name
from contest.live import standings
from contest.live.hub import BoardHub
from contest.web import guard
from contest.web.parsing import int_param, path_int
from contest.web.responses import JSONResponse
from contest.web.schemas import points

KEEPALIVE_S = 15.0
MIN_GAP_S = 1.0


def _ctx(request: Request) -> Services:
    ctx: Services = request.app.state.services
    return ctx


def _scope(request: Request) -> tuple[str | None, str | None]:
    q = request.query_params
    return q.get("unit") or None, q.get("group") or None


def line_out(e: standings.PublicEntry) -> dict[str, Any]:
    """A public board line: masked name, unit name, score and time; never phone or id."""
    return {"rank": e.rank, "name": mask_name(e.full_name), "unit": e.unit_name,
            "score": points(e.score_milli), "duration_ms": e.duration_ms}


def board_out(b: standings.BoardRead) -> dict[str, Any]:
    """The leaderboard read's JSON."""
    return {"total": b.total, "offset": b.start, "frozen": b.frozen,
            "entries": [line_out(e) for e in b.entries]}


async def leaderboard(request: Request) -> JSONResponse:
    limit = int_param(request, "limit", 20, 1, 100)
    offset = int_param(request, "offset", 0, 0)
    unit, group = _scope(request)
    read = await standings.leaderboard(_ctx(request), path_int(request, "round_id"), unit,
                                       limit, offset, group=group, staff=False)
    return JSONResponse(board_out(read))


async def around_me(request: Request) -> JSONResponse:
    pid = await guard.signed_in(request)
    before = int_param(request, "before", 5, 0, 50)
    after = int_param(request, "after", 5, 0, 50)
    unit, group = _scope(request)
    read = await standings.around_me(_ctx(request), path_int(request, "round_id"), pid,
                                     before, after, unit, group, staff=False)
    if read is None:
        return JSONResponse({"total": None, "me": None, "entries": [], "frozen": None})
    lines = []
    me = None
    for e in read.entries:
        line = line_out(e)
        line["me"] = e.participant_id == pid
        if line["me"]:
            me = line
        lines.append(line)
    return JSONResponse({"total": read.total, "offset": read.start, "frozen": read.frozen,
                         "me": me, "entries": lines})


async def stats(request: Request) -> JSONResponse:
    unit, group = _scope(request)
    counts, frozen = await standings.stats(_ctx(request), path_int(request, "round_id"),
                                           unit, group, staff=False)
    return JSONResponse({**counts, "frozen": frozen})


# ---- Server-Sent Events -------------------------------------------------------------------


def hub_of(request: Request) -> BoardHub:
    """The process's BoardHub (opened and closed in the app's lifespan)."""
    hub: BoardHub = request.app.state.board_hub
    return hub


async def stream(request: Request) -> StreamingResponse:
    """GET .../leaderboard/stream: `leaderboard` events when the board changes (<= 1/s)."""
    ctx = _ctx(request)
    round_id = path_int(request, "round_id")
    limit = int_param(request, "limit", 20, 1, 100)
    unit, group = _scope(request)
    cache_key = (round_id, unit, group, limit)

    async def read() -> str:
        board = await standings.leaderboard(ctx, round_id, unit, limit, group=group, staff=False)
        return json.dumps(board_out(board), ensure_ascii=False, separators=(",", ":"))

    # Bad input (unknown round, unit or group) answers 4xx before the stream starts.
    version = await standings.board_version(ctx, round_id)
    first = await read()
    last_id = request.headers.get("last-event-id")
    hub = hub_of(request)
    feed, event = hub.join(round_id)
    event.set()  # re-check once: a change between the first read and joining is not lost

    async def events() -> AsyncIterator[str]:
        sent: str | None = first if last_id == str(version) else None
        last_sent = 0.0
        try:
            await asyncio.wait_for(feed.ready.wait(), KEEPALIVE_S)
            if sent is None:
                sent, last_sent = first, time.monotonic()
                yield f"id: {version}\nevent: leaderboard\ndata: {first}\n\n"
            else:
                yield ": resumed\n\n"
            while True:
                try:
                    await asyncio.wait_for(event.wait(), KEEPALIVE_S)
                except TimeoutError:
                    yield ": keep-alive\n\n"  # and re-read below, in case a message was lost
                event.clear()
                gap = MIN_GAP_S - (time.monotonic() - last_sent)
                if gap > 0:
                    await asyncio.sleep(gap)
                    event.clear()
                try:
                    v = await standings.board_version(ctx, round_id)
                    data = await hub.payload(cache_key, v, read)
                except RedisError:
                    continue
                if data != sent:
                    sent, last_sent = data, time.monotonic()
                    yield f"id: {v}\nevent: leaderboard\ndata: {data}\n\n"
        finally:
            await hub.leave(round_id, event)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
