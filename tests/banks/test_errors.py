"""Each kind of error is reported with its location, and an erroneous file imports nothing."""

from __future__ import annotations

import pytest

from contest.banks.aiken import parse_aiken
from contest.banks.gift import parse_gift
from contest.banks.messages import render
from contest.banks.native import parse_native
from contest.banks.problems import Problem
from contest.banks.tabular import parse_csv, parse_xlsx
from tests.banks.conftest import CSV_HEADER, csv_text, xlsx_bytes

HEAD = """\
format: contest-bank/1
code: mau
title: Mẫu
topics: [Chung, Riêng]
questions:
"""

GOOD = """\
  - id: q1
    topic: Chung
    difficulty: easy
    text: Câu hỏi một?
    options: [Một, Hai]
    answer: A
"""


def q(**fields: str) -> str:
    """A question item; each field's value is written as given (a marker comment allowed)."""
    base = {"id": "q2", "topic": "Chung", "difficulty": "easy", "text": "Câu hỏi hai?",
            "options": "[Ba, Bốn]", "answer": "B"}  # fmt: skip
    base.update(fields)
    lines = [f"    {k}: {v}" for k, v in base.items() if v != "-"]
    return "  - " + "\n".join(lines)[4:] + "\n"


def marked_line(text: str) -> int:
    """The 1-based line holding the "#<" marker."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if "#<" in line)


NATIVE_ERRORS = [
    ("missing_answer", q(answer="-", id="q2 #<")),
    ("answer_without_option", q(answer="E #<")),
    ("bad_answer", q(answer="'?' #<")),
    ("duplicate_option", q(options="[Ba, Ba] #<")),
    ("empty_option", q(options="[Ba, ''] #<")),
    ("too_few_options", q(options="[Ba] #<")),
    ("too_many_options", q(options="[a, b, c, d, e, f, g, h, i] #<")),
    ("empty_text", q(text="'' #<")),
    ("unknown_topic", q(topic="Khác #<")),
    ("missing_topic", q(topic="-", id="q2 #<")),
    ("unknown_difficulty", q(difficulty="dễ lắm #<")),
    ("single_many_correct", q(kind="single", answer="A,B #<")),
    ("unknown_kind", q(kind="essay #<")),
    ("tf_with_options", q(kind="true_false", options="[Ba, Bốn] #<")),
    ("tf_bad_answer", q(kind="true_false", options="-", answer="C #<")),
    ("duplicate_id", q(id="q1 #<")),
    ("duplicate_question", q(id="q2 #<", text="Câu hỏi một?", options="[Hai, Một]")),
    ("missing_field", q(id="-", text="Câu? #<")),
    ("duplicate_key", q(text="A?", answer="A\n    answer: B #<")),
    ("wrong_type", q(text="[a, b] #<")),
]


@pytest.mark.parametrize(("code", "item"), NATIVE_ERRORS, ids=[c for c, _ in NATIVE_ERRORS])
def test_native_error_with_line(code: str, item: str) -> None:
    text = HEAD + GOOD + item
    bank, problems = parse_native(text, "mau.yaml")
    assert bank is None
    hits = [p for p in problems if p.code == code]
    assert hits, problems
    expected = marked_line(text)
    # missing things are reported on the question's first line, others on the field's line
    assert hits[0].line in (expected, expected - 1, expected - 2, expected - 3), hits[0]
    assert hits[0].file == "mau.yaml"
    if code not in ("missing_answer", "missing_topic", "missing_field"):
        assert hits[0].line == expected


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("format: contest-bank/1\ncode: [unclosed\n", "yaml_syntax", 3),
        (HEAD.replace("contest-bank/1", "contest-bank/9") + GOOD, "bad_format", 1),
        (HEAD.replace("code: mau", "code: Mẫu Hay") + GOOD, "bad_bank_code", 2),
        (HEAD + "  - &a {id: x}\n  - *a\n", "yaml_alias", 6),  # PyYAML keeps the anchor's mark
        (HEAD.replace("Riêng", "chung") + GOOD, "duplicate_topic", 2),
        (HEAD + "  []\n", "no_questions", 2),
        ("- a\n- b\n", "wrong_type", 1),
    ],
)
def test_native_file_level_errors(text: str, code: str, line: int) -> None:
    bank, problems = parse_native(text, "mau.yaml")
    assert bank is None
    assert (code, line) in [(p.code, p.line) for p in problems], problems


def test_near_duplicate_is_a_warning_and_does_not_block() -> None:
    text = HEAD + GOOD + q(text="  CÂU hỏi   MỘT? ", options="[mot, HAI]")
    bank, problems = parse_native(text, "mau.yaml")
    assert bank is not None and len(bank.questions) == 2
    assert [p.code for p in problems] == ["near_duplicate_question"]
    assert not problems[0].is_error
    assert problems[0].params["first"] == 6


def test_near_duplicate_folds_d_with_stroke() -> None:
    text = (
        HEAD + GOOD.replace("Câu hỏi một?", "Đúng đắn?") + q(text="dung dan?", options="[Một, Hai]")
    )
    _, problems = parse_native(text, "mau.yaml")
    assert [p.code for p in problems] == ["near_duplicate_question"]


def test_unknown_field_is_a_warning() -> None:
    bank, problems = parse_native(HEAD + GOOD + "    colour: red\n", "mau.yaml")
    assert bank is not None
    assert [(p.code, p.severity, p.line) for p in problems] == [("unknown_field", "warning", 12)]


def test_one_error_imports_nothing_and_every_problem_is_listed() -> None:
    text = HEAD + GOOD + q(answer="E") + q(id="q3", text="Ba?", topic="Khác")
    bank, problems = parse_native(text, "mau.yaml")
    assert bank is None
    assert {p.code for p in problems} == {"answer_without_option", "unknown_topic"}


# ---- CSV / XLSX: sheet, row and column ---------------------------------------------------

ROW = ["1", "r1", "Câu hỏi?", "Một", "Hai", "Ba", "", "A", "Chung", "Dễ", "Điều 1", ""]
COL = {name: chr(ord("A") + i) for i, name in enumerate(CSV_HEADER)}


def row(**changes: str) -> list[str]:
    r = list(ROW)
    for name, value in changes.items():
        r[CSV_HEADER.index(name)] = value
    return r


TABULAR_ERRORS = [
    ("missing_answer", row(**{"Đáp án đúng": ""}), "Đáp án đúng"),
    ("answer_without_option", row(**{"Đáp án đúng": "D"}), "Đáp án đúng"),
    ("bad_answer", row(**{"Đáp án đúng": "1"}), "Đáp án đúng"),
    ("duplicate_option", row(**{"Phương án B": "Một"}), "Phương án A"),
    ("empty_option", row(**{"Phương án B": ""}), "Phương án B"),
    ("too_few_options", row(**{"Phương án B": "", "Phương án C": ""}), "Phương án A"),
    ("empty_text", row(**{"Câu hỏi": ""}), "Câu hỏi"),
    ("missing_topic", row(**{"Chủ đề": ""}), "Chủ đề"),
    ("missing_difficulty", row(**{"Mức độ": ""}), "Mức độ"),
    ("unknown_difficulty", row(**{"Mức độ": "Rất khó"}), "Mức độ"),
    ("duplicate_id", row(**{"Mã câu hỏi": "r0"}), "Mã câu hỏi"),
]
FIRST = ["0", "r0", "Câu hỏi đầu?", "X", "Y", "", "", "A", "Chung", "Dễ", "", ""]


@pytest.mark.parametrize(
    ("code", "bad", "column"), TABULAR_ERRORS, ids=[c for c, _, _ in TABULAR_ERRORS]
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_tabular_error_with_row_and_column(
    fmt: str, code: str, bad: list[str], column: str
) -> None:
    rows = [FIRST, bad]
    if fmt == "csv":
        bank, problems = parse_csv(csv_text(rows).encode(), "mau.csv")
    else:
        bank, problems = parse_xlsx(xlsx_bytes(rows), "mau.xlsx")  # type: ignore[arg-type]
    assert bank is None
    hits = [p for p in problems if p.code == code]
    assert hits, problems
    assert hits[0].row == 3
    assert hits[0].column == f"{COL[column]} ({column})"
    assert hits[0].sheet == (None if fmt == "csv" else "Câu hỏi")


def test_xlsx_location_is_rendered_in_both_languages() -> None:
    _, problems = parse_xlsx(xlsx_bytes([row(**{"Đáp án đúng": "D"})]), "mau.xlsx")
    p = next(p for p in problems if p.code == "answer_without_option")
    assert render(p, "vi") == (
        "mau.xlsx, trang tính 'Câu hỏi', dòng 2, cột H (Đáp án đúng): lỗi: "
        "Đáp án D không có phương án tương ứng (chỉ có 3 phương án)"
    )
    assert render(p, "en").startswith("mau.xlsx, sheet 'Câu hỏi', row 2, column H (Đáp án đúng)")


def test_missing_header_row() -> None:
    bank, problems = parse_csv(b"a,b,c\n1,2,3\n", "mau.csv")
    assert bank is None
    assert (problems[0].code, problems[0].row) == ("missing_header", 1)


def test_unknown_header_is_a_warning() -> None:
    text = "Câu hỏi,Phương án A,Phương án B,Đáp án đúng,Ghi chú\nHỏi?,Một,Hai,A,x\n"
    bank, problems = parse_csv(text.encode(), "mau.csv")
    assert bank is not None
    assert [(p.code, p.severity, p.column) for p in problems] == [
        ("unknown_header", "warning", "E")
    ]


def test_option_gap_is_an_error_not_a_shift() -> None:
    # A and C filled, B empty: "C" must not silently become "B".
    bad = row(**{"Phương án B": "", "Đáp án đúng": "C"})
    bank, problems = parse_csv(csv_text([bad]).encode(), "mau.csv")
    assert bank is None
    assert "empty_option" in [p.code for p in problems]


# ---- GIFT and Aiken: lines ---------------------------------------------------------------

GIFT_ERRORS = [
    ("::a::Viết cảm nghĩ.{}", "gift_unsupported", "essay"),
    ("Khớp.{\n=a -> 1\n=b -> 2\n}", "gift_unsupported", "matching"),
    ("Số nào?{#3:2}", "gift_unsupported", "numerical"),
    ("Tên con vật?{=mèo =chó}", "gift_unsupported", "shortanswer"),
    ("Chỉ là mô tả.", "gift_unsupported", "description"),
    ("Chưa đóng {~a =b", "gift_unclosed", None),
    ("Không đúng?{~a ~b}", "gift_no_correct", None),
    ("Trọng số?{~%x%a =b}", "gift_bad_weight", None),
    ("Trùng?{=a ~a}", "duplicate_option", None),
]


@pytest.mark.parametrize(
    ("body", "code", "kind"), GIFT_ERRORS, ids=[c[0][:12] for c in GIFT_ERRORS]
)
def test_gift_error_with_line(body: str, code: str, kind: str | None) -> None:
    text = "// đầu tệp\n\nCâu tốt?{=Có ~Không}\n\n// câu lỗi\n" + body + "\n"
    bank, problems = parse_gift(text, "mau.gift")
    assert bank is None
    hit = next(p for p in problems if p.code == code)
    assert hit.line == 6
    if kind:
        assert hit.params["type"] == kind
        assert kind in render(hit, "en")


AIKEN_ERRORS = [
    ("Hỏi?\nA) Một\nANSWER: A\n", "aiken_too_few_answers", 3),
    ("A) Một\n", "aiken_not_started", 1),
    ("ANSWER: A\n", "aiken_not_started", 1),
    ("Hỏi?\nA) Một\nB) Hai\nHỏi tiếp?\nA) Ba\nB) Bốn\nANSWER: A\n", "aiken_not_completed", 4),
    ("Hỏi?\nA) Một\nB) Hai\nANSWER: C\n", "aiken_bad_answer", 4),
    ("Hỏi?\nA) Một\nB) Hai\n", "aiken_unfinished", 1),
]


@pytest.mark.parametrize(
    ("text", "code", "line"), AIKEN_ERRORS, ids=[c for _, c, _ in AIKEN_ERRORS]
)
def test_aiken_error_with_line(text: str, code: str, line: int) -> None:
    bank, problems = parse_aiken(text, "mau.aiken")
    assert bank is None
    assert (code, line) in [(p.code, p.line) for p in problems]


def _codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


def test_every_problem_code_has_both_texts() -> None:
    from contest.banks.messages import EN, VI

    assert set(VI) == set(EN)
