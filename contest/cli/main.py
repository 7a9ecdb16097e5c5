"""The `contest` command."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import secrets
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from contest.core.context import Services
from contest.settings import Settings, SettingsError
from contest.storage.db import make_engine, make_sessionmaker, migrate
from contest.storage.redis_client import make_redis


async def with_services(settings: Settings, fn: Callable[[Services], Awaitable[Any]]) -> Any:
    """Run fn with services open on settings' database and Redis, then close them."""
    engine = make_engine(settings.database_url)
    redis = make_redis(settings.redis_url)
    try:
        return await fn(Services(settings=settings, sm=make_sessionmaker(engine), redis=redis))
    finally:
        await redis.aclose()
        await engine.dispose()


DEMO_SECRETS = "demo-secrets.json"
DEMO_WARNING = (
    "contest: DEMO MODE - plain HTTP, a demo contest and keys kept in {path}. Do not use it "
    "for a real contest: set SECRET_KEY, CONTEST_DATA_KEYS and CONTEST_LOOKUP_KEY and run "
    "without --demo (README, 'Running in production')."
)


def demo_folder(database_url: str) -> Path:
    """The demo's data folder: the SQLite file's folder, else ./var."""
    prefix = "sqlite+aiosqlite:///"
    if database_url.startswith(prefix) and not database_url.endswith(":memory:"):
        return Path(database_url[len(prefix):]).parent
    return Path("var")


def demo_secrets(folder: Path) -> dict[str, str]:
    """The demo's random cookie secret, data key and look-up key, made on first run and kept
    (owner-only) in folder, so a restart keeps sessions and can still read stored phones."""
    from contest.core.crypto import new_key

    path = folder / DEMO_SECRETS
    if path.exists():
        found: dict[str, str] = json.loads(path.read_text("utf-8"))
        return found
    folder.mkdir(parents=True, exist_ok=True)
    made = {"secret_key": secrets.token_urlsafe(48), "data_keys": new_key(),
            "lookup_key": secrets.token_urlsafe(48)}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(made, f)
    return made


def _settings(demo: bool = False) -> Settings:
    """Settings from the environment. Without SECRET_KEY, the demo gets its own random keys
    (made once, kept in its data folder), and the other commands reuse them when a demo
    made them, so `contest staff create` and the data commands work on a demo database."""
    base = Settings.from_env()
    if os.environ.get("SECRET_KEY"):
        return base
    folder = demo_folder(base.database_url)
    if not demo and not (folder / DEMO_SECRETS).exists():
        return base
    keys = demo_secrets(folder)
    print(DEMO_WARNING.format(path=folder / DEMO_SECRETS), file=sys.stderr)
    return Settings.from_env(None, dev_mode=True, secret_key=keys["secret_key"],
                             data_keys=keys["data_keys"], lookup_key=keys["lookup_key"])


def _loopback(host: str) -> bool:
    """True for an address only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn treats proxy headers: only from CONTEST_TRUSTED_PROXIES, none by default
    (uvicorn would otherwise believe X-Forwarded-For from any loopback peer)."""
    if not settings.trusted_proxies.strip():
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": settings.trusted_proxies}


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Apply migrations up to head."""
    settings = _settings()

    async def go() -> None:
        engine = make_engine(settings.database_url)
        try:
            await migrate(engine)
        finally:
            await engine.dispose()

    asyncio.run(go())
    print(f"database at head: {settings.database_url.split('@')[-1]}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the server (with --demo: migrate and load the demo contest first)."""
    import uvicorn

    from contest.app import create_app

    if args.demo and not _loopback(args.host) and not args.public:
        print(f"contest: --demo listens on 127.0.0.1 only; --host {args.host} would publish "
              "a demo (plain HTTP, demo keys) to the network. Add --public if that is what "
              "you want.", file=sys.stderr)
        return 2
    # without --demo, never the demo's keys: production refuses to start without its own
    settings = _settings(demo=True) if args.demo else Settings.from_env()
    settings.check()
    if args.demo:
        from contest.setup.demo import ensure_demo

        async def prepare() -> None:
            engine = make_engine(settings.database_url)
            try:
                await migrate(engine)
            finally:
                await engine.dispose()
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
        uvicorn.run(create_app(settings), host=args.host, port=args.port,
                    **uvicorn_options(settings))
    return 0


