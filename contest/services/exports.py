"""Exports for organisers and unit officers: winners, participation by unit, full results.

Rows are streamed from SQL (PostgreSQL: a server-side cursor) and written out as they come:
CSV straight into the response, XLSX through openpyxl's write-only mode into a temporary file
that is then sent in chunks, so no export is ever built whole in memory. A unit officer's
scope (a set of unit codes) filters every query; every export is recorded in the audit log.
"""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
import os
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, true
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from contest.domain import export_rows as xr
from contest.domain.people import mask_name
from contest.domain.prizes import UnitStats
from contest.errors import ExportUnknown, NotFound, ResultsNotPublished
from contest.services import audit_log
from contest.services.context import Services
from contest.services.crypto import cipher
from contest.storage.db import transaction
from contest.storage.results_tables import FinalRanking, PrizeAward, RoundResult
from contest.storage.tables import Attempt, Contest, Participant, Round, RoundEntry, Unit

Scope = set[str] | None  # unit codes a staff member may see; None: all
STREAM_ROWS = 2000
CHUNK = 64 * 1024
KINDS = ("winners", "winners_internal", "participation", "ranking")
FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _in(column: Any, codes: Scope) -> Any:
    return true() if codes is None else column.in_(sorted(codes))


@dataclass(frozen=True)
class Tree:
    """The unit tree: names and each unit's chain of ancestors (nearest first)."""

    names: dict[str, str]
    levels: dict[str, int]
    chains: dict[str, tuple[str, ...]]

    def at_level(self, code: str, level: int) -> str | None:
        """The unit's ancestor (or itself) at level, if it has one."""
        return next((c for c in self.chains.get(code, ()) if self.levels.get(c) == level), None)


async def load_tree(s: AsyncSession) -> Tree:
    """Read the whole unit tree (thousands of rows at most)."""
    units = (await s.execute(select(col(Unit.code), col(Unit.name), col(Unit.parent_code),
                                    col(Unit.level)))).all()
    parents = {c: p for c, _, p, _ in units}
    chains: dict[str, tuple[str, ...]] = {}
    for code in parents:
        chain: list[str] = []
        cur: str | None = code
        while cur is not None and cur in parents and len(chain) < 64:
            chain.append(cur)
            cur = parents[cur]
        chains[code] = tuple(chain)
    return Tree({c: n for c, n, _, _ in units}, {c: lv for c, _, _, lv in units}, chains)


async def unit_stats(s: AsyncSession, r: Round, level: int, codes: Scope) -> list[UnitStats]:
    """Participation and results of the round per unit at level (rolled up over subtrees)."""
    perfect = case((col(Attempt.score_milli) == col(Attempt.max_score_milli), 1), else_=0)
    rows = (await s.execute(
        sa_select(col(Participant.unit_code), func.count(col(Attempt.id)),
               func.coalesce(func.sum(col(RoundEntry.attempts_submitted)), 0),
               func.coalesce(func.sum(perfect), 0),
               func.coalesce(func.sum(col(Attempt.score_milli)), 0))
        .select_from(RoundEntry)
        .join(Participant, col(Participant.id) == col(RoundEntry.participant_id))
        .join(Attempt, col(Attempt.id) == col(RoundEntry.counted_attempt_id))
        .where(col(RoundEntry.round_id) == r.id, _in(col(Participant.unit_code), codes))
        .group_by(col(Participant.unit_code))
    )).all()
    tree = await load_tree(s)
    heads = dict((await s.execute(select(col(Unit.code), col(Unit.headcount))
                                  .where(col(Unit.level) == level))).all())
    totals: dict[str, list[int]] = {c: [0, 0, 0, 0] for c in heads
                                    if codes is None or c in codes}
    for unit_code, people, tries, perfects, score_sum in rows:
        top = tree.at_level(unit_code, level)
        if top is None or top not in totals:
            continue
        t = totals[top]
        t[0] += int(people)
        t[1] += int(tries)
        t[2] += int(perfects)
        t[3] += int(score_sum)
    return [UnitStats(c, tree.names.get(c, c), heads.get(c), *t)
            for c, t in sorted(totals.items())]


async def _round(s: AsyncSession, round_id: int, finalised: bool) -> Round:
    r = await s.get(Round, round_id)
    if r is None:
        raise NotFound()
    if finalised and await s.get(RoundResult, round_id) is None:
        raise ResultsNotPublished()
    return r


