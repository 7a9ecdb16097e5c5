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
import json
import os
import re
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from contest.core import audit_log
from contest.core.context import Services
from contest.core.scope import in_scope
from contest.domain import documents as docs
from contest.domain import export_rows as xr
from contest.errors import ExportUnknown
from contest.results.result_rows import (
    STREAM_ROWS,
    Scope,
    load_tree,
    participation_rows,
    result_round,
    winners_rows,
)
from contest.storage import bulk
from contest.storage.db import transaction
from contest.storage.results_tables import FinalRanking, PrizeAward
from contest.storage.tables import Attempt, Contest, Participant, Round

CHUNK = 64 * 1024
KINDS = ("winners", "winners_internal", "participation", "ranking")
FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def is_postgres(ctx: Services) -> bool:
    """True when the services run on PostgreSQL (COPY is available)."""
    return ctx.sm.kw["bind"].dialect.name == "postgresql"  # type: ignore[no-any-return]


def _ranking_query(round_id: int, codes: Scope) -> Select[*tuple[Any, ...]]:
    """RANKING's columns in SQL, in final order (what both writers read)."""
    f = FinalRanking
    return (sa_select(col(f.position), col(f.chain_rank), col(f.participant_id),
                      col(Participant.full_name), col(f.unit_code), col(Participant.group_code),
                      col(f.score_milli), col(Attempt.max_score_milli), col(f.duration_ms),
                      col(f.prediction), col(f.distance), col(Attempt.submitted_at),
                      col(Attempt.number), col(Attempt.auto_submitted), col(f.tied),
                      col(f.exclusion), col(PrizeAward.tier_name))
            .join(Participant, col(Participant.id) == col(f.participant_id))
            .join(Attempt, col(Attempt.id) == col(f.attempt_id))
            .outerjoin(PrizeAward, (col(PrizeAward.round_id) == col(f.round_id))
                       & (col(PrizeAward.participant_id) == col(f.participant_id)))
            .where(col(f.round_id) == round_id, in_scope(col(f.unit_code), codes))
            .order_by(col(f.position)))


async def ranking_rows(ctx: Services, round_id: int,
                       codes: Scope) -> AsyncIterator[tuple[Any, ...]]:
    """RANKING rows: every counted attempt of a finalised round in final order."""
    tz = ctx.settings.tz
    async with ctx.sm() as s:
        r = await result_round(s, round_id, finalised=True)
        tree = await load_tree(s)
        contest = await s.get(Contest, r.contest_id)
        groups = {g["code"]: g["name"] for g in (contest.groups if contest else [])}
        result = await s.stream(_ranking_query(round_id, codes)
                                .execution_options(yield_per=STREAM_ROWS))
        async for (position, chain_rank, pid, name, unit, group, score, max_score, duration,
                   prediction, distance, submitted, number, auto, tied, exclusion,
                   tier) in result:
            yield (position, chain_rank, pid, name, tree.names.get(unit, unit),
                   groups.get(group, group), xr.points(score), xr.points(max_score),
                   duration / 1000, prediction, distance, xr.local(submitted, tz), number, auto,
                   tied, xr.EXCLUSION_TEXT.get(exclusion or "", exclusion), tier)


def _decimal_sql(milli: str) -> str:
    """PostgreSQL text of thousandths as csv_cell writes a decimal ('9.5', '10', '0.125')."""
    return f"rtrim(rtrim(CAST(round(CAST({milli} AS numeric) / 1000, 3) AS text), '0'), '.')"


def _bool_sql(value: str) -> str:
    return f"CASE WHEN {value} THEN 'có' ELSE 'không' END"


# RANKING as csv_bytes writes it, computed by PostgreSQL (cells formatted as csv_cell does;
# empty text as NULL, since COPY quotes an empty string but csv.writer does not).
RANKING_COPY = f"""
SELECT f.position, f.chain_rank, f.participant_id, NULLIF(p.full_name, ''),
    NULLIF(COALESCE(u.name, f.unit_code), ''), NULLIF(COALESCE(g.value, p.group_code), ''),
    {_decimal_sql("f.score_milli")}, {_decimal_sql("a.max_score_milli")},
    {_decimal_sql("f.duration_ms")}, f.prediction, f.distance,
    to_char(a.submitted_at AT TIME ZONE $3, 'DD/MM/YYYY HH24:MI:SS'), a.number,
    {_bool_sql("a.auto_submitted")}, {_bool_sql("f.tied")},
    NULLIF(COALESCE(x.value, f.exclusion), ''), NULLIF(w.tier_name, '')
FROM final_rankings f
JOIN participants p ON p.id = f.participant_id
JOIN attempts a ON a.id = f.attempt_id
LEFT JOIN prize_awards w ON w.round_id = f.round_id AND w.participant_id = f.participant_id
LEFT JOIN units u ON u.code = f.unit_code
LEFT JOIN jsonb_each_text(CAST($4 AS jsonb)) g ON g.key = p.group_code
LEFT JOIN jsonb_each_text(CAST($5 AS jsonb)) x ON x.key = f.exclusion
WHERE f.round_id = $1 AND ($2::text[] IS NULL OR f.unit_code = ANY($2::text[]))
ORDER BY f.position
"""


