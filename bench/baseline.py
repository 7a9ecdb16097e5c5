"""Baselines on this machine: a bare Starlette endpoint and one doing a single Redis round
trip, served by uvicorn like the app, so answer-save throughput can be read as a ratio.

Run as the app of `uvicorn bench.baseline:app --workers N` (REDIS_URL in the env); the
harness (bench/load.py) starts it and measures it with bench.rawhttp in the same run.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
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


app = Starlette(routes=[Route("/bare", bare, methods=["GET"]),
                        Route("/redis/{key}", one_redis, methods=["PUT"])],
                lifespan=_lifespan)
