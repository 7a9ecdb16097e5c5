"""Scoring: table tests and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.domain.scoring import POINT, Marking, is_valid_choice, score_attempt, score_question

F = frozenset


@pytest.mark.parametrize(("kind", "correct", "chosen", "partial", "expected"), [
    ("single", F("a"), F("a"), False, 1000),
    ("single", F("a"), F("b"), False, 0),
    ("single", F("a"), F(), False, 0),
    ("single", F("a"), F("b"), True, 0),          # partial credit never applies to single
    ("multiple", F("ac"), F("ac"), False, 1000),
    ("multiple", F("ac"), F("a"), False, 0),      # all-or-nothing by default
    ("multiple", F("ac"), F("abc"), False, 0),
    ("multiple", F("ac"), F("a"), True, 500),
    ("multiple", F("ac"), F("ab"), True, 0),      # one right, one wrong cancel out
    ("multiple", F("ac"), F("abcd"), True, 0),    # ticking every box earns nothing
    ("multiple", F("abc"), F("ab"), True, 666),   # floored to thousandths
    ("multiple", F("abc"), F("abd"), True, 333),
    ("multiple", F("ac"), F(), True, 0),
    ("multiple", F(), F(), False, 0),             # a question without key scores nothing
])
def test_score_question(kind: str, correct: frozenset[str], chosen: frozenset[str],
                        partial: bool, expected: int) -> None:
    assert score_question(Marking(kind, correct, chosen), partial) == expected


def test_score_attempt_sums_and_counts_max() -> None:
    marks = [Marking("single", F("a"), F("a")), Marking("single", F("a"), F("b")),
             Marking("multiple", F("ab"), F("ab"))]
    assert score_attempt(marks) == (2000, 3000)
    assert score_attempt([]) == (0, 0)


@pytest.mark.parametrize(("kind", "chosen", "ok"), [
    ("single", {"a"}, True), ("single", set(), True), ("single", {"a", "b"}, False),
    ("multiple", {"a", "b"}, True), ("multiple", {"z"}, False), ("single", {"z"}, False),
])
def test_is_valid_choice(kind: str, chosen: set[str], ok: bool) -> None:
    assert is_valid_choice(kind, chosen, {"a", "b", "c", "d"}) is ok


options = st.frozensets(st.sampled_from("abcdef"))


@given(correct=options.filter(bool), chosen=options, partial=st.booleans())
def test_score_is_bounded_and_full_only_for_exact_match(
        correct: frozenset[str], chosen: frozenset[str], partial: bool) -> None:
    got = score_question(Marking("multiple", correct, chosen), partial)
    assert 0 <= got <= POINT
    assert (got == POINT) == (chosen == correct)


@given(correct=options.filter(bool), chosen=options, extra=st.sampled_from("abcdef"))
def test_adding_a_wrong_option_never_helps(
        correct: frozenset[str], chosen: frozenset[str], extra: str) -> None:
    if extra in correct:
        return
    before = score_question(Marking("multiple", correct, chosen), True)
    after = score_question(Marking("multiple", correct, chosen | {extra}), True)
    assert after <= before or chosen == chosen | {extra}
