"""native -> GIFT -> native and native -> XLSX -> native keep every field."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contest.banks.gift import parse_gift, to_gift
from contest.banks.native import dump_native, load_native, parse_native
from contest.banks.tabular import parse_xlsx
from contest.banks.xlsx_export import to_xlsx
from contest.domain.bank import Bank, BankOption, BankQuestion
from tests.banks.conftest import EXPECTED, REPO

TRICKY = Bank(
    code="kho-nhat",
    title="Khó: {tên} = ~#\\ //",
    language="vi",
    version="1.10",
    sources=("Nguồn: A / B", "Dòng 1\nDòng 2"),
    topics=("Chủ đề/có gạch", "Yes"),
    questions=(
        BankQuestion(
            ext_id="k-1",
            kind="single",
            text="[html]<b>Không</b> phải HTML: {a} = ~b #c \\d ::e::\nDòng hai",
            options=(
                BankOption("=SUM(A1)", False),
                BankOption("No", True),
                BankOption("1.10", False),
                BankOption("// không phải chú thích", False),
            ),
            topic="Chủ đề/có gạch",
            difficulty="hard",
            basis="Điều 5: khoản 1 # 2",
            explanation="Giải thích {có} ngoặc\nvà xuống dòng",
            question_set="Tuần 1",
        ),
        BankQuestion(
            ext_id="k-2",
            kind="multiple",
            text="Chỉ một đáp án đúng nhưng loại nhiều đáp án?",
            options=(BankOption("Một", True), BankOption("Hai", False)),
            topic="Yes",
            difficulty="medium",
        ),
        BankQuestion(
            ext_id="k-3",
            kind="multiple",
            text="Ba đáp án đúng?",
            options=tuple(BankOption(t, t != "D") for t in "ABCD"),
            topic="Yes",
            difficulty="easy",
            question_set="tuan-2",
        ),
        BankQuestion(
            ext_id="k-4",
            kind="true_false",
            text="Sai?",
            options=(BankOption("Đúng", False), BankOption("Sai", True)),
            topic="Yes",
            difficulty="easy",
            basis="",
            explanation=None,
        ),
    ),
)

BANK_FILES = sorted((REPO / "question_banks").glob("*.yaml"))


def _via_gift(bank: Bank) -> Bank | None:
    back, problems = parse_gift(to_gift(bank), f"{bank.code}.gift")
    assert [p for p in problems if p.is_error] == []
    return back


def _via_xlsx(bank: Bank) -> Bank | None:
    back, problems = parse_xlsx(to_xlsx(bank), f"{bank.code}.xlsx")
    assert [p for p in problems if p.is_error] == []
    return back


def _via_yaml(bank: Bank) -> Bank | None:
    back, problems = parse_native(dump_native(bank), f"{bank.code}.yaml")
    assert problems == []
    return back


@pytest.mark.parametrize("convert", [_via_gift, _via_xlsx, _via_yaml])
@pytest.mark.parametrize("bank", [EXPECTED, TRICKY], ids=["sample", "tricky"])
def test_round_trip_keeps_every_field(convert, bank: Bank) -> None:  # type: ignore[no-untyped-def]
    assert convert(bank) == bank


@pytest.mark.parametrize("convert", [_via_gift, _via_xlsx, _via_yaml])
@pytest.mark.parametrize("path", BANK_FILES, ids=[p.name for p in BANK_FILES])
def test_round_trip_of_shipped_banks(convert, path: Path) -> None:  # type: ignore[no-untyped-def]
    bank = load_native(path)
    assert convert(bank) == bank


_text = st.text(
    alphabet=st.sampled_from([*"aăâđêôơưBzn09 :=~#{}\\/[]%-\n", "ủ", "Ệ", "→"]),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() != "")


@settings(max_examples=150, deadline=None)
@given(text=_text, a=_text, b=_text, basis=_text, explanation=_text)
def test_gift_escaping_round_trips_any_text(
    text: str, a: str, b: str, basis: str, explanation: str
) -> None:
    # our importer strips surrounding whitespace everywhere, so compare stripped texts
    a, b = a.strip(), b.strip()
    if a == b or " ".join(a.split()).casefold() == " ".join(b.split()).casefold():
        b = b + "!"
    q = BankQuestion(
        ext_id="x1",
        kind="single",
        text=text.strip(),
        options=(BankOption(a, True), BankOption(b, False)),
        topic="",
        difficulty="easy",
        basis=basis.strip(),
        explanation=explanation.strip(),
    )
    bank = Bank(code="x", title="X", questions=(q,))
    back, _ = parse_gift(to_gift(bank), "x.gift")
    assert back is not None
    assert back.questions == bank.questions
