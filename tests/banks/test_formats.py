"""The same bank written in every format imports to the same questions."""

from __future__ import annotations

import unicodedata

import pytest

from contest.banks.gift import parse_gift
from contest.banks.native import parse_native
from contest.banks.tabular import parse_csv, parse_xlsx
from contest.domain.bank import BankQuestion
from tests.banks.conftest import EXPECTED, EXPECTED_QUESTIONS, NATIVE, csv_text, xlsx_bytes

GIFT = """\
// A hand-written Moodle-style file: categories as topics, metadata in comments.
$CATEGORY: $course$/top/Chế độ chính trị

// id: hp-001
// difficulty: easy
// basis: Điều 13 khoản 4, Hiến pháp năm 2013
::hp-001::Thủ đô nước Cộng hòa xã hội chủ nghĩa Việt Nam là thành phố nào?{
  ~Thành phố Hồ Chí Minh
  =Hà Nội # đúng
  ~Huế
  ~Đà Nẵng
  ####Điều 13 quy định Thủ đô là Hà Nội.
}

$CATEGORY: $course$/top/Quyền con người

// id: hp-002
// difficulty: medium
// basis: Điều 19, Điều 20, Hiến pháp năm 2013
::hp-002::[html]Những quyền nào sau đây là quyền con người theo Hiến pháp năm 2013?{
  ~%50%Quyền sống
  ~%-100%Quyền bầu cử ở tuổi 16
  ~%50%Quyền bất khả xâm phạm về thân thể
}

$CATEGORY: $course$/top/Chế độ chính trị

// id: hp-003
// difficulty: hard
// basis: Điều 13, Hiến pháp năm 2013
::hp-003::Quốc khánh là ngày 2 tháng 9 năm 1945.{T####Ngày Tuyên ngôn độc lập.}
"""


def _cp1258(text: str) -> bytes:
    """Text as Windows-1258 writes it: base letters precomposed, tone marks combining."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            marks = "".join(c for c in parts if c in tones)
            out.append((base + marks).encode("cp1258"))
    return b"".join(out)


def test_native() -> None:
    bank, problems = parse_native(NATIVE, "mau.yaml")
    assert problems == []
    assert bank == EXPECTED


def test_xlsx_with_information_sheet_is_the_whole_bank() -> None:
    bank, problems = parse_xlsx(xlsx_bytes(), "mau.xlsx")
    assert [p for p in problems if p.is_error] == []
    assert bank == EXPECTED


def test_xlsx_title_rows_above_the_header_are_skipped() -> None:
    bank, _ = parse_xlsx(xlsx_bytes(title_rows=2), "mau.xlsx")
    assert bank is not None and bank.questions == EXPECTED_QUESTIONS


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda t: t.encode("utf-8"), id="utf-8"),
        pytest.param(lambda t: t.encode("utf-8-sig"), id="utf-8-bom"),
        pytest.param(lambda t: t.encode("utf-16"), id="utf-16-bom"),
        pytest.param(_cp1258, id="cp1258"),
    ],
)
def test_csv_in_every_encoding_has_correct_diacritics(encode) -> None:  # type: ignore[no-untyped-def]
    data = encode(csv_text())
    bank, problems = parse_csv(data, "hien-phap-mau.csv")
    assert problems == []
    assert bank is not None
    # CSV has no bank metadata (the code comes from the file name) and no declared topics.
    assert bank.code == "hien-phap-mau"
    assert [_fields(q) for q in bank.questions] == [_fields(q) for q in EXPECTED_QUESTIONS]
    assert bank.questions[0].options[1].text == "Hà Nội"


def _fields(q: BankQuestion) -> tuple[object, ...]:
    return (q.ext_id, q.kind, q.text, q.options, q.difficulty, q.basis, q.explanation)


def test_cp1258_bytes_really_use_combining_tone_marks() -> None:
    data = _cp1258("Thủ đô")
    assert data != "Thủ đô".encode()
    bank, _ = parse_csv(_cp1258(csv_text()), "x.csv")
    assert bank is not None
    assert unicodedata.is_normalized("NFC", bank.questions[0].text)


def test_csv_questions_equal_native_but_topic_spelling_comes_from_the_cell() -> None:
    bank, _ = parse_csv(csv_text().encode(), "x.csv")
    assert bank is not None
    # without declared topics, the cell's own spelling is kept ("quyền con người").
    assert bank.questions[1].topic == "quyền con người"
    assert [q.options for q in bank.questions] == [q.options for q in EXPECTED_QUESTIONS]
    assert [q.kind for q in bank.questions] == ["single", "multiple", "true_false"]
    assert [q.difficulty for q in bank.questions] == ["easy", "medium", "hard"]


def test_csv_with_semicolons_and_headers_in_any_case_or_without_diacritics() -> None:
    header = ["stt", "CAU HOI", "phuong an a", "Phuong an B", "dap an dung", "chu de", "muc do"]
    text = ";".join(header) + "\n1;Câu hỏi một?;Có;Không;B;Chung;de\n"
    bank, problems = parse_csv(text.encode(), "x.csv")
    assert problems == []
    assert bank is not None
    q = bank.questions[0]
    assert (q.ext_id, q.kind, q.difficulty, q.correct_positions) == ("1", "single", "easy", (1,))


def test_gift_hand_written() -> None:
    bank, problems = parse_gift(GIFT, "hien-phap-mau.gift")
    assert [p.code for p in problems] == ["gift_feedback_ignored"]
    assert bank is not None
    assert bank.questions == EXPECTED_QUESTIONS


def test_kind_column_overrides_inference() -> None:
    header = ["Câu hỏi", "Phương án A", "Phương án B", "Đáp án đúng", "Loại"]
    text = ",".join(header) + "\nHỏi?,Một,Hai,A,nhiều đáp án\n"
    bank, _ = parse_csv(text.encode(), "x.csv")
    assert bank is not None and bank.questions[0].kind == "multiple"