async def ranking_csv_copy(ctx: Services, round_id: int, codes: Scope) -> AsyncIterator[bytes]:
    """RANKING as CSV straight from PostgreSQL's COPY (the same bytes as csv_bytes writes).

    CRLF line ends as csv.writer's; names and unit names hold no line breaks (they are
    cleaned on input), so every LF COPY writes ends a row.
    """
    async with ctx.sm() as s:
        r = await result_round(s, round_id, finalised=True)
        contest = await s.get(Contest, r.contest_id)
        groups = {g["code"]: g["name"] for g in (contest.groups if contest else [])}
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerow([c.header for c in xr.RANKING])
        yield codecs.BOM_UTF8 + buf.getvalue().encode("utf-8")
        async for chunk in bulk.copy_out(
                s, RANKING_COPY, round_id, None if codes is None else sorted(codes),
                ctx.settings.timezone, json.dumps(groups), json.dumps(xr.EXCLUSION_TEXT)):
            yield bytes(chunk).replace(b"\n", b"\r\n")


async def eligible_rows(ctx: Services, round_id: int) -> AsyncIterator[tuple[Any, ...]]:
    """ELIGIBLE rows: the public list the draw ran on, in final order (public, no names)."""
    async with ctx.sm() as s:
        await result_round(s, round_id, finalised=True)
        q = (sa_select(col(FinalRanking.participant_id), col(FinalRanking.split_key),
                    col(FinalRanking.score_milli), col(FinalRanking.prediction),
                    col(FinalRanking.duration_ms), col(FinalRanking.submitted_ms),
                    col(FinalRanking.position), col(FinalRanking.draw_key))
             .where(col(FinalRanking.round_id) == round_id, col(FinalRanking.exclusion).is_(None))
             .order_by(col(FinalRanking.position)))
        result = await s.stream(q.execution_options(yield_per=STREAM_ROWS))
        async for row in result:
            yield tuple(row)


ELIGIBLE_COPY = """
SELECT participant_id, NULLIF(split_key, ''), score_milli, prediction, duration_ms,
    submitted_ms, position, draw_key
FROM final_rankings WHERE round_id = $1 AND exclusion IS NULL ORDER BY position
"""


async def eligible_csv(ctx: Services, round_id: int) -> AsyncIterator[bytes]:
    """The ELIGIBLE list as CSV (PostgreSQL: straight from COPY, the same bytes)."""
    if not is_postgres(ctx):
        async for chunk in csv_bytes(xr.ELIGIBLE, eligible_rows(ctx, round_id)):
            yield chunk
        return
    async with ctx.sm() as s:
        await result_round(s, round_id, finalised=True)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerow([c.header for c in xr.ELIGIBLE])
        yield codecs.BOM_UTF8 + buf.getvalue().encode("utf-8")
        async for chunk in bulk.copy_out(s, ELIGIBLE_COPY, round_id):
            yield bytes(chunk).replace(b"\n", b"\r\n")


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


@dataclass(frozen=True)
class Letterhead:
    """What an official list shows around its table: issuer, titles, place, date, signer."""

    issuer: docs.Issuer
    title: str
    lines: tuple[str, ...]
    day: date


TITLES = {"winners": "DANH SÁCH NGƯỜI ĐOẠT GIẢI",
          "winners_internal": "DANH SÁCH NGƯỜI ĐOẠT GIẢI (NỘI BỘ)",
          "participation": "BÁO CÁO KẾT QUẢ THAM GIA"}


async def letterhead(ctx: Services, s: AsyncSession, r: Round, contest: Contest | None,
                     kind: str, unit: str | None) -> Letterhead:
    """The letterhead of a list of the round for a unit (or the whole contest)."""
    tree = await load_tree(s)
    chain = tree.chains.get(unit, (unit,)) if unit else ()
    issuer = docs.issuer(contest.documents if contest else None, chain)
    lines = [f"{contest.title if contest else ''} - {r.title}".strip(" -")]
    if unit:
        lines.append(f"Đơn vị: {tree.names.get(unit, unit)}")
    return Letterhead(issuer, TITLES.get(kind, kind.upper()), tuple(lines),
                      ctx.now().astimezone(ctx.settings.tz).date())


