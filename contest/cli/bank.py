"""The `contest bank` command group: validate, export, template and import."""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path
from typing import TextIO

from contest.banks.gift import to_gift
from contest.banks.io import load_bank
from contest.banks.messages import render
from contest.banks.native import dump_native
from contest.banks.problems import BankInvalid
from contest.banks.xlsx_export import to_xlsx, xlsx_template
from contest.domain.bank import DIFFICULTIES, Bank

_TEXT = {
    "vi": {
        "ok": "{file}: hợp lệ, {count} câu hỏi, {warnings} cảnh báo",
        "failed": "{file}: không hợp lệ, {errors} lỗi, {warnings} cảnh báo; không nhập câu nào",
        "topic": "Chủ đề",
        "easy": "Dễ",
        "medium": "Trung bình",
        "hard": "Khó",
        "total": "Tổng",
        "none": "(không có chủ đề)",
        "progress": "đã đọc {count} câu hỏi...",
        "written": "đã ghi {file}",
        "same_file": "tệp đích trùng tệp nguồn: {file}",
    },
    "en": {
        "ok": "{file}: valid, {count} questions, {warnings} warnings",
        "failed": "{file}: invalid, {errors} errors, {warnings} warnings; nothing imported",
        "topic": "Topic",
        "easy": "Easy",
        "medium": "Medium",
        "hard": "Hard",
        "total": "Total",
        "none": "(no topic)",
        "progress": "read {count} questions...",
        "written": "wrote {file}",
        "same_file": "the output is the input file: {file}",
    },
}
_EXTENSIONS = {"gift": ".gift", "xlsx": ".xlsx", "yaml": ".yaml"}


def env_locale() -> str:
    """ "vi" when LC_ALL, LC_MESSAGES or LANG (the first one set) starts with vi, else "en"."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "vi" if value.lower().startswith("vi") else "en"
    return "en"


def _tr(locale: str, key: str, **params: object) -> str:
    return _TEXT[locale][key].format(**params)


class _Progress:
    """Writes a progress line on stderr each time an importer reports (every 500 questions)."""

    def __init__(self, locale: str, out: TextIO) -> None:
        self.locale, self.out, self.used = locale, out, False

    def __call__(self, count: int) -> None:
        self.used = True
        self.out.write("\r" + _tr(self.locale, "progress", count=count))
        self.out.flush()

    def done(self) -> None:
        if self.used:
            self.out.write("\n")


def _load(path: str, locale: str) -> tuple[Bank | None, list[str], int]:
    """(bank or None, rendered problem lines, error count) for one file."""
    progress = _Progress(locale, sys.stderr)
    try:
        bank, warnings = load_bank(path, progress=progress)
    except BankInvalid as exc:
        progress.done()
        return None, [render(p, locale) for p in exc.problems], len(exc.errors)
    progress.done()
    return bank, [render(p, locale) for p in warnings], 0


def summary_table(bank: Bank, locale: str) -> str:
    """Question counts by topic (rows) and difficulty (columns), with totals."""
    counts = Counter((q.topic, q.difficulty) for q in bank.questions)
    topics = list(dict.fromkeys([*bank.topics, *(q.topic for q in bank.questions)]))
    head = [_tr(locale, "topic"), *(_tr(locale, d) for d in DIFFICULTIES), _tr(locale, "total")]
    rows: list[list[str]] = [head]
    for t in topics:
        cells = [counts[(t, d)] for d in DIFFICULTIES]
        rows.append([t or _tr(locale, "none"), *map(str, cells), str(sum(cells))])
    totals = [sum(counts[(t, d)] for t in topics) for d in DIFFICULTIES]
    rows.append([_tr(locale, "total"), *map(str, totals), str(sum(totals))])
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines: list[str] = []
    for n, r in enumerate(rows):
        padded = [
            r[0].ljust(widths[0]),
            *(c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)),
        ]
        lines.append("  ".join(padded))
        if n == 0 or n == len(rows) - 2:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def cmd_validate(args: argparse.Namespace) -> int:
    """Check bank files; exit 1 listing problems, or 0 with a topic x difficulty summary."""
    locale = env_locale()
    failed = False
    for path in args.paths:
        bank, lines, errors = _load(path, locale)
        for line in lines:
            print(line)
        if bank is None:
            failed = True
            warnings = len(lines) - errors
            print(_tr(locale, "failed", file=path, errors=errors, warnings=warnings))
            continue
        print(_tr(locale, "ok", file=path, count=len(bank.questions), warnings=len(lines)))
        print(summary_table(bank, locale))
    return 1 if failed else 0


def cmd_export(args: argparse.Namespace) -> int:
    """Convert a bank file to GIFT, XLSX or native YAML; exit 1 when the source is invalid."""
    locale = env_locale()
    bank, lines, _ = _load(args.path, locale)
    if bank is None:
        for line in lines:
            print(line, file=sys.stderr)
        return 1
    source = Path(args.path)
    out = (
        Path(args.output)
        if args.output
        else source.with_name(source.name.split(".")[0] + _EXTENSIONS[args.format])
    )
    if out.exists() and out.resolve() == source.resolve():
        print(_tr(locale, "same_file", file=out), file=sys.stderr)
        return 1
    if args.format == "xlsx":
        out.write_bytes(to_xlsx(bank))
    else:
        text = to_gift(bank) if args.format == "gift" else dump_native(bank)
        out.write_text(text, encoding="utf-8")
    print(_tr(locale, "written", file=out))
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    """Write the organisers' XLSX template."""
    Path(args.output).write_bytes(xlsx_template())
    print(_tr(env_locale(), "written", file=args.output))
    return 0


def cmd_bank_import(args: argparse.Namespace) -> int:
    """Validate a bank file of any supported format and store it as a new version."""
    from contest.banks.io import load_bank
    from contest.banks.messages import render
    from contest.banks.problems import BankInvalid
    from contest.cli.runtime import run
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
    version, created = run(lambda ctx: import_bank(
        ctx, bank, actor="cli", source=str(args.path)))
    state = "new version" if created else "unchanged, existing version"
    print(f"{bank.code}: {len(bank.questions)} questions, {state} {version.number}")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    """Add the `bank` command group to sub; returns its subcommands (for `bank import`)."""
    group: argparse.ArgumentParser = sub.add_parser("bank", help="question banks")
    bank = group.add_subparsers(dest="b", required=True)
    v = bank.add_parser("validate", help="check bank files and summarise them")
    v.add_argument("paths", nargs="+", metavar="PATH")
    v.set_defaults(func=cmd_validate)
    e = bank.add_parser("export", help="convert a bank file to GIFT, XLSX or YAML")
    e.add_argument("path", metavar="PATH")
    e.add_argument("--format", required=True, choices=sorted(_EXTENSIONS))
    e.add_argument("-o", "--output", metavar="OUT")
    e.set_defaults(func=cmd_export)
    t = bank.add_parser("template", help="write the XLSX template for organisers")
    t.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
    t.set_defaults(func=cmd_template)
    imp = bank.add_parser("import", help="store a bank file as a new version")
    imp.add_argument("path")
    imp.set_defaults(func=cmd_bank_import)
    return bank


def main(argv: list[str] | None = None) -> int:
    """Run `bank` subcommands on their own (python -m contest.cli.bank validate ...)."""
    p = argparse.ArgumentParser(prog="contest")
    add_commands(p.add_subparsers(dest="command", required=True))
    args = p.parse_args(["bank", *(sys.argv[1:] if argv is None else argv)])
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
