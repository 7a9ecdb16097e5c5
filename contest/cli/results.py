"""`contest round commit|finalise|qualify ID`, `contest draw verify FILES...` (issue 7), and
`contest results export|report|certificates|notify ROUND_ID` for officers with a shell
(issue 16)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from contest.cli.runtime import fail, run
from contest.domain.vocabulary import StaffRole
from contest.errors import ContestError


def cmd_round_commit(args: argparse.Namespace) -> int:
    """Generate and store a round's secret draw seed; print the commitment to publish."""
    from contest.results.finalise import commit_draw

    try:
        draw = run(lambda ctx: commit_draw(ctx, args.round_id, actor="cli"))
    except ContestError as exc:
        return fail(exc)
    print(f"round {args.round_id}: draw commitment (publish before the round opens)")
    print(draw.commitment)
    return 0


def cmd_round_finalise(args: argparse.Namespace) -> int:
    """Finalise a closed round: final ranking, prizes, the revealed seed."""
    from contest.results.finalise import finalise

    try:
        s = run(lambda ctx: finalise(ctx, args.round_id, actor="cli"))
    except ContestError as exc:
        return fail(exc)
    print(f"round {s.round_id} finalised: {s.entrants} entrants, {s.eligible} eligible, "
          f"actual figure {s.actual_figure}, {s.awards} prizes, {s.collective_awards} collective, "
          f"{s.tied_entries} entries ordered by the draw")
    print(f"commitment {s.commitment}\nseed       {s.seed_hex}\neligible   {s.eligible_hash}")
    return 0


def cmd_round_qualify(args: argparse.Namespace) -> int:
    """Draw up (again) a final round's list from its finalised source rounds (issue 17)."""
    from contest.setup.qualification import open_list

    try:
        st = run(lambda ctx: open_list(ctx, args.round_id, actor="cli"))
    except ContestError as exc:
        return fail(exc)
    print(f"round {st.round_id}: {st.total} qualified (best {st.rule.best_per_round} of each)")
    for x in st.sources:
        print(f"  {x.round_id:>6}  {x.qualified:>6}  {x.title}")
    return 0


def cmd_draw_verify(args: argparse.Namespace) -> int:
    """Re-run a round's draw from its published results .json and eligible list .csv."""
    from contest.results.verify_draw import verify_files

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


LISTS = ("winners", "winners-internal", "ranking", "participation")


async def _scope(ctx: Any, staff_name: str | None, unit: str | None) -> tuple[Any, str]:
    """(unit codes, audit actor) as the console would scope the named staff account; without
    one, a shell user sees everything (they hold the database already). Raises NotFound."""
    from sqlmodel import col, select

    from contest.core import scope
    from contest.errors import NotFound
    from contest.storage.tables import Staff

    if staff_name is None:
        who = Staff(username="cli", password_hash="", role=StaffRole.ADMIN, full_name="cli",
                    created_at=ctx.now())
        return await scope.narrowed(ctx, who, unit), "cli"
    async with ctx.sm() as s:
        staff = await s.scalar(select(Staff).where(col(Staff.username) == staff_name))
    if staff is None or not staff.active:
        raise NotFound()
    return await scope.narrowed(ctx, staff, unit), f"cli:{staff.username}"


class Progress:
    """A one-line progress report on stderr (only when it is a terminal)."""

    def __init__(self, label: str) -> None:
        import sys

        self.out = sys.stderr
        self.live = self.out.isatty()
        self.label = label
        self.done = 0

    def add(self, n: int) -> None:
        """Count n more bytes written."""
        self.done += n
        if self.live:
            self.out.write(f"\r{self.label}: {self.done / 1e6:.1f} MB")
            self.out.flush()

    def finish(self, path: str) -> None:
        """Say where the file went."""
        if self.live:
            self.out.write("\n")
        print(f"{path}: {self.done / 1e6:.2f} MB")


