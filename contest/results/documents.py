"""Official printable documents (PDF): the winners list, the participation report, certificates.

Each follows the layout of a Vietnamese administrative document: the issuing body on the left
and the national heading on the right, a title, the table, then the place and date and the
signature block (contest.domain.documents says who issues and signs, per unit). Pages are
numbered; a QR code links to the public results page where anyone can verify the draw. The
font (DejaVu Serif, shipped in contest/data/fonts with its licence) covers Vietnamese.

The rows are read from SQL first (a winners list is hundreds of lines, a report dozens), then
the PDF is laid out in a worker thread so that a long document does not stall the server.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from contest.core import audit_log
from contest.core.context import Services
from contest.core.scope import in_scope
from contest.domain import documents as docs
from contest.domain.vocabulary import PrizeKind, RoundKind
from contest.errors import NotFound, ResultsNotPublished
from contest.results.exports import file_name
from contest.results.pdf_layout import (
    Col,
    OfficialPdf,
    date_text,
    duration_text,
    heading,
    score_text,
    signature,
    table,
    title_block,
)
from contest.results.result_rows import Scope, Tree, individual_prizes, load_tree, official_rank
from contest.storage.db import transaction
from contest.storage.results_tables import FinalRanking, PrizeAward, RoundResult
from contest.storage.tables import Attempt, Contest, Participant, Round, RoundEntry, Unit

MEDIA_TYPE = "application/pdf"


@dataclass
class Document:
    """What every document of a round needs: the round, contest, issuer, unit, day, link."""

    round: Round
    contest: Contest
    issuer: docs.Issuer
    unit_name: str | None
    day: date
    verify_url: str
    tree: Tree
    groups: dict[str, str] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The subtitle: contest and round, and the unit when the list is a unit's."""
        out = [f"{self.contest.title} - {self.round.title}"]
        if self.unit_name:
            out.append(f"Đơn vị: {self.unit_name}")
        return out


async def _document(ctx: Services, round_id: int, unit: str | None, base_url: str,
                    finalised: bool, actor: str, what: str, codes: Scope) -> Document:
    """Load the round's context and record the download in the audit log.

    Raises NotFound (round), ResultsNotPublished (a results document before finalisation).
    """
    async with transaction(ctx.sm) as s:
        r = await s.get(Round, round_id)
        if r is None or r.kind != RoundKind.RANKED:
            raise NotFound()
        if finalised and await s.get(RoundResult, round_id) is None:
            raise ResultsNotPublished()
        contest = await s.get(Contest, r.contest_id)
        assert contest is not None
        tree = await load_tree(s)
        audit_log.record(s, ctx.now(), actor, "export", f"round:{round_id}", kind=what,
                         format="pdf", units=None if codes is None else sorted(codes)[:50],
                         scoped=codes is not None)
    chain = tree.chains.get(unit, (unit,)) if unit else ()
    base = (ctx.settings.public_url or base_url or "http://localhost:8000").rstrip("/")
    return Document(r, contest, docs.issuer(contest.documents, chain),
                    tree.names.get(unit, unit) if unit else None,
                    ctx.now().astimezone(ctx.settings.tz).date(), f"{base}/results/{round_id}",
                    tree, {g["code"]: g["name"] for g in contest.groups})


# ---- the winners list -------------------------------------------------------------------

WINNER_COLS = (Col("Hạng", 7, "C"), Col("Họ và tên", 26), Col("Ngày sinh", 13, "C"),
               Col("Đơn vị", 40), Col("Điểm", 9, "C"), Col("Thời gian", 13, "C"),
               Col("Dự đoán", 11, "C"), Col("Giải", 20))


async def winner_lines(ctx: Services, round_id: int, codes: Scope,
                       tree: Tree) -> list[list[str]]:
    """The winners list's rows in official order: individual prizes, then collective ones."""
    async with ctx.sm() as s:
        rows = (await s.execute(individual_prizes(
            round_id, codes, col(PrizeAward.tier_name), col(Participant.full_name),
            col(Participant.birth_date), col(Participant.unit_code),
            col(FinalRanking.score_milli), col(FinalRanking.duration_ms),
            col(FinalRanking.prediction), official_rank()))).all()
        units = (await s.execute(
            select(col(PrizeAward.position), col(PrizeAward.unit_code),
                   col(PrizeAward.tier_name))
            .where(col(PrizeAward.round_id) == round_id,
                   col(PrizeAward.kind) == PrizeKind.COLLECTIVE,
                   in_scope(col(PrizeAward.unit_code), codes))
            .order_by(col(PrizeAward.position)))).all()
    out = [[str(rank), name, date_text(born), tree.names.get(unit, unit), score_text(score),
            duration_text(dur), "" if pred is None else str(pred), tier]
           for tier, name, born, unit, score, dur, pred, rank in rows]
    out += [[str(pos), "", "", tree.names.get(code or "", code or ""), "", "", "", tier]
            for pos, code, tier in units]
    return out