async def participation_rows(ctx: Services, round_id: int, level: int,
                             codes: Scope) -> AsyncIterator[tuple[Any, ...]]:
    """PARTICIPATION rows, one per unit of the level within scope."""
    async with ctx.sm() as s:
        r = await _round(s, round_id, finalised=False)
        stats = await unit_stats(s, r, level, codes)
    for u in stats:
        avg = u.average_score_milli
        yield (u.code, u.name, u.participants, u.attempts, u.perfect,
               None if avg is None else avg / 1000, u.headcount, u.participation_rate)


async def winners_rows(ctx: Services, round_id: int, codes: Scope,
                       internal: bool) -> AsyncIterator[tuple[Any, ...]]:
    """WINNERS_PUBLIC (masked) or WINNERS_INTERNAL rows of a finalised round, by tier."""
    async with ctx.sm() as s:
        r = await _round(s, round_id, finalised=True)
        tree = await load_tree(s)
        contest = await s.get(Contest, r.contest_id)
        groups = {g["code"]: g["name"] for g in (contest.groups if contest else [])}
        q = (select(PrizeAward, Participant, FinalRanking)
             .join(Participant, col(Participant.id) == col(PrizeAward.participant_id))
             .join(FinalRanking, (col(FinalRanking.round_id) == col(PrizeAward.round_id))
                   & (col(FinalRanking.participant_id) == col(PrizeAward.participant_id)))
             .where(col(PrizeAward.round_id) == round_id, col(PrizeAward.kind) == "individual",
                    _in(col(Participant.unit_code), codes))
             .order_by(col(PrizeAward.position)))
        n = 0
        data = cipher(ctx.settings)
        result = await s.stream(q.execution_options(yield_per=STREAM_ROWS))
        async for award, p, fr in result:
            n += 1
            district = tree.at_level(p.unit_code, 2)
            row: tuple[Any, ...] = (
                n, award.tier_name, mask_name(p.full_name), tree.names.get(p.unit_code, ""),
                tree.names.get(district, "") if district else "", groups.get(p.group_code, ""),
                xr.points(fr.score_milli), fr.duration_ms / 1000, fr.position)
            if internal:  # personal data is stored encrypted (issue 6)
                row += (p.full_name, p.birth_date, data.decrypt(p.phone_enc),
                        data.decrypt(p.email_enc), data.decrypt(p.id_number_enc), p.id)
            yield row


async def ranking_rows(ctx: Services, round_id: int,
                       codes: Scope) -> AsyncIterator[tuple[Any, ...]]:
    """RANKING rows: every counted attempt of a finalised round in final order."""
    tz = ctx.settings.tz
    async with ctx.sm() as s:
        r = await _round(s, round_id, finalised=True)
        tree = await load_tree(s)
        contest = await s.get(Contest, r.contest_id)
        groups = {g["code"]: g["name"] for g in (contest.groups if contest else [])}
        q = (sa_select(FinalRanking, col(Participant.full_name), col(Participant.group_code),
                    col(Attempt.max_score_milli), col(Attempt.submitted_at), col(Attempt.number),
                    col(Attempt.auto_submitted), col(PrizeAward.tier_name))
             .join(Participant, col(Participant.id) == col(FinalRanking.participant_id))
             .join(Attempt, col(Attempt.id) == col(FinalRanking.attempt_id))
             .outerjoin(PrizeAward, (col(PrizeAward.round_id) == col(FinalRanking.round_id))
                        & (col(PrizeAward.participant_id) == col(FinalRanking.participant_id)))
             .where(col(FinalRanking.round_id) == round_id, _in(col(FinalRanking.unit_code), codes))
             .order_by(col(FinalRanking.position)))
        result = await s.stream(q.execution_options(yield_per=STREAM_ROWS))
        async for f, name, group, max_score, submitted, number, auto, tier in result:
            yield (f.position, f.chain_rank, f.participant_id, name,
                   tree.names.get(f.unit_code, f.unit_code), groups.get(group, group),
                   xr.points(f.score_milli), xr.points(max_score), f.duration_ms / 1000,
                   f.prediction, f.distance, xr.local(submitted, tz), number, auto, f.tied,
                   xr.EXCLUSION_TEXT.get(f.exclusion or "", f.exclusion), tier)


