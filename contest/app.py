"""The application factory: routes, middleware, static files, and a lifespan owning the pools."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from contest.attempts import attempts
from contest.core import gc_tuning
from contest.core.context import Services, log, utc_now
from contest.live import standings
from contest.live.hub import BoardHub
from contest.notify import sender
from contest.settings import Settings
from contest.storage.db import make_engine, make_sessionmaker
from contest.storage.redis_client import make_redis
from contest.web.admission import AdmissionLimit
from contest.web.clientinfo import DeviceCookie
from contest.web.compression import CompressLarge
from contest.web.errors import HANDLERS
from contest.web.routes import ROUTES
from contest.web.session import SessionCookie


async def _sweep(ctx: Services) -> None:
    """Submit expired attempts and repair stale boards, forever (cancelled at shutdown)."""
    while True:
        await asyncio.sleep(ctx.settings.sweep_interval_s)
        try:
            await attempts.expire_due(ctx)
            await standings.rebuild_stale(ctx)
        except Exception:  # keep sweeping: a passing DB or Redis outage must not end the task
            log.exception("sweep failed; retrying")


async def health(request: Request) -> JSONResponse:
    """Liveness and readiness: the database and Redis both answer."""
    ctx: Services = request.app.state.services
    async with ctx.sm() as s:
        from sqlalchemy import text

        await s.execute(text("SELECT 1"))
    await ctx.redis.ping()
    return JSONResponse({"ok": True})


def create_app(settings: Settings | None = None,
               now: Callable[[], datetime] = utc_now, sweep: bool = True) -> Starlette:
    """Build the ASGI app; pools open in the lifespan, never at import.

    Raises SettingsError for unsafe settings.
    """
    settings = settings or Settings.from_env()
    settings.check()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        redis = make_redis(settings.redis_url)
        ctx = Services(settings=settings, sm=make_sessionmaker(engine), redis=redis, now=now)
        app.state.services = ctx
        app.state.board_hub = hub = BoardHub(redis)
        task = asyncio.create_task(_sweep(ctx)) if sweep else None
        try:
            async with sender.running(ctx, enabled=sweep):  # issue 15: the outbox sender
                yield
        finally:
            if task:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await hub.close()
            await ctx.close()
            await redis.aclose()
            await engine.dispose()

    routes: list[BaseRoute] = [*ROUTES, Route("/healthz", health, methods=["GET"])]
    if Path(settings.static_dir).is_dir():
        routes.append(Mount("/", StaticFiles(directory=settings.static_dir, html=True),
                            name="static"))
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(AdmissionLimit, limit=settings.max_inflight, wait_s=settings.queue_wait_s),
            Middleware(CompressLarge, minimum_size=500),
            Middleware(DeviceCookie, secure=not settings.dev_mode),
            Middleware(SessionCookie, secret_key=settings.secret_key,
                       session_cookie="contest_session", max_age=settings.session_max_age_s,
                       same_site="lax", https_only=not settings.dev_mode),
        ],
        exception_handlers=HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app


def served_app(settings: Settings) -> Starlette:
    """The app as a server process runs it: its garbage collector set for a server
    (contest.core.gc_tuning). Raises SettingsError for unsafe settings."""
    app = create_app(settings)
    gc_tuning.tune(settings.gc_threshold)
    return app


def factory() -> Starlette:
    """Entry point for `uvicorn --factory contest.app:factory` (settings from the env)."""
    return served_app(Settings.from_env())