def render_winners(d: Document, rows: Sequence[Sequence[str]]) -> bytes:
    """The winners list as PDF bytes."""
    pdf = OfficialPdf(landscape=True)
    pdf.add_page()
    heading(pdf, d.issuer)
    title_block(pdf, "DANH SÁCH NGƯỜI ĐOẠT GIẢI", d.lines())
    if rows:
        table(pdf, WINNER_COLS, rows)
    else:
        pdf.cell(0, 8, "Không có người đoạt giải trong phạm vi này.", align="C",
                 new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("serif", "I", 9)
    pdf.ln(2)
    pdf.multi_cell(0, 5, "Hạng: thứ hạng chính thức trong số người đủ điều kiện xét giải, theo "
                   "thứ tự tiêu chí của thể lệ; thời gian tính đến phần nghìn giây.",
                   new_x="LMARGIN", new_y="NEXT")
    signature(pdf, d.issuer, d.day, d.verify_url)
    return bytes(pdf.output())


async def winners_pdf(ctx: Services, round_id: int, codes: Scope, unit: str | None,
                      actor: str, base_url: str = "") -> bytes:
    """The official winners list of a round within a unit scope, as PDF.

    Raises NotFound, ResultsNotPublished.
    """
    d = await _document(ctx, round_id, unit, base_url, True, actor, "winners_pdf", codes)
    rows = await winner_lines(ctx, round_id, codes, d.tree)
    return await asyncio.to_thread(render_winners, d, rows)


# ---- the participation report -----------------------------------------------------------


@dataclass
class Tally:
    """Entrants and submitted attempts of a unit or group."""

    entrants: int = 0
    attempts: int = 0


async def participation_tallies(ctx: Services, round_id: int, codes: Scope, tree: Tree,
                                unit: str | None) -> tuple[Tally, dict[str, Tally],
                                                           dict[str, Tally], dict[str, int]]:
    """(whole scope, by sub-unit, by group, started attempts by sub-unit) of a round."""
    async with ctx.sm() as s:
        rows = (await s.execute(
            sa_select(col(Participant.unit_code), col(Participant.group_code),
                      func.count(), func.coalesce(func.sum(col(RoundEntry.attempts_submitted)),
                                                  0))
            .select_from(RoundEntry)
            .join(Participant, col(Participant.id) == col(RoundEntry.participant_id))
            .where(col(RoundEntry.round_id) == round_id,
                   col(RoundEntry.counted_attempt_id).is_not(None),
                   in_scope(col(Participant.unit_code), codes))
            .group_by(col(Participant.unit_code), col(Participant.group_code)))).all()
        started = (await s.execute(
            sa_select(col(Participant.unit_code), func.count())
            .select_from(Attempt)
            .join(Participant, col(Participant.id) == col(Attempt.participant_id))
            .where(col(Attempt.round_id) == round_id, in_scope(col(Participant.unit_code), codes))
            .group_by(col(Participant.unit_code)))).all()
        children = (await s.scalars(select(col(Unit.code)).where(
            col(Unit.parent_code) == unit) if unit else select(col(Unit.code)).where(
            col(Unit.level) == 2))).all()
    kids = set(children)

    def sub_unit(code: str) -> str:
        chain = tree.chains.get(code, (code,))
        return next((c for c in chain if c in kids), unit or code)

    whole = Tally()
    by_unit: defaultdict[str, Tally] = defaultdict(Tally)
    by_group: defaultdict[str, Tally] = defaultdict(Tally)
    for code, group, n, tries in rows:
        for t in (whole, by_unit[sub_unit(code)], by_group[group]):
            t.entrants += int(n)
            t.attempts += int(tries)
    starts: dict[str, int] = defaultdict(int)
    for code, n in started:
        starts[sub_unit(code)] += int(n)
    for k in kids:
        by_unit.setdefault(k, Tally())
    return whole, dict(by_unit), dict(by_group), dict(starts)


def _rate(part: int, whole: int | None) -> str:
    return f"{100 * part / whole:.1f}%".replace(".", ",") if whole else ""


def render_report(d: Document, whole: Tally, by_unit: dict[str, Tally],
                  by_group: dict[str, Tally], starts: dict[str, int],
                  targets: dict[str, int | None]) -> bytes:
    """The participation report as PDF bytes."""
    pdf = OfficialPdf(landscape=False)
    pdf.add_page()
    heading(pdf, d.issuer)
    title_block(pdf, "BÁO CÁO KẾT QUẢ THAM GIA", d.lines())
    pdf.set_font("serif", "", 11)
    target = d.issuer.target
    summary = (f"Số người dự thi: {whole.entrants:,}".replace(",", ".")
               + f"; số lượt thi đã nộp: {whole.attempts:,}".replace(",", ".")
               + (f"; chỉ tiêu: {target:,}".replace(",", ".")
                  + f" người, đạt {_rate(whole.entrants, target)}" if target else "") + ".")
    pdf.multi_cell(0, 6, summary, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("serif", "B", 11)
    pdf.cell(0, 7, "1. Theo đơn vị", new_x="LMARGIN", new_y="NEXT")
    unit_rows = []
    own = d.round and d.unit_name  # people registered directly in the report's unit
    for code, t in sorted(by_unit.items(), key=lambda kv: d.tree.names.get(kv[0], kv[0])):
        direct = bool(own) and d.tree.names.get(code, code) == d.unit_name
        goal = None if direct else targets.get(code)
        name = d.tree.names.get(code, code)
        unit_rows.append([f"Trực thuộc {name}" if direct else name, str(t.entrants),
                          str(t.attempts),
                          _rate(t.attempts, starts.get(code)),
                          "" if goal is None else str(goal), _rate(t.entrants, goal)])
    table(pdf, (Col("Đơn vị", 40), Col("Dự thi", 12, "R"), Col("Nộp bài", 12, "R"),
                Col("Hoàn thành", 15, "R"), Col("Chỉ tiêu", 12, "R"),
                Col("Đạt", 11, "R")), unit_rows)
    pdf.ln(4)
    pdf.set_font("serif", "B", 11)
    pdf.cell(0, 7, "2. Theo đối tượng", new_x="LMARGIN", new_y="NEXT")
    table(pdf, (Col("Đối tượng", 50), Col("Dự thi", 20, "R"),
                Col("Nộp bài", 20, "R"), Col("Tỷ lệ", 16, "R")),
          [[d.groups.get(g, g), str(t.entrants), str(t.attempts),
            _rate(t.entrants, whole.entrants)] for g, t in sorted(by_group.items())])
    pdf.set_font("serif", "I", 9)
    pdf.ln(2)
    pdf.multi_cell(0, 5, "Dự thi: số người có bài được tính; nộp bài: số lượt đã nộp; hoàn "
                   "thành: số lượt nộp bài trên số lượt bắt đầu làm bài; chỉ tiêu: theo tệp "
                   "cuộc thi, nếu không có thì số người của đơn vị (nếu biết); đạt: số người "
                   "dự thi trên chỉ tiêu.", new_x="LMARGIN", new_y="NEXT")
    signature(pdf, d.issuer, d.day, None)
    return bytes(pdf.output())


async def report_pdf(ctx: Services, round_id: int, codes: Scope, unit: str | None,
                     actor: str, base_url: str = "") -> bytes:
    """The participation report of a round for a unit (or the whole contest), as PDF.

    Raises NotFound.
    """
    d = await _document(ctx, round_id, unit, base_url, False, actor, "report_pdf", codes)
    whole, by_unit, by_group, starts = await participation_tallies(ctx, round_id, codes,
                                                                   d.tree, unit)
    async with ctx.sm() as s:
        heads = dict((await s.execute(select(col(Unit.code), col(Unit.headcount)))).all())
    units_cfg = (d.contest.documents or {}).get("units") or {}
    targets = {code: (units_cfg.get(code) or {}).get("target") or heads.get(code)
               for code in by_unit}
    return await asyncio.to_thread(render_report, d, whole, by_unit, by_group, starts, targets)


# ---- certificates -----------------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    """Who a certificate names."""

    participant_id: str
    full_name: str
    birth_date: date | None
    unit_name: str
    tier_name: str | None
    score_milli: int | None


def render_certificates(d: Document, holders: Sequence[Holder]) -> bytes:
    """One A4 landscape certificate per holder, as one PDF."""
    pdf = OfficialPdf(landscape=True)
    pdf.numbered = False
    pdf.set_auto_page_break(False)
    for h in holders:
        pdf.add_page()
        pdf.set_draw_color(150, 20, 20)
        pdf.set_line_width(1.2)
        pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)
        pdf.set_line_width(0.3)
        pdf.rect(11, 11, pdf.w - 22, pdf.h - 22)
        pdf.set_draw_color(0, 0, 0)
        pdf.set_y(18)
        heading(pdf, d.issuer)
        pdf.set_y(48)
        pdf.set_text_color(150, 20, 20)
        pdf.set_font("serif", "B", 26)
        pdf.cell(0, 14, "GIẤY CHỨNG NHẬN", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("serif", "", 13)
        pdf.cell(0, 9, "Chứng nhận", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("serif", "B", 20)
        pdf.cell(0, 12, h.full_name, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("serif", "", 12)
        if h.birth_date:
            pdf.cell(0, 7, f"Ngày sinh: {date_text(h.birth_date)}", align="C",
                     new_x="LMARGIN", new_y="NEXT")
        if h.unit_name:
            pdf.cell(0, 7, f"Đơn vị: {h.unit_name}", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        what = (f"Đã đạt {h.tier_name}" if h.tier_name else "Đã tham gia")
        pdf.set_font("serif", "B" if h.tier_name else "", 14)
        pdf.multi_cell(0, 8, f"{what} {d.contest.title}, {d.round.title}"
                       + (f" với {score_text(h.score_milli)} điểm" if h.tier_name and
                          h.score_milli is not None else "") + ".",
                       align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(pdf.h - 80)
        signature(pdf, d.issuer, d.day, f"{d.verify_url}#{h.participant_id}"
                  if h.tier_name else None)
    return bytes(pdf.output())


async def holders(ctx: Services, round_id: int, codes: Scope, tree: Tree,
                  participant_id: str | None = None) -> list[Holder]:
    """Everyone with a counted attempt in the round (winners first, in final order)."""
    async with ctx.sm() as s:
        q = (sa_select(col(FinalRanking.participant_id), col(Participant.full_name),
                       col(Participant.birth_date), col(Participant.unit_code),
                       col(PrizeAward.tier_name), col(FinalRanking.score_milli))
             .join(Participant, col(Participant.id) == col(FinalRanking.participant_id))
             .outerjoin(PrizeAward, (col(PrizeAward.round_id) == col(FinalRanking.round_id))
                        & (col(PrizeAward.participant_id) == col(FinalRanking.participant_id)))
             .where(col(FinalRanking.round_id) == round_id,
                    in_scope(col(FinalRanking.unit_code), codes))
             .order_by(col(PrizeAward.position).is_(None), col(FinalRanking.position)))
        if participant_id is not None:
            q = q.where(col(FinalRanking.participant_id) == participant_id)
        rows = (await s.execute(q)).all()
    return [Holder(pid, name, born, tree.names.get(unit, unit), tier, score)
            for pid, name, born, unit, tier, score in rows]


async def certificates_pdf(ctx: Services, round_id: int, codes: Scope, unit: str | None,
                           actor: str, base_url: str = "",
                           participant_id: str | None = None) -> bytes:
    """Certificates of a finalised round: one per participant in scope (winners: the prize),
    or the one participant's own. Raises NotFound (round, or no counted attempt),
    ResultsNotPublished."""
    d = await _document(ctx, round_id, unit, base_url, True, actor, "certificates_pdf", codes)
    found = await holders(ctx, round_id, codes, d.tree, participant_id)
    if participant_id is not None and not found:
        raise NotFound()
    return await asyncio.to_thread(render_certificates, d, found)


async def filename_for(ctx: Services, round_id: int, what: str, unit: str | None) -> str:
    """A document's file name: contest, round, document, unit and date."""
    async with ctx.sm() as s:
        r = await s.get(Round, round_id)
        contest = await s.get(Contest, r.contest_id) if r else None
    return file_name(contest.slug if contest else "cuoc-thi", round_id, what, unit,
                     ctx.now().astimezone(ctx.settings.tz).date(), "pdf")