def cmd_results_export(args: argparse.Namespace) -> int:
    """Write a list of a round (CSV, XLSX, or the official PDF winners list) to a file."""
    from contest.results import documents, exports

    kind = args.list.replace("-", "_")
    if args.format == "pdf" and kind != "winners":
        print("contest: PDF is made for the winners list (use report / certificates for the "
              "other documents)")
        return 2
    progress = Progress(f"{args.list}.{args.format}")

    async def go(ctx: Any) -> None:
        codes, actor = await _scope(ctx, args.staff, args.unit)
        with open(args.output, "wb") as f:  # noqa: ASYNC230 - the CLI's own output file
            if args.format == "pdf":
                data = await documents.winners_pdf(ctx, args.round_id, codes, args.unit, actor)
                f.write(data)
                progress.add(len(data))
                return
            exp = await exports.export(ctx, args.round_id, kind, args.format, codes, actor,
                                       unit=args.unit)
            async for chunk in exp.body:
                f.write(chunk)
                progress.add(len(chunk))

    try:
        run(go)
    except ContestError as exc:
        return fail(exc)
    progress.finish(args.output)
    return 0


def cmd_results_notify(args: argparse.Namespace) -> int:
    """Queue the winner notices of a finalised round (each winner once, ever)."""
    from contest.results import winner_notices

    try:
        sent = run(lambda ctx: winner_notices.send(ctx, args.round_id, actor="cli"))
    except ContestError as exc:
        return fail(exc)
    print(f"round {args.round_id}: {sent.queued} winner notices queued, {sent.already} queued "
          f"before (not again), {sent.unreachable} winners without a phone or e-mail")
    return 0


def _document_command(what: str) -> Any:
    def cmd(args: argparse.Namespace) -> int:
        from contest.results import documents

        make = documents.report_pdf if what == "report" else documents.certificates_pdf
        progress = Progress(what)

        async def go(ctx: Any) -> None:
            codes, actor = await _scope(ctx, args.staff, args.unit)
            data = await make(ctx, args.round_id, codes, args.unit, actor)
            with open(args.output, "wb") as f:  # noqa: ASYNC230 - the CLI's own output file
                f.write(data)
            progress.add(len(data))

        try:
            run(go)
        except ContestError as exc:
            return fail(exc)
        progress.finish(args.output)
        return 0

    cmd.__doc__ = f"Write the round's {what} PDF to a file."
    return cmd


def add_commands(sub: Any) -> None:
    """Add the round and draw commands to the `contest` parser."""
    rnd = sub.add_parser("round", help="round results").add_subparsers(dest="r", required=True)
    commit = rnd.add_parser("commit", help="generate the draw seed, print its commitment")
    commit.add_argument("round_id", type=int)
    commit.set_defaults(func=cmd_round_commit)
    fin = rnd.add_parser("finalise", help="finalise a closed round")
    fin.add_argument("round_id", type=int)
    fin.set_defaults(func=cmd_round_finalise)
    qual = rnd.add_parser("qualify", help="draw up a final round's list (best N of each round)")
    qual.add_argument("round_id", type=int)
    qual.set_defaults(func=cmd_round_qualify)
    draw = sub.add_parser("draw", help="the verifiable draw").add_subparsers(dest="d",
                                                                              required=True)
    ver = draw.add_parser("verify", help="re-run the draw from the published files")
    ver.add_argument("files", nargs="+", help="results .json and eligible list .csv")
    ver.set_defaults(func=cmd_draw_verify)
    res = sub.add_parser("results", help="lists and documents of a finalised round").\
        add_subparsers(dest="x", required=True)

    def common(p: Any) -> None:
        p.add_argument("round_id", type=int)
        p.add_argument("--unit", help="only this unit and the units below it")
        p.add_argument("--staff", metavar="USERNAME",
                       help="act as this console account: its unit scope, audited in its name")
        p.add_argument("-o", "--output", required=True, help="the file to write")

    exp = res.add_parser("export", help="a list as CSV, XLSX or PDF (winners)")
    common(exp)
    exp.add_argument("--list", choices=LISTS, default="winners")
    exp.add_argument("--format", choices=("csv", "xlsx", "pdf"), required=True)
    exp.set_defaults(func=cmd_results_export)
    rep = res.add_parser("report", help="the participation report (PDF)")
    common(rep)
    rep.set_defaults(func=_document_command("report"))
    cert = res.add_parser("certificates", help="every participant's certificate in one PDF")
    common(cert)
    cert.set_defaults(func=_document_command("certificates"))
    notify = res.add_parser("notify", help="send each winner a notice through the outbox "
                                           "(once per winner and round)")
    notify.add_argument("round_id", type=int)
    notify.set_defaults(func=cmd_results_notify)
