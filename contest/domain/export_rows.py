"""The columns of every export (Vietnamese headers, typed cells) and the rows' cell values.

Each export is a tuple of Columns; rows are tuples of plain Python values in column order.
The same rows feed both writers: CSV formats each cell as text for a person reading it in
Excel, XLSX keeps numbers as numbers and times as date-times with a display format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

Kind = Literal["text", "int", "decimal", "datetime", "date", "percent", "bool"]

NUMBER_FORMATS: dict[str, str] = {
    "decimal": "0.000",
    "percent": "0.0%",
    "datetime": "dd/mm/yyyy hh:mm:ss",
    "date": "dd/mm/yyyy",
}


@dataclass(frozen=True)
class Column:
    """One column: its Vietnamese header, the kind of its cells and a display width."""

    header: str
    kind: Kind = "text"
    width: int = 16


# Hạng: the official rank, the competition rank among the eligible of the prize's split
# (gap-free); Vị trí chung cuộc: the place among every entrant, eligible or not.
WINNERS_PUBLIC: tuple[Column, ...] = (
    Column("STT", "int", 6), Column("Hạng", "int", 7), Column("Giải", "text", 18),
    Column("Họ và tên", "text", 24), Column("Đơn vị", "text", 32),
    Column("Xã, phường / cấp huyện", "text", 26), Column("Đối tượng", "text", 20),
    Column("Điểm", "decimal", 8), Column("Thời gian làm bài (giây)", "decimal", 12),
    Column("Dự đoán", "int", 10), Column("Độ lệch dự đoán", "int", 10),
    Column("Vị trí chung cuộc", "int", 10),
)
WINNERS_INTERNAL: tuple[Column, ...] = (
    *WINNERS_PUBLIC,
    Column("Họ và tên đầy đủ", "text", 28), Column("Ngày sinh", "date", 12),
    Column("Số điện thoại", "text", 14), Column("Email", "text", 24),
    Column("Số CCCD", "text", 14), Column("Mã người dự thi", "text", 34),
)
PARTICIPATION: tuple[Column, ...] = (
    Column("Mã đơn vị", "text", 18), Column("Tên đơn vị", "text", 34),
    Column("Số người dự thi", "int", 10), Column("Số lượt thi", "int", 10),
    Column("Số bài đạt điểm tối đa", "int", 10), Column("Điểm trung bình", "decimal", 10),
    Column("Số người của đơn vị", "int", 10), Column("Tỷ lệ tham gia", "percent", 10),
)
RANKING: tuple[Column, ...] = (
    Column("Vị trí", "int", 8), Column("Hạng theo tiêu chí", "int", 8),
    Column("Mã người dự thi", "text", 34), Column("Họ và tên", "text", 24),
    Column("Đơn vị", "text", 30), Column("Đối tượng", "text", 16),
    Column("Điểm", "decimal", 8), Column("Điểm tối đa", "decimal", 8),
    Column("Thời gian làm bài (giây)", "decimal", 10), Column("Dự đoán", "int", 10),
    Column("Độ lệch dự đoán", "int", 10), Column("Thời điểm nộp bài", "datetime", 20),
    Column("Lượt thi thứ", "int", 6), Column("Tự động nộp", "bool", 8),
    Column("Hòa, xếp bằng bốc thăm", "bool", 8), Column("Không xét giải vì", "text", 20),
    Column("Giải", "text", 16),
)
ELIGIBLE: tuple[Column, ...] = (
    Column("entry_id", "text", 34), Column("split", "text", 16), Column("score_milli", "int"),
    Column("prediction", "int"), Column("duration_ms", "int"), Column("submitted_ms", "int"),
    Column("position", "int"), Column("draw_key", "text", 66),
)

# Why an entrant was not considered for a prize, as an organiser reads it.
EXCLUSION_TEXT: dict[str, str] = {
    "review": "bị loại hoặc đang chờ rà soát",
    "prior_prize": "đã nhận giải đợt trước",
    "under_age": "chưa đủ tuổi",
    "excluded_group": "đối tượng không xét giải",
    "excluded_unit": "thuộc đơn vị tổ chức",
    "excluded_person": "thuộc diện không xét giải",
    "below_min_score": "chưa đạt điểm tối thiểu",
}


def points(milli: int | None) -> float | None:
    """Thousandths as points (a score of 9500 is 9.5)."""
    return None if milli is None else milli / 1000


def local(at: datetime | None, tz: ZoneInfo) -> datetime | None:
    """An aware time as a naive local time (spreadsheets have no time zones)."""
    return None if at is None else at.astimezone(tz).replace(tzinfo=None)


# OWASP's CSV-injection rule: a cell starting with one of these is read as a formula by
# Excel / LibreOffice (=HYPERLINK(...) in a participant's name becomes a live link).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text a spreadsheet will show as text: a leading formula character gets a ' before it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_cells(row: Sequence[Any]) -> list[Any]:
    """A row with every text cell neutralised (numbers and other values unchanged)."""
    return [neutralise(v) if isinstance(v, str) else v for v in row]


def csv_cell(value: Any, kind: Kind) -> str:
    """A cell as CSV text: empty for None, dd/mm/yyyy dates, percent with one decimal."""
    if value is None:
        return ""
    if kind == "datetime" and isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if kind == "date" and isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if kind == "percent":
        return f"{float(value) * 100:.1f}%"
    if kind == "decimal":
        return f"{float(value):.3f}".rstrip("0").rstrip(".")
    if kind == "bool":
        return "có" if value else "không"
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def xlsx_cell(value: Any, kind: Kind) -> Any:
    """A cell's value for openpyxl: numbers stay numbers, booleans become có/không (text cells
    are written with the text type by the writer, never as formulas)."""
    if kind == "bool" and value is not None:
        return "có" if value else "không"
    return value


def csv_row(row: Sequence[Any], columns: Sequence[Column]) -> list[str]:
    """A row as CSV cells."""
    return [csv_cell(v, c.kind) for v, c in zip(row, columns, strict=True)]
