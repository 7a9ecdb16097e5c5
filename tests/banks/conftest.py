"""Shared bank test data: one bank written by hand in every supported format."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from contest.domain.bank import Bank, BankOption, BankQuestion

REPO = Path(__file__).resolve().parents[2]
MOODLE = REPO / "tests" / "fixtures" / "moodle"

TOPICS = ("Chế độ chính trị", "Quyền con người")


def _opts(texts: list[str], correct: set[int]) -> tuple[BankOption, ...]:
    return tuple(BankOption(t, i in correct) for i, t in enumerate(texts))


EXPECTED_QUESTIONS = (
    BankQuestion(
        ext_id="hp-001",
        kind="single",
        text="Thủ đô nước Cộng hòa xã hội chủ nghĩa Việt Nam là thành phố nào?",
        options=_opts(["Thành phố Hồ Chí Minh", "Hà Nội", "Huế", "Đà Nẵng"], {1}),
        topic="Chế độ chính trị",
        difficulty="easy",
        basis="Điều 13 khoản 4, Hiến pháp năm 2013",
        explanation="Điều 13 quy định Thủ đô là Hà Nội.",
    ),
    BankQuestion(
        ext_id="hp-002",
        kind="multiple",
        text="Những quyền nào sau đây là quyền con người theo Hiến pháp năm 2013?",
        options=_opts(
            ["Quyền sống", "Quyền bầu cử ở tuổi 16", "Quyền bất khả xâm phạm về thân thể"], {0, 2}
        ),
        topic="Quyền con người",
        difficulty="medium",
        basis="Điều 19, Điều 20, Hiến pháp năm 2013",
    ),
    BankQuestion(
        ext_id="hp-003",
        kind="true_false",
        text="Quốc khánh là ngày 2 tháng 9 năm 1945.",
        options=(BankOption("Đúng", True), BankOption("Sai", False)),
        topic="Chế độ chính trị",
        difficulty="hard",
        basis="Điều 13, Hiến pháp năm 2013",
        explanation="Ngày Tuyên ngôn độc lập.",
    ),
)

EXPECTED = Bank(
    code="hien-phap-mau",
    title="Ngân hàng mẫu",
    questions=EXPECTED_QUESTIONS,
    language="vi",
    version="2026.1",
    sources=("Hiến pháp năm 2013",),
    topics=TOPICS,
)

NATIVE = """\
format: contest-bank/1
code: hien-phap-mau
title: "Ngân hàng mẫu"
language: vi
version: "2026.1"
sources: ["Hiến pháp năm 2013"]
topics: ["Chế độ chính trị", "Quyền con người"]
questions:
  - id: hp-001
    kind: single
    topic: "Chế độ chính trị"
    difficulty: easy
    text: "Thủ đô nước Cộng hòa xã hội chủ nghĩa Việt Nam là thành phố nào?"
    options: ["Thành phố Hồ Chí Minh", "Hà Nội", "Huế", "Đà Nẵng"]
    answer: B
    basis: "Điều 13 khoản 4, Hiến pháp năm 2013"
    explanation: "Điều 13 quy định Thủ đô là Hà Nội."
  - id: hp-002
    kind: multiple
    topic: "Quyền con người"
    difficulty: medium
    text: "Những quyền nào sau đây là quyền con người theo Hiến pháp năm 2013?"
    options: ["Quyền sống", "Quyền bầu cử ở tuổi 16", "Quyền bất khả xâm phạm về thân thể"]
    answer: "A,C"
    basis: "Điều 19, Điều 20, Hiến pháp năm 2013"
  - id: hp-003
    kind: true_false
    topic: "Chế độ chính trị"
    difficulty: hard
    text: "Quốc khánh là ngày 2 tháng 9 năm 1945."
    answer: "Đúng"
    basis: "Điều 13, Hiến pháp năm 2013"
    explanation: "Ngày Tuyên ngôn độc lập."
"""

CSV_HEADER = [
    "STT", "Mã câu hỏi", "Câu hỏi", "Phương án A", "Phương án B", "Phương án C", "Phương án D",
    "Đáp án đúng", "Chủ đề", "Mức độ", "Căn cứ", "Giải thích",
]  # fmt: skip
CSV_ROWS = [
    ["1", "hp-001", EXPECTED_QUESTIONS[0].text, "Thành phố Hồ Chí Minh", "Hà Nội", "Huế",
     "Đà Nẵng", "B", "Chế độ chính trị", "Dễ", EXPECTED_QUESTIONS[0].basis,
     "Điều 13 quy định Thủ đô là Hà Nội."],
    ["2", "hp-002", EXPECTED_QUESTIONS[1].text, "Quyền sống", "Quyền bầu cử ở tuổi 16",
     "Quyền bất khả xâm phạm về thân thể", "", "A, C", "quyền con người", "Trung bình",
     EXPECTED_QUESTIONS[1].basis, ""],
    ["3", "hp-003", EXPECTED_QUESTIONS[2].text, "", "", "", "", "Đúng", "Chế độ chính trị",
     "khó", EXPECTED_QUESTIONS[2].basis, "Ngày Tuyên ngôn độc lập."],
]  # fmt: skip


def csv_text(rows: list[list[str]] | None = None, header: list[str] | None = None) -> str:
    """Rows as CSV text (quoted, comma-separated)."""
    out = io.StringIO()
    import csv

    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(header or CSV_HEADER)
    w.writerows(CSV_ROWS if rows is None else rows)
    return out.getvalue()


def xlsx_bytes(
    rows: list[list[object]] | None = None, header: list[str] | None = None, title_rows: int = 0
) -> bytes:
    """Rows as an organisers' workbook written with openpyxl (not with our exporter)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Câu hỏi"
    for _ in range(title_rows):
        ws.append(["CUỘC THI TÌM HIỂU PHÁP LUẬT"])
    ws.append(header or CSV_HEADER)
    for r in CSV_ROWS if rows is None else rows:
        ws.append(r)
    info = wb.create_sheet("Thông tin")
    info.append(["Mã ngân hàng", "hien-phap-mau"])
    info.append(["Tên ngân hàng", "Ngân hàng mẫu"])
    info.append(["Phiên bản", "2026.1"])
    info.append(["Nguồn", "Hiến pháp năm 2013"])
    info.append(["Chủ đề", *TOPICS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def moodle() -> Path:
    """Moodle's GIFT and Aiken fixtures, kept in the repository (tests/fixtures/moodle)."""
    return MOODLE