def cmd_paper_show(args: argparse.Namespace) -> int:
    """Re-derive an attempt's paper from the round secret and compare it with what was stored."""
    from contest.integrity.paper_audit import rederive_paper

    report = asyncio.run(with_services(_settings(), lambda ctx: rederive_paper(ctx, args.attempt)))
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0 if report["matches"] else 1


def cmd_leaderboard_rebuild(args: argparse.Namespace) -> int:
    """Rebuild a round's boards and counters from SQL."""
    from contest.errors import NotFound
    from contest.live.standings import rebuild
    from contest.storage.live import RebuildBusy

    try:
        count = asyncio.run(with_services(_settings(), lambda ctx: rebuild(ctx, args.round)))
    except NotFound:
        print(f"contest: round {args.round} not found (or a practice round)")
        return 1
    except RebuildBusy:
        print(f"contest: round {args.round} is being rebuilt by another process; "
              "try again in a minute")
        return 1
    print(f"round {args.round}: {count} entries rebuilt from SQL")
    return 0


def cmd_bank_import(args: argparse.Namespace) -> int:
    """Validate a bank file of any supported format and store it as a new version."""
    from contest.banks.io import load_bank
    from contest.banks.messages import render
    from contest.banks.problems import BankInvalid
    from contest.cli.bank import env_locale
    from contest.setup.bank_versions import import_bank

    locale = env_locale()
    try:
        bank, warnings = load_bank(Path(args.path))
    except BankInvalid as exc:
        for problem in exc.problems:
            print(render(problem, locale), file=sys.stderr)
        return 1
    for problem in warnings:
        print(render(problem, locale), file=sys.stderr)
    version, created = asyncio.run(with_services(_settings(), lambda ctx: import_bank(
        ctx, bank, actor="cli", source=str(args.path))))
    state = "new version" if created else "unchanged, existing version"
    print(f"{bank.code}: {len(bank.questions)} questions, {state} {version.number}")
    return 0


def parser() -> argparse.ArgumentParser:
    """The command-line grammar."""
    p = argparse.ArgumentParser(prog="contest", description="Legal-knowledge contest engine")
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--demo", action="store_true", help="load the demo contest first")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--public", action="store_true",
                       help="let --demo listen on a non-loopback --host")
    serve.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db", required=True)
    db.add_parser("upgrade", help="apply migrations").set_defaults(func=cmd_db_upgrade)

    paper = sub.add_parser("paper", help="audit drawn papers").add_subparsers(
        dest="p", required=True
    )
    show = paper.add_parser("show", help="re-derive an attempt's paper from its seed")
    show.add_argument("--attempt", required=True)
    show.set_defaults(func=cmd_paper_show)

    lb = sub.add_parser("leaderboard", help="live boards").add_subparsers(dest="lb", required=True)
    rb = lb.add_parser("rebuild", help="rebuild a round's boards from SQL")
    rb.add_argument("--round", type=int, required=True)
    rb.set_defaults(func=cmd_leaderboard_rebuild)
    from contest.cli.leaderboard import add_commands as add_leaderboard_commands

    add_leaderboard_commands(lb, with_services, _settings)

    try:
        from contest.cli.bank import add_commands
    except ImportError:  # pragma: no cover - the bank commands are optional during development
        bank = sub.add_parser("bank", help="question banks").add_subparsers(dest="b", required=True)
    else:
        bank = add_commands(sub)
    imp = bank.add_parser("import", help="store a bank file as a new version")
    imp.add_argument("path")
    imp.set_defaults(func=cmd_bank_import)

    from contest.cli.console import add_commands as add_console_commands

    add_console_commands(sub)
    from contest.cli.results import add_commands as add_results_commands

    add_results_commands(sub)
    from contest.cli.review import add_commands as add_review_commands

    add_review_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `contest` command."""
    args = parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except SettingsError as exc:
        print(f"contest: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
