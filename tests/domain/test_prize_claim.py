"""The "how to receive the prize" text of the winner notices (documents.prize_claim): parsed
from the contest file, nearest unit first, the default otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.domain import documents
from contest.domain.documents import DEFAULT_CLAIM, claim_text

DOC = {"prize_claim": "Tại Sở", "units": {"HUYEN": {"prize_claim": "Tại huyện"},
                                          "XA": {"organiser": "UBND xã"}}}


@pytest.mark.parametrize(("doc", "chain", "want"), [
    (None, (), DEFAULT_CLAIM),
    ({}, ("XA",), DEFAULT_CLAIM),
    ({"prize_claim": ""}, (), DEFAULT_CLAIM),
    (DOC, (), "Tại Sở"),
    (DOC, ("KHAC",), "Tại Sở"),
    (DOC, ("HUYEN",), "Tại huyện"),
    (DOC, ("XA", "HUYEN", "TINH"), "Tại huyện"),  # XA gives none: its district's
    ({"units": {"HUYEN": {"prize_claim": "Tại huyện"}}}, ("TINH",), DEFAULT_CLAIM),
])
def test_claim_text(doc: dict[str, Any] | None, chain: tuple[str, ...], want: str) -> None:
    assert claim_text(doc, chain) == want


@pytest.mark.parametrize(("raw", "error"), [
    ({"prize_claim": 5}, "prize_claim must be text"),
    ({"prize_claim": "x" * 401}, "longer than 400"),
    ({"units": {"A": {"prize_claim": ["x"]}}}, "documents.units.A.prize_claim must be text"),
])
def test_bad_claims_are_refused(raw: dict[str, Any], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        documents.parse(raw)


def test_parse_keeps_claims_on_one_line_and_the_issuer_ignores_them() -> None:
    got = documents.parse({"prize_claim": " Tại  Sở\nTư pháp ", "organiser": "SỞ TƯ PHÁP",
                           "units": {"A": {"prize_claim": "Tại A", "place": "A"}}})
    assert got == {"prize_claim": "Tại Sở Tư pháp", "organiser": "SỞ TƯ PHÁP",
                   "units": {"A": {"prize_claim": "Tại A", "place": "A"}}}
    assert documents.issuer(got, ("A",)).place == "A"


@given(st.text(max_size=400))
def test_any_short_text_is_accepted_and_stable(text: str) -> None:
    once = documents.claim(text)
    assert documents.claim(once) == once and len(once) <= len(text)


def test_the_contest_file_carries_the_claim() -> None:
    from contest.setup import contest_file

    text = """format: contest/1
slug: thu
title: Thử
groups: [{code: tudo, name: Tự do}]
documents:
  prize_claim: Nhận giải tại Sở Tư pháp.
  units:
    BP-BUDANG: {prize_claim: Nhận giải tại Bù Đăng.}
"""
    spec = contest_file.parse(text, "thu.yaml")
    assert claim_text(spec.documents, ("BP-BUDANG",)) == "Nhận giải tại Bù Đăng."
    again = contest_file.parse(contest_file.render(spec), "thu.yaml")
    assert again.documents == spec.documents