async def xlsx_bytes(columns: Sequence[xr.Column], rows: AsyncIterator[tuple[Any, ...]],
                     title: str, head: Letterhead | None = None) -> AsyncIterator[bytes]:
    """XLSX with typed cells, a bold frozen header and column widths (write-only mode);
    with a letterhead, the issuer and national heading above the table, the title, and the
    place, date and signature block below it."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    bold = Font(bold=True)
    right = max(3, len(columns) // 2 + 1)  # where the national heading and signer sit

    def line(left: str = "", at_right: str = "", font: Font | None = None,
             right_font: Font | None = None) -> list[Any]:
        out: list[Any] = [None] * max(right, 1)
        for i, text, f in ((0, left, font), (right - 1, at_right, right_font)):
            if text:
                cell = WriteOnlyCell(ws, value=text)
                if f is not None:
                    cell.font = f
                cell.alignment = Alignment(horizontal="left")
                out[i] = cell
        return out

    head_rows: list[list[Any]] = []
    if head is not None:
        i = head.issuer
        head_rows += [line(i.parent_body or i.organiser, docs.NATION, bold, bold),
                      line(i.organiser if i.parent_body else "", docs.MOTTO, bold,
                           Font(bold=True, italic=True)), [],
                      line(head.title, font=Font(bold=True, size=14)),
                      *(line(t, font=Font(italic=True)) for t in head.lines), []]
    ws.freeze_panes = f"A{len(head_rows) + 2}"
    for n, c in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(n)].width = c.width
    for line_cells in head_rows:
        ws.append(line_cells)
    header = []
    for c in columns:
        cell = WriteOnlyCell(ws, value=c.header)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center")
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
    if head is not None:
        i = head.issuer
        for line_cells in ([], line(at_right=docs.place_and_date(i.place, head.day),
                             right_font=Font(italic=True)),
                    line(at_right=i.signer_title, right_font=bold),
                    line(at_right="(Ký, ghi rõ họ tên, đóng dấu)", right_font=Font(italic=True)),
                    [], [], [], line(at_right=i.signer_name, right_font=bold)):
            ws.append(line_cells)
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


def file_name(contest_slug: str, round_id: int, kind: str, unit: str | None, day: date,
              fmt: str) -> str:
    """An export's file name: contest, round, list, unit (or 'tat-ca') and date, ASCII."""
    label = re.sub(r"[^a-z0-9]+", "-", (unit or "tat-ca").lower()).strip("-") or "don-vi"
    slug = re.sub(r"[^a-z0-9]+", "-", contest_slug.lower()).strip("-")
    return f"{slug}-dot-{round_id}-{kind.replace('_', '-')}-{label}-{day:%Y%m%d}.{fmt}"


async def export(ctx: Services, round_id: int, kind: str, fmt: str, codes: Scope,
                 actor: str, ip: str | None = None, level: int = 2,
                 unit: str | None = None) -> Export:
    """An export of a round within a unit scope, recorded in the audit log first.

    Raises ExportUnknown (kind or format), NotFound (round), ResultsNotPublished (winners and
    ranking before finalisation).
    """
    if kind not in KINDS or fmt not in FORMATS:
        raise ExportUnknown()
    async with transaction(ctx.sm) as s:
        r = await result_round(s, round_id, finalised=kind != "participation")
        contest = await s.get(Contest, r.contest_id)
        head = await letterhead(ctx, s, r, contest, kind, unit) if kind in TITLES else None
        audit_log.record(s, ctx.now(), actor, "export", f"round:{round_id}", ip=ip, kind=kind,
                         format=fmt, level=level,
                         units=None if codes is None else sorted(codes)[:50],
                         scoped=codes is not None)
    name = file_name(contest.slug if contest else "cuoc-thi", round_id, kind, unit,
                     ctx.now().astimezone(ctx.settings.tz).date(), fmt)
    columns: tuple[xr.Column, ...]
    rows: AsyncIterator[tuple[Any, ...]]
    if kind == "participation":
        columns, rows = xr.PARTICIPATION, participation_rows(ctx, round_id, level, codes)
    elif kind == "ranking":
        columns, rows = xr.RANKING, ranking_rows(ctx, round_id, codes)
        if fmt == "csv" and is_postgres(ctx):
            return Export(name, FORMATS[fmt], ranking_csv_copy(ctx, round_id, codes))
    else:
        internal = kind == "winners_internal"
        columns = xr.WINNERS_INTERNAL if internal else xr.WINNERS_PUBLIC
        rows = winners_rows(ctx, round_id, codes, internal)
    body = csv_bytes(columns, rows) if fmt == "csv" else xlsx_bytes(columns, rows, kind, head)
    return Export(name, FORMATS[fmt], body)
