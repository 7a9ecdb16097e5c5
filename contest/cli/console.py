"""`contest staff ...`, `contest load/dump` and `contest data ...`: console-side commands."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TypeVar

from contest.cli.runtime import load_settings, run
from contest.domain.vocabulary import StaffRole
from contest.errors import ContestError
from contest.i18n import t

T = TypeVar("T")


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
    from contest.console.staff import create_staff

    password = _read_password(args)
    try:
        made = run(lambda ctx: create_staff(
            ctx, args.username, password, args.role, args.unit, args.full_name, args.totp))
    except ContestError as exc:
        print(f"contest: {t('error.' + exc.code, 'vi', **exc.params)}", file=sys.stderr)
        return 2
    print(f"created {made.staff.role} {made.staff.username}"
          + (f" (unit {made.staff.unit_code})" if made.staff.unit_code else ""))
    if made.totp_uri:
        print(f"TOTP: add this to an authenticator app, it is shown only once:\n{made.totp_uri}")
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    """Create or update a contest from a contest file (contest as code)."""
    from contest.setup.contest_as_code import load
    from contest.setup.contest_file import ContestFileInvalid

    try:
        report = run(lambda ctx: load(ctx, Path(args.file)))
    except ContestFileInvalid as exc:
        for problem in exc.problems:
            print(f"contest: {problem}", file=sys.stderr)
        return 1
    print(report.table(load_settings().tz))
    print("thay đổi:" if report.changes else "không có gì thay đổi")
    for change in report.changes:
        print(f"  {change}")
    return 0


def cmd_dump(args: argparse.Namespace) -> int:
    """Write a stored contest as a contest file (stdout or --output); never round secrets."""
    from contest.setup.contest_as_code import dump

    try:
        text = run(lambda ctx: dump(ctx, args.slug))
    except ContestError:
        print(f"contest: không có cuộc thi {args.slug}", file=sys.stderr)
        return 2
    if args.output:
        Path(args.output).write_text(text, "utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_data_purge(args: argparse.Namespace) -> int:
    """Remove the personal data of contests past the retention period (CONTEST_RETENTION_DAYS)."""
    from contest.people.retention import purge

    report = run(lambda ctx: purge(ctx, dry_run=args.dry_run))
    verb = "would purge" if args.dry_run else "purged"
    for c in report.contests:
        print(f"{verb} {c.participants} participants of {c.slug} (last round closed "
              f"{c.last_close})")
    print(f"{verb} {report.participants} participants in {len(report.contests)} contests")
    return 0


def cmd_data_new_key(args: argparse.Namespace) -> int:
    """Print a fresh Fernet key to put first in CONTEST_DATA_KEYS."""
    from contest.core.crypto import new_key

    print(new_key())
    return 0


def cmd_data_rotate(args: argparse.Namespace) -> int:
    """Re-encrypt every encrypted column under the first key of CONTEST_DATA_KEYS."""
    from contest.core.crypto import DataKeyError
    from contest.people.rekey import rotate

    try:
        report = run(lambda ctx: rotate(ctx, batch=args.batch))
    except DataKeyError as exc:
        print(f"contest: {exc}", file=sys.stderr)
        return 1
    print(f"re-encrypted {report.values} values in {report.rows} rows")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the console-side commands on the `contest` parser."""
    staff = sub.add_parser("staff", help="console staff accounts").add_subparsers(
        dest="staff", required=True)
    create = staff.add_parser("create", help="create a staff account")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True,
                        choices=list(StaffRole))
    create.add_argument("--unit", default=None, help="unit code (required for unit_officer)")
    create.add_argument("--full-name", default="")
    create.add_argument("--totp", action="store_true", help="require a TOTP code at login")
    create.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of stdin")
    create.set_defaults(func=cmd_staff_create)
    load = sub.add_parser("load", help="create or update a contest from a contest file (YAML)")
    load.add_argument("file")
    load.set_defaults(func=cmd_load)
    dump = sub.add_parser("dump", help="write a contest as a contest file (YAML)")
    dump.add_argument("slug")
    dump.add_argument("--output", "-o", default=None, help="file to write (default: stdout)")
    dump.set_defaults(func=cmd_dump)
    data = sub.add_parser("data", help="personal data: retention purge, encryption keys")
    dsub = data.add_subparsers(dest="data", required=True)
    purge = dsub.add_parser("purge", help="purge personal data past CONTEST_RETENTION_DAYS")
    purge.add_argument("--dry-run", action="store_true", help="only say what would be purged")
    purge.set_defaults(func=cmd_data_purge)
    dsub.add_parser("new-key", help="print a new encryption key").set_defaults(
        func=cmd_data_new_key)
    rot = dsub.add_parser("rotate", help="re-encrypt personal data under the newest key")
    rot.add_argument("--batch", type=int, default=500, help="rows per transaction")
    rot.set_defaults(func=cmd_data_rotate)
