"""Security tests: a served app (uvicorn on a free loopback port, in the test's own event
loop) for real parallel requests over TCP, plus the `world` and console fixtures."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from tests.conftest import World
from tests.console.conftest import console  # noqa: F401 - re-exported fixture
from tests.waiting import serving


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def served(world: World) -> AsyncIterator[str]:
    """The world's app served over HTTP on 127.0.0.1; yields its base URL."""
    port = _free_port()
    config = uvicorn.Config(world.app, host="127.0.0.1", port=port, lifespan="off",
                            log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    await serving(server, task)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def parallel_client(base: str, **kw: object) -> httpx.AsyncClient:
    """A client with enough connections that every request of a burst is sent at once."""
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=0)
    return httpx.AsyncClient(base_url=base, limits=limits, timeout=30, **kw)  # type: ignore[arg-type]
