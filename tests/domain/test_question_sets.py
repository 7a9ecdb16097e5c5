"""Question sets: which rounds clash, which questions of a closed round can be published."""

from __future__ import annotations

import pytest

from contest.domain.question_sets import SetUse, released, shared_set, shared_set_message

A1 = SetUse("Tuần 1", "bank", "w1")
A2 = SetUse("Tuần 2", "bank", "w2")
WHOLE = SetUse("Chung kết", "bank", None)
OTHER_BANK = SetUse("Tuần 1 (khối B)", "other", "w1")
SAME = SetUse("Tuần 1 lại", "bank", "w1")


@pytest.mark.parametrize(("use", "others", "clash"), [
    (A1, [A2, WHOLE], None),          # distinct sets; a whole-bank round is allowed
    (A1, [OTHER_BANK], None),         # the same name in another bank is another set
    (A1, [A1], None),                 # a round never clashes with itself
    (A1, [A2, SAME], SAME),
    (WHOLE, [A1, A2, WHOLE], None),   # rounds without a set are not checked here
])
def test_shared_set(use: SetUse, others: list[SetUse], clash: SetUse | None) -> None:
    assert shared_set(use, others) is clash


def test_shared_set_message_names_both_rounds_the_set_and_the_bank() -> None:
    text = shared_set_message(A1, SAME)
    assert all(w in text for w in ("«Tuần 1»", "«Tuần 1 lại»", "«w1»", "ngân hàng bank"))


@pytest.mark.parametrize(("pool", "open_pools", "out"), [
    (["a", "b"], [], {"a", "b"}),                   # nothing open: all of it
    (["a", "b"], [["c", "d"]], {"a", "b"}),         # disjoint sets
    (["a", "b"], [["a", "b", "c"]], set()),         # an open round on the whole bank
    (["a", "b", "c"], [["c"], ["b", "x"]], {"a"}),  # only what no open round can draw
    ([], [["a"]], set()),
])
def test_released(pool: list[str], open_pools: list[list[str]], out: set[str]) -> None:
    assert released(pool, open_pools) == out
