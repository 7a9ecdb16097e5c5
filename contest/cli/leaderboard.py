"""`contest leaderboard freeze|reveal`: the organiser's freeze of the public board."""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime
from typing import Any

from contest.cli.runtime import load_settings, run, with_services
from contest.core.context import Services
from contest.errors import NotFound, ValidationFailed
from contest.storage.tables import Round


def cmd_leaderboard_rebuild(args: argparse.Namespace) -> int:
    """Rebuild a round's boards and counters from SQL."""
    from contest.errors import NotFound
    from contest.live.standings import rebuild
    from contest.storage.live import RebuildBusy

    try:
        count = run(lambda ctx: rebuild(ctx, args.round))
    except NotFound:
        print(f"contest: round {args.round} not found (or a practice round)")
        return 1
    except RebuildBusy:
        print(f"contest: round {args.round} is being rebuilt by another process; "
              "try again in a minute")
        return 1
    print(f"round {args.round}: {count} entries rebuilt from SQL")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `leaderboard rebuild|freeze|reveal`."""
    lb = sub.add_parser("leaderboard", help="live boards").add_subparsers(dest="lb", required=True)
    rb = lb.add_parser("rebuild", help="rebuild a round's boards from SQL")
    rb.add_argument("--round", type=int, required=True)
    rb.set_defaults(func=cmd_leaderboard_rebuild)
    settings = load_settings

    def freeze(args: argparse.Namespace) -> int:
        from contest.live import freezing

        s = settings()

        async def go(ctx: Services) -> Any:
            if args.at:
                at = datetime.fromisoformat(args.at)
                at = at if at.tzinfo else at.replace(tzinfo=s.tz)  # a bare time is local
                return await freezing.freeze(ctx, args.round, at)
            return await freezing.freeze_before_close(ctx, args.round, args.hours_before_close)

        try:
            r: Round = asyncio.run(with_services(s, go))
        except NotFound:
            print(f"contest: round {args.round} not found (or a practice round)")
            return 1
        except (ValidationFailed, ValueError):
            print("contest: the freeze time must be a valid ISO time before the round closes, "
                  "or --hours-before-close a positive number")
            return 2
        assert r.board_frozen_at is not None
        print(f"round {args.round}: public board frozen from "
              f"{r.board_frozen_at.astimezone(s.tz):%d/%m/%Y %H:%M:%S %Z} until revealed")
        return 0

    def reveal(args: argparse.Namespace) -> int:
        from contest.live import freezing

        try:
            asyncio.run(with_services(settings(), lambda ctx: freezing.reveal(ctx, args.round)))
        except NotFound:
            print(f"contest: round {args.round} not found (or a practice round)")
            return 1
        print(f"round {args.round}: public board revealed (live again)")
        return 0

    fz = lb.add_parser("freeze", help="freeze the public board (staff keep the live one)")
    fz.add_argument("--round", type=int, required=True)
    when = fz.add_mutually_exclusive_group(required=True)
    when.add_argument("--at", help="ISO time, e.g. 2026-12-01T07:00+07:00 (bare: local time)")
    when.add_argument("--hours-before-close", type=float, help="hours before the round closes")
    fz.set_defaults(func=freeze)
    rv = lb.add_parser("reveal", help="show the live board to the public again")
    rv.add_argument("--round", type=int, required=True)
    rv.set_defaults(func=reveal)
