"""`contest staff ...`, `contest load/dump` and `contest data ...`: console-side commands."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from contest.errors import ContestError
from contest.i18n import t
from contest.services.context import Services

T = TypeVar("T")


def _services_run(fn: Callable[[Services], Awaitable[T]]) -> T:
    """Run fn with services open on the environment's settings."""
    from contest.cli import _settings, with_services

    result: T = asyncio.run(with_services(_settings(), fn))
    return result


def _read_password(args: argparse.Namespace) -> str:
    """The new password: from --password-stdin, else asked twice on the terminal."""
    if args.password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Mật khẩu: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise SystemExit("contest: hai lần nhập mật khẩu không khớp")
    return first


def cmd_staff_create(args: argparse.Namespace) -> int:
    """Create a staff account (the first admin is made this way)."""
    from contest.services.console_staff import create_staff

    password = _read_password(args)
    try:
        made = _services_run(lambda ctx: create_staff(
            ctx, args.username, password, args.role, args.unit, args.full_name, args.totp))
    except ContestError as exc:
        print(f"contest: {t('error.' + exc.code, 'vi', **exc.params)}", file=sys.stderr)
        return 2
    print(f"created {made.staff.role} {made.staff.username}"
          + (f" (unit {made.staff.unit_code})" if made.staff.unit_code else ""))
    if made.totp_uri:
        print(f"TOTP: add this to an authenticator app, it is shown only once:\n{made.totp_uri}")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the console-side commands on the `contest` parser."""
    staff = sub.add_parser("staff", help="console staff accounts").add_subparsers(
        dest="staff", required=True)
    create = staff.add_parser("create", help="create a staff account")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True,
                        choices=["admin", "organiser", "unit_officer", "viewer"])
    create.add_argument("--unit", default=None, help="unit code (required for unit_officer)")
    create.add_argument("--full-name", default="")
    create.add_argument("--totp", action="store_true", help="require a TOTP code at login")
    create.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of stdin")
    create.set_defaults(func=cmd_staff_create)
