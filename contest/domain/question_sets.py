"""Question sets: disjoint named parts of one bank, so rounds sharing a bank keep their keys apart.

A question belongs to at most one set (one column of the bank), so sets are disjoint by
construction; what can go wrong is two rounds naming the same set, which makes the closed
round's answer key leak the open round's questions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SetUse:
    """A round's draw source: its bank (any version), and its set or None (the whole bank)."""

    round_title: str
    bank: str
    question_set: str | None


def shared_set(use: SetUse, others: Sequence[SetUse]) -> SetUse | None:
    """The first other round drawing from the same named set of the same bank, or None.

    Rounds without a set draw from the whole bank: allowed (a final round over every week's
    questions), their answer keys then wait for each other (see `released`).
    """
    if use.question_set is None:
        return None
    for other in others:
        if other is not use and other.bank == use.bank and other.question_set == use.question_set:
            return other
    return None


def shared_set_message(use: SetUse, other: SetUse) -> str:
    """The Vietnamese sentence for two rounds naming the same set."""
    return (f"đợt «{use.round_title}» và đợt «{other.round_title}» cùng dùng bộ câu hỏi "
            f"«{use.question_set}» của ngân hàng {use.bank}: mỗi đợt cần một bộ riêng để đáp "
            "án của đợt đã kết thúc được công bố mà không lộ câu hỏi của đợt kia")


def released(pool: Iterable[str], open_pools: Iterable[Iterable[str]]) -> set[str]:
    """The questions (by bank id) of a closed round's pool that no not-yet-closed round can draw."""
    still_used: set[str] = set()
    for other in open_pools:
        still_used.update(other)
    return set(pool) - still_used
