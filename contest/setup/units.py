"""Loading the administrative-unit tree."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select

from contest.core.context import Services
from contest.storage.db import transaction
from contest.storage.tables import Unit


class UnitFileError(ValueError):
    """A unit file row is malformed; the message names the row."""


@dataclass(frozen=True)
class UnitRow:
    """One row of a unit file."""

    code: str
    name: str
    parent_code: str | None
    level: int
    headcount: int | None = None


def parse_units(text: str, source: str = "units.csv") -> list[UnitRow]:
    """Parse a unit CSV (code, name, parent_code, level[, headcount]); raises UnitFileError."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"code", "name", "parent_code", "level"} - set(reader.fieldnames or [])
    if missing:
        raise UnitFileError(f"{source}: missing columns {', '.join(sorted(missing))}")
    rows: list[UnitRow] = []
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        code, name = (raw.get("code") or "").strip(), (raw.get("name") or "").strip()
        if not code or not name:
            raise UnitFileError(f"{source}, row {line}: code and name are required")
        if code in seen:
            raise UnitFileError(f"{source}, row {line}: duplicate code {code}")
        try:
            level = int(raw.get("level") or "")
            head = raw.get("headcount")
            headcount = int(head) if head not in (None, "") else None
        except ValueError as exc:
            raise UnitFileError(f"{source}, row {line}: level and headcount are numbers") from exc
        parent = (raw.get("parent_code") or "").strip() or None
        if parent is not None and parent not in seen:
            raise UnitFileError(f"{source}, row {line}: parent {parent} must come before {code}")
        seen.add(code)
        rows.append(UnitRow(code, name, parent, level, headcount))
    return rows


async def load_units(ctx: Services, rows: list[UnitRow], actor: str | None = None,
                     ip: str | None = None, source: str = "") -> int:
    """Insert or update units by code (audited with an actor, in the same transaction);
    returns how many rows were written."""
    async with transaction(ctx.sm) as s:
        if actor is not None:
            from contest.core import audit_log

            audit_log.record(s, ctx.now(), actor, "units.load", source, ip=ip, rows=len(rows))
        existing = {u.code: u for u in (await s.scalars(select(Unit))).all()}
        for row in rows:
            unit = existing.get(row.code) or Unit(code=row.code, name=row.name)
            unit.name, unit.parent_code, unit.level = row.name, row.parent_code, row.level
            unit.headcount = row.headcount
            s.add(unit)
    ctx.unit_chains = {}
    return len(rows)
