"""The `contest` command: one module of contest/cli/ per command group."""

from __future__ import annotations

import argparse
import sys

from contest.cli import bank, console, leaderboard, paper, results, review, server
from contest.settings import SettingsError


def parser() -> argparse.ArgumentParser:
    """The command-line grammar: each group's module adds its commands."""
    p = argparse.ArgumentParser(prog="contest", description="Legal-knowledge contest engine")
    sub = p.add_subparsers(dest="command", required=True)
    for group in (server, paper, leaderboard, bank, console, results, review):
        group.add_commands(sub)
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
