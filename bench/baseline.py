"""Baselines on this machine, served by uvicorn like the app, so the engine's throughput can
be read as a ratio measured in the same run:

- GET /bare: no I/O at all, the framework's and server's own cost;
- PUT /redis/{key}: a small JSON body and one HSET;
- POST /submit: the reference of issue 13 (shared/perf/app_redis.py's shape): parse a ~200 B
  JSON body with orjson, ZADD + ZREVRANK through redis.asyncio (hiredis), orjson response.

Run as the app of `uvicorn bench.baseline:app --workers N` (REDIS_URL in the env); the
harnesses (bench/load.py, bench/ratio.py) start it and measure it in the same run.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
import redis.asyncio as aioredis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.redis = aioredis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13"))
    yield
    await app.state.redis.aclose()


async def bare(request: Request) -> JSONResponse:
    """No I/O at all: the framework's and server's own cost."""
    return JSONResponse({"ok": True})


async def one_redis(request: Request) -> JSONResponse:
    """Parse a small JSON body and do one Redis round trip (HSET), like a minimal save."""
    body = await request.json()
    key = f"bench:baseline:{request.path_params['key']}"
    await request.app.state.redis.hset(key, "v", str(body.get("option_ids")))
    return JSONResponse({"ok": True})


async def submit(request: Request) -> Response:
    """The issue's reference endpoint: orjson body, ZADD + ZREVRANK, orjson response."""
    body = orjson.loads(await request.body())
    member = body["user_id"]
    redis = request.app.state.redis
    await redis.zadd("bench:baseline:lb", {member: body["score"]})
    rank = await redis.zrevrank("bench:baseline:lb", member)
    return Response(orjson.dumps({"member": member, "rank": rank}),
                    media_type="application/json")


app = Starlette(routes=[Route("/bare", bare, methods=["GET"]),
                        Route("/redis/{key}", one_redis, methods=["PUT"]),
                        Route("/submit", submit, methods=["POST"])],
                lifespan=_lifespan)