async def eligible_rows(ctx: Services, round_id: int) -> AsyncIterator[tuple[Any, ...]]:
    """ELIGIBLE rows: the public list the draw ran on, in final order (public, no names)."""
    async with ctx.sm() as s:
        await _round(s, round_id, finalised=True)
        q = (sa_select(col(FinalRanking.participant_id), col(FinalRanking.split_key),
                    col(FinalRanking.score_milli), col(FinalRanking.prediction),
                    col(FinalRanking.duration_ms), col(FinalRanking.submitted_ms),
                    col(FinalRanking.position), col(FinalRanking.draw_key))
             .where(col(FinalRanking.round_id) == round_id, col(FinalRanking.exclusion).is_(None))
             .order_by(col(FinalRanking.position)))
        result = await s.stream(q.execution_options(yield_per=STREAM_ROWS))
        async for row in result:
            yield tuple(row)


async def csv_bytes(columns: Sequence[xr.Column],
                    rows: AsyncIterator[tuple[Any, ...]]) -> AsyncIterator[bytes]:
    """CSV in UTF-8 with a BOM (so Excel reads the diacritics), a few hundred rows a chunk."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    yield codecs.BOM_UTF8 + buf.getvalue().encode("utf-8")
    buf.seek(0)
    buf.truncate()
    n = 0
    async for row in rows:
        writer.writerow(xr.csv_row(row, columns))
        n += 1
        if n % 500 == 0:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    if buf.tell():
        yield buf.getvalue().encode("utf-8")


async def xlsx_bytes(columns: Sequence[xr.Column], rows: AsyncIterator[tuple[Any, ...]],
                     title: str) -> AsyncIterator[bytes]:
    """XLSX with typed cells, a bold frozen header and column widths (write-only mode)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.freeze_panes = "A2"
    for i, c in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
    bold = Font(bold=True)
    header = []
    for c in columns:
        cell = WriteOnlyCell(ws, value=c.header)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    formats = [xr.NUMBER_FORMATS.get(c.kind) for c in columns]
    n = 0
    async for row in rows:
        out: list[Any] = []
        for v, c, fmt in zip(row, columns, formats, strict=True):
            value = xr.xlsx_cell(v, c.kind)
            if isinstance(value, str):
                # openpyxl stores a string starting with "=" as a formula: force the text type
                cell = WriteOnlyCell(ws, value=value)
                cell.data_type = "s"
                out.append(cell)
            elif fmt is not None and value is not None:
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = fmt
                out.append(cell)
            else:
                out.append(value)
        ws.append(out)
        n += 1
        if n % 2000 == 0:
            await asyncio.sleep(0)  # let other requests run during a long export
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        await asyncio.to_thread(wb.save, path)
        with open(path, "rb") as f:  # noqa: ASYNC230 - local temp file, read in chunks
            while chunk := f.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


@dataclass(frozen=True)
class Export:
    """A ready-to-stream export: file name, media type and the body's chunks."""

    filename: str
    media_type: str
    body: AsyncIterator[bytes]


async def export(ctx: Services, round_id: int, kind: str, fmt: str, codes: Scope,
                 actor: str, ip: str | None = None, level: int = 2) -> Export:
    """An export of a round within a unit scope, recorded in the audit log first.

    Raises ExportUnknown (kind or format), NotFound (round), ResultsNotPublished (winners and
    ranking before finalisation).
    """
    if kind not in KINDS or fmt not in FORMATS:
        raise ExportUnknown()
    async with transaction(ctx.sm) as s:
        await _round(s, round_id, finalised=kind != "participation")
        audit_log.record(s, ctx.now(), actor, "export", f"round:{round_id}", ip=ip, kind=kind,
                         format=fmt, level=level,
                         units=None if codes is None else sorted(codes)[:50],
                         scoped=codes is not None)
    columns: tuple[xr.Column, ...]
    rows: AsyncIterator[tuple[Any, ...]]
    if kind == "participation":
        columns, rows = xr.PARTICIPATION, participation_rows(ctx, round_id, level, codes)
    elif kind == "ranking":
        columns, rows = xr.RANKING, ranking_rows(ctx, round_id, codes)
    else:
        internal = kind == "winners_internal"
        columns = xr.WINNERS_INTERNAL if internal else xr.WINNERS_PUBLIC
        rows = winners_rows(ctx, round_id, codes, internal)
    name = f"dot-{round_id}-{kind.replace('_', '-')}"
    body = csv_bytes(columns, rows) if fmt == "csv" else xlsx_bytes(columns, rows, kind)
    return Export(f"{name}.{fmt}", FORMATS[fmt], body)
