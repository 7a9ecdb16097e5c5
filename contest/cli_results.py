"""`contest round commit|finalise ID` and `contest draw verify FILES...` (issue 7)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from contest.errors import ContestError
from contest.i18n import t


def _run(fn: Any) -> Any:
    from contest.cli import _settings, with_services

    return asyncio.run(with_services(_settings(), fn))


def _fail(exc: ContestError) -> int:
    print(f"contest: {t('error.' + exc.code, 'vi', **exc.params)}")
    return 1


def cmd_round_commit(args: argparse.Namespace) -> int:
    """Generate and store a round's secret draw seed; print the commitment to publish."""
    from contest.services.finalise import commit_draw

    try:
        draw = _run(lambda ctx: commit_draw(ctx, args.round_id, actor="cli"))
    except ContestError as exc:
        return _fail(exc)
    print(f"round {args.round_id}: draw commitment (publish before the round opens)")
    print(draw.commitment)
    return 0


def cmd_round_finalise(args: argparse.Namespace) -> int:
    """Finalise a closed round: final ranking, prizes, the revealed seed."""
    from contest.services.finalise import finalise

    try:
        s = _run(lambda ctx: finalise(ctx, args.round_id, actor="cli"))
    except ContestError as exc:
        return _fail(exc)
    print(f"round {s.round_id} finalised: {s.entrants} entrants, {s.eligible} eligible, "
          f"actual figure {s.actual_figure}, {s.awards} prizes, {s.collective_awards} collective, "
          f"{s.tied_entries} entries ordered by the draw")
    print(f"commitment {s.commitment}\nseed       {s.seed_hex}\neligible   {s.eligible_hash}")
    return 0


def cmd_draw_verify(args: argparse.Namespace) -> int:
    """Re-run a round's draw from its published results .json and eligible list .csv."""
    from contest.services.verify_draw import verify_files

    try:
        report = verify_files([Path(p) for p in args.files])
    except (OSError, ValueError) as exc:
        print(f"contest: {exc}")
        return 2
    for name, ok, detail in report.checks:
        print(f"{'OK  ' if ok else 'FAIL'} {name}: {detail}")
    print("verified: the published winners follow from the files" if report.ok
          else "NOT verified")
    return 0 if report.ok else 1


def add_commands(sub: Any) -> None:
    """Add the round and draw commands to the `contest` parser."""
    rnd = sub.add_parser("round", help="round results").add_subparsers(dest="r", required=True)
    commit = rnd.add_parser("commit", help="generate the draw seed, print its commitment")
    commit.add_argument("round_id", type=int)
    commit.set_defaults(func=cmd_round_commit)
    fin = rnd.add_parser("finalise", help="finalise a closed round")
    fin.add_argument("round_id", type=int)
    fin.set_defaults(func=cmd_round_finalise)
    draw = sub.add_parser("draw", help="the verifiable draw").add_subparsers(dest="d",
                                                                              required=True)
    ver = draw.add_parser("verify", help="re-run the draw from the published files")
    ver.add_argument("files", nargs="+", help="results .json and eligible list .csv")
    ver.set_defaults(func=cmd_draw_verify)
