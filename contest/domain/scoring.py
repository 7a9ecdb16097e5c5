"""Scoring a question and an attempt; pure, in thousandths of a point."""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass

POINT = 1000  # one question is worth one point = 1000 thousandths


@dataclass(frozen=True)
class Marking:
    """A question's key and the participant's choice, as option ids."""

    kind: str  # single | multiple (true/false questions are single)
    correct: frozenset[str]
    chosen: frozenset[str]


def score_question(m: Marking, partial_credit: bool = False) -> int:
    """Thousandths earned for one question.

    All-or-nothing by default. With partial credit (multiple-choice only), each correct option
    chosen earns its share and each wrong option chosen takes one share away, floored at 0,
    so ticking every box never earns anything.
    """
    if not m.correct:
        return 0
    if m.chosen == m.correct:
        return POINT
    if not partial_credit or m.kind != "multiple" or not m.chosen:
        return 0
    right = len(m.chosen & m.correct)
    wrong = len(m.chosen - m.correct)
    return max(0, (right - wrong) * POINT // len(m.correct))


def score_attempt(markings: Iterable[Marking], partial_credit: bool = False) -> tuple[int, int]:
    """(score, max score) of an attempt, in thousandths."""
    total = maximum = 0
    for m in markings:
        total += score_question(m, partial_credit)
        maximum += POINT
    return total, maximum


def is_valid_choice(kind: str, chosen: Set[str], offered: Set[str]) -> bool:
    """True when every chosen id is offered and a single question has at most one."""
    return chosen <= offered and (kind != "single" or len(chosen) <= 1)
