"""`contest paper show`: re-derive a drawn paper from the round secret (docs/anti-cheating.md)."""

from __future__ import annotations

import argparse
import json

from contest.cli.runtime import run


def cmd_paper_show(args: argparse.Namespace) -> int:
    """Re-derive an attempt's paper from the round secret and compare it with what was stored."""
    from contest.integrity.paper_audit import rederive_paper

    report = run(lambda ctx: rederive_paper(ctx, args.attempt))
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0 if report["matches"] else 1


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `paper show`."""
    paper = sub.add_parser("paper", help="audit drawn papers").add_subparsers(
        dest="p", required=True
    )
    show = paper.add_parser("show", help="re-derive an attempt's paper from its seed")
    show.add_argument("--attempt", required=True)
    show.set_defaults(func=cmd_paper_show)
