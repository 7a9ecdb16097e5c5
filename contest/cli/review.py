"""`contest review ...`: the integrity review list and decisions from the command line."""

from __future__ import annotations

import argparse
import getpass
import json
from typing import Any

from contest.cli.runtime import run
from contest.errors import ContestError
from contest.i18n import t


def cmd_list(args: argparse.Namespace) -> int:
    """Print a round's review list (after a fresh integrity pass)."""
    from contest.integrity import review

    items = run(lambda ctx: review.review_list(ctx, args.round, scan=not args.no_scan))
    if args.json:
        print(json.dumps([review.item_out(i) for i in items], ensure_ascii=False, indent=2))
        return 0
    if not items:
        print(f"round {args.round}: nobody flagged")
        return 0
    for i in items:
        decision = (f"{i.decision.decision} by {i.decision.reviewer}"
                    if i.decision else "undecided")
        prize = "EXCLUDED from prizes" if i.excluded else "eligible"
        print(f"{i.participant_id}  {i.full_name} ({i.unit_code})  [{i.strength}]  {decision}; "
              f"{prize}")
        for f in i.flags:
            print(f"    {f.strength:6} {f.reason}: {t('flag.' + f.reason, 'vi')} "
                  f"{json.dumps(f.details, ensure_ascii=False)}")
    return 0


def _decide(args: argparse.Namespace, decision: str) -> int:
    from contest.integrity import review

    reviewer = f"cli:{args.by or getpass.getuser()}"
    try:
        row = run(lambda ctx: review.decide(ctx, args.round, args.participant, decision,
                                             args.reason, reviewer))
    except ContestError as exc:
        fields = "; ".join(f"{k}: {t(v, 'vi')}" for k, v in (exc.fields or {}).items())
        print(f"contest review: {t('error.' + exc.code, 'vi')} {fields}".rstrip())
        return 1
    print(f"{row.participant_id}: {row.decision} by {row.reviewer} at "
          f"{row.decided_at.isoformat()} ({row.reason})")
    return 0


def cmd_clear(args: argparse.Namespace) -> int:
    """Clear a flagged participant (recorded in the audit log)."""
    return _decide(args, "clear")


def cmd_disqualify(args: argparse.Namespace) -> int:
    """Exclude a participant from prizes (recorded in the audit log)."""
    return _decide(args, "disqualify")


def add_commands(sub: Any) -> None:
    """Add `review list|clear|disqualify` to the `contest` parser."""
    rv = sub.add_parser("review", help="integrity review").add_subparsers(dest="rv", required=True)
    ls = rv.add_parser("list", help="flagged participants of a round")
    ls.add_argument("--round", type=int, required=True)
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.add_argument("--no-scan", action="store_true", help="skip the integrity pass")
    ls.set_defaults(func=cmd_list)
    for name, fn, text in (("clear", cmd_clear, "clear a participant"),
                           ("disqualify", cmd_disqualify, "exclude a participant from prizes")):
        c = rv.add_parser(name, help=text)
        c.add_argument("--round", type=int, required=True)
        c.add_argument("--participant", required=True)
        c.add_argument("--reason", required=True)
        c.add_argument("--by", help="reviewer name recorded (default: the OS user)")
        c.set_defaults(func=fn)
