"""`contest serve` and `contest db upgrade`."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import sys
from typing import Any

from contest.cli.runtime import load_settings, with_services
from contest.settings import Settings
from contest.storage.db import make_engine, migrate


def loopback(host: str) -> bool:
    """True for an address only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn treats proxy headers (only from CONTEST_TRUSTED_PROXIES, none by default:
    uvicorn would otherwise believe X-Forwarded-For from any loopback peer) and whether it
    logs each request (CONTEST_ACCESS_LOG)."""
    logging: dict[str, Any] = {"access_log": settings.access_log}
    if not settings.trusted_proxies.strip():
        return {"proxy_headers": False, **logging}
    return {"proxy_headers": True, "forwarded_allow_ips": settings.trusted_proxies, **logging}


async def migrate_to_head(database_url: str) -> None:
    """Apply the migrations up to head on database_url."""
    engine = make_engine(database_url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Apply migrations up to head."""
    settings = load_settings()
    asyncio.run(migrate_to_head(settings.database_url))
    print(f"database at head: {settings.database_url.split('@')[-1]}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the server (with --demo: migrate and load the demo contest first)."""
    import uvicorn

    from contest.app import served_app

    if args.demo and not loopback(args.host) and not args.public:
        print(f"contest: --demo listens on 127.0.0.1 only; --host {args.host} would publish "
              "a demo (plain HTTP, demo keys) to the network. Add --public if that is what "
              "you want.", file=sys.stderr)
        return 2
    # without --demo, never the demo's keys: production refuses to start without its own
    settings = load_settings(demo=True) if args.demo else Settings.from_env()
    settings.check()
    if args.demo:
        from contest.setup.demo import ensure_demo

        async def prepare() -> None:
            await migrate_to_head(settings.database_url)
            rnd = await with_services(settings, ensure_demo)
            print(
                f"demo contest ready: round {rnd.id} '{rnd.title}' "
                f"open until {rnd.closes_at.astimezone(settings.tz):%d/%m/%Y %H:%M}"
            )

        asyncio.run(prepare())
        print(f"open http://{args.host}:{args.port}/ on a phone or browser")
    if settings.workers > 1:
        uvicorn.run(
            "contest.app:factory",
            factory=True,
            host=args.host,
            port=args.port,
            workers=settings.workers,
            **uvicorn_options(settings),
        )
    else:
        uvicorn.run(served_app(settings), host=args.host, port=args.port,
                    **uvicorn_options(settings))
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `serve` and `db upgrade`."""
    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--demo", action="store_true", help="load the demo contest first")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--public", action="store_true",
                       help="let --demo listen on a non-loopback --host")
    serve.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db", required=True)
    db.add_parser("upgrade", help="apply migrations").set_defaults(func=cmd_db_upgrade)
