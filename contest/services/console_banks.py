"""Question banks from the console: upload (validated, imported and audited together)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contest.banks.io import detect_format, parse_bytes
from contest.banks.messages import message, where
from contest.banks.problems import BankInvalid, Loc, Problem, error
from contest.domain.bank import Bank
from contest.services.banks import import_bank
from contest.services.context import Services
from contest.storage.tables import BankVersion

MAX_UPLOAD = 10 * 1024 * 1024


@dataclass
class BankUpload:
    """What an upload did: the per-row report, and the import when the file was valid."""

    filename: str
    report: list[dict[str, Any]] = field(default_factory=list)
    imported: tuple[Bank, BankVersion, bool] | None = None


def _report(problems: list[Problem], locale: str) -> list[dict[str, Any]]:
    return [{"where": where(p, locale), "row": p.row or p.line, "column": p.column or "",
             "severity": p.severity, "message": message(p, locale)} for p in problems]


async def upload(ctx: Services, filename: str, data: bytes, locale: str, actor: str,
                 ip: str | None) -> BankUpload:
    """Validate an uploaded bank file and, when it has no errors, store it as a new version
    with its `bank.import` audit event in the same transaction; never raises for bad files."""
    problems: list[Problem] = []
    bank = None
    if len(data) > MAX_UPLOAD:
        problems = [error("file_too_large", Loc(filename), size=len(data), limit=MAX_UPLOAD)]
    else:
        fmt = detect_format(filename)
        try:
            if fmt is None:
                problems = [error("unknown_extension", Loc(filename), name=filename)]
            else:
                bank, problems = parse_bytes(data, filename, fmt)
        except BankInvalid as exc:
            bank, problems = None, exc.problems
    out = BankUpload(filename, _report(problems, locale))
    if bank is None or any(p.is_error for p in problems):
        return out
    version, created = await import_bank(ctx, bank, actor=actor, ip=ip, source=filename)
    out.imported = (bank, version, created)
    return out
