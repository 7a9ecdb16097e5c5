"""Attempt policy: deadlines, which attempt counts, whether another may start."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from contest.domain.vocabulary import RoundKind


@dataclass(frozen=True)
class Result:
    """A submitted attempt as the policy sees it."""

    attempt_id: str
    number: int
    score_milli: int
    duration_ms: int
    submitted_at: datetime


def deadline(started_at: datetime, time_limit_s: int, closes_at: datetime) -> datetime:
    """The attempt's deadline: its time limit, cut short by the round's close."""
    return min(started_at + timedelta(seconds=time_limit_s), closes_at)


def accepts_answers(now: datetime, attempt_deadline: datetime, grace_s: int) -> bool:
    """True while answers are still accepted (deadline plus grace for network delay)."""
    return now <= attempt_deadline + timedelta(seconds=grace_s)


def duration_ms(started_at: datetime, ended_at: datetime) -> int:
    """Whole milliseconds between start and end, never negative."""
    return max(0, (ended_at - started_at) // timedelta(milliseconds=1))


def may_start(submitted_count: int, max_attempts: int | None) -> bool:
    """True when the participant has attempts left (None means unlimited)."""
    return max_attempts is None or submitted_count < max_attempts


def counted(results: Sequence[Result], counting: str) -> Result | None:
    """The attempt the round counts: best (then shortest, then earliest), first, or last.

    Raises ValueError for an unknown policy.
    """
    if not results:
        return None
    if counting == "first":
        return min(results, key=lambda r: r.number)
    if counting == "last":
        return max(results, key=lambda r: r.number)
    if counting == "best":
        return min(results, key=lambda r: (-r.score_milli, r.duration_ms, r.submitted_at))
    raise ValueError(f"unknown counting policy {counting!r}")


SCORE_SHOWN = ("submit", "close")


def score_shown_default(kind: str, max_attempts: int | None) -> str:
    """When a round shows scores unless configured: after the close for a ranked round with
    more than one attempt (each score at submit would tell which answers were right: change
    one answer, resubmit, compare), at submit otherwise."""
    if kind == RoundKind.RANKED and (max_attempts is None or max_attempts > 1):
        return "close"
    return "submit"


def score_visible(kind: str, max_attempts: int | None, score_shown: str | None,
                  now: datetime, closes_at: datetime) -> bool:
    """True when a participant may see their attempts' scores, rank and counted attempt."""
    mode = score_shown or score_shown_default(kind, max_attempts)
    return mode == "submit" or now >= closes_at
