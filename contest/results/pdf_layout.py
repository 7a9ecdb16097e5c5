"""The layout of an official PDF: the issuer and national heading, title block, tables, the
place, date and signature block with its QR code, in a font that covers Vietnamese."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
from fpdf import FPDF

from contest.domain import documents as docs

FONTS = Path(__file__).resolve().parent.parent / "data" / "fonts"
MARGIN = 15.0


def score_text(milli: int | None) -> str:
    """A score as Vietnamese write it: 9,5 (decimal comma), empty when unknown."""
    if milli is None:
        return ""
    return f"{milli / 1000:.3f}".rstrip("0").rstrip(".").replace(".", ",")


def duration_text(ms: int) -> str:
    """A duration as m:ss,mmm (minutes, seconds, milliseconds: ties are decided by them)."""
    return f"{ms // 60000}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def date_text(d: date | None) -> str:
    """dd/mm/yyyy."""
    return d.strftime("%d/%m/%Y") if d else ""


class OfficialPdf(FPDF):
    """An A4 document in the shipped font with 'Trang n/N' at the foot of every page."""

    def __init__(self, landscape: bool = True) -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        self.add_font("serif", "", FONTS / "DejaVuSerif.ttf")
        self.add_font("serif", "B", FONTS / "DejaVuSerif-Bold.ttf")
        self.add_font("serif", "I", FONTS / "DejaVuSerif-Italic.ttf")
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=16)
        self.set_font("serif", size=11)
        self.numbered = True

    def footer(self) -> None:
        """Page numbers (certificates have none)."""
        if not self.numbered:
            return
        self.set_y(-12)
        self.set_font("serif", "I", 8)
        self.cell(0, 5, f"Trang {self.page_no()}/{{nb}}", align="C")

    @property
    def width(self) -> float:
        """The printable width."""
        return self.w - self.l_margin - self.r_margin

    def fit(self, text: str, w: float) -> str:
        """The text cut with an ellipsis to fit in a cell w wide."""
        if self.get_string_width(text) <= w - 2:
            return text
        while text and self.get_string_width(text + "…") > w - 2:
            text = text[:-1]
        return text + "…"


def heading(pdf: OfficialPdf, issuer: docs.Issuer) -> None:
    """Issuing body (left) and national heading (right), each underlined, at the cursor."""
    left, right = pdf.width * 0.42, pdf.width * 0.58
    x, y = pdf.l_margin, pdf.get_y()
    pdf.set_xy(x, y)
    if issuer.parent_body:
        pdf.set_font("serif", "", 10.5)
        pdf.multi_cell(left, 5.5, issuer.parent_body.upper(), align="C",
                       new_x="LEFT", new_y="NEXT")
    pdf.set_font("serif", "B", 10.5)
    pdf.multi_cell(left, 5.5, issuer.organiser.upper(), align="C", new_x="LEFT", new_y="NEXT")
    under = pdf.get_y() + 1
    pdf.line(x + left / 2 - 15, under, x + left / 2 + 15, under)
    pdf.set_font("serif", "B", 10.5)
    pdf.set_xy(x + left, y)
    pdf.cell(right, 5.5, docs.NATION, align="C")
    pdf.set_xy(x + left, y + 5.5)
    pdf.cell(right, 5.5, docs.MOTTO, align="C")
    motto = pdf.get_string_width(docs.MOTTO)
    pdf.line(x + left + (right - motto) / 2, y + 11.5, x + left + (right + motto) / 2, y + 11.5)
    pdf.set_xy(x, max(under, y + 11.5) + 6)


def title_block(pdf: OfficialPdf, title: str, lines: Sequence[str]) -> None:
    """The document's title (bold, centred) and its subtitle lines."""
    pdf.set_font("serif", "B", 14)
    pdf.multi_cell(0, 7, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("serif", "I", 11)
    for line in lines:
        pdf.multi_cell(0, 6, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def qr_png(url: str) -> io.BytesIO:
    """A QR code of url as PNG bytes."""
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=6, border=2)
    buf.seek(0)
    return buf


def signature(pdf: OfficialPdf, issuer: docs.Issuer, day: date, qr_url: str | None) -> None:
    """Place and date, the signer's title and name on the right; the QR code on the left
    (on a new page when the block would not fit under the table)."""
    if pdf.get_y() > pdf.h - 75:
        pdf.add_page()
    pdf.ln(4)
    y = pdf.get_y()
    right_x = pdf.l_margin + pdf.width * 0.55
    w = pdf.width * 0.45
    pdf.set_xy(right_x, y)
    pdf.set_font("serif", "I", 11)
    pdf.cell(w, 6, docs.place_and_date(issuer.place, day), align="C",
             new_x="LEFT", new_y="NEXT")
    pdf.set_font("serif", "B", 11)
    pdf.multi_cell(w, 6, issuer.signer_title.upper(), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("serif", "I", 9)
    pdf.cell(w, 5, "(Ký, ghi rõ họ tên, đóng dấu)", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(right_x, pdf.get_y() + 20)
    pdf.set_font("serif", "B", 11)
    pdf.cell(w, 6, issuer.signer_name, align="C", new_x="LMARGIN", new_y="NEXT")
    end = pdf.get_y()
    if qr_url:
        pdf.image(qr_png(qr_url), x=pdf.l_margin, y=y, w=30, h=30)
        pdf.set_xy(pdf.l_margin, y + 31)
        pdf.set_font("serif", "I", 8)
        pdf.multi_cell(pdf.width * 0.4, 4, f"Kiểm tra kết quả công khai: {qr_url}",
                       new_x="LMARGIN", new_y="NEXT")
        end = max(end, pdf.get_y())
    pdf.set_y(end)


@dataclass(frozen=True)
class Col:
    """A table column: header, share of the width, alignment."""

    header: str
    width: float
    align: str = "L"


def table(pdf: OfficialPdf, cols: Sequence[Col], rows: Sequence[Sequence[str]]) -> None:
    """A bordered table whose header repeats on every page; long cells are cut to fit."""
    total = sum(c.width for c in cols)
    widths = [pdf.width * c.width / total for c in cols]

    def header() -> None:
        pdf.set_font("serif", "B", 9.5)
        pdf.set_fill_color(235, 235, 235)
        for c, w in zip(cols, widths, strict=True):
            pdf.cell(w, 8, pdf.fit(c.header, w), border=1, align="C", fill=True)
        pdf.ln(8)
        pdf.set_font("serif", "", 9.5)

    header()
    for row in rows:
        if pdf.get_y() + 7 > pdf.page_break_trigger:
            pdf.add_page()
            header()
        for value, c, w in zip(row, cols, widths, strict=True):
            pdf.cell(w, 7, pdf.fit(value, w), border=1, align=c.align)
        pdf.ln(7)
