"""Attempt policy: deadlines, grace, counted attempt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.domain.policy import (
    Result,
    accepts_answers,
    counted,
    deadline,
    duration_ms,
    may_start,
)

T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.mark.parametrize(("limit", "close", "expected"), [
    (900, at(10_000), at(900)),
    (900, at(300), at(300)),       # the round's close cuts the attempt short
    (900, at(900), at(900)),
])
def test_deadline(limit: int, close: datetime, expected: datetime) -> None:
    assert deadline(T0, limit, close) == expected


@pytest.mark.parametrize(("now", "ok"), [(at(899), True), (at(905), True), (at(905.001), False)])
def test_accepts_answers_until_deadline_plus_grace(now: datetime, ok: bool) -> None:
    assert accepts_answers(now, at(900), grace_s=5) is ok


def test_duration_ms() -> None:
    assert duration_ms(T0, at(42.5)) == 42_500
    assert duration_ms(at(10), T0) == 0


@pytest.mark.parametrize(("done", "allowed", "ok"), [
    (0, 1, True), (1, 1, False), (2, 3, True), (3, 3, False), (999, None, True)])
def test_may_start(done: int, allowed: int | None, ok: bool) -> None:
    assert may_start(done, allowed) is ok


R = [
    Result("a1", 1, 7000, 50_000, at(100)),
    Result("a2", 2, 9000, 80_000, at(200)),
    Result("a3", 3, 9000, 60_000, at(300)),
    Result("a4", 4, 9000, 60_000, at(250)),
    Result("a5", 5, 3000, 10_000, at(400)),
]


@pytest.mark.parametrize(("policy", "expected"), [
    ("first", "a1"), ("last", "a5"),
    ("best", "a4"),  # best score, then shortest duration, then earliest submission
])
def test_counted(policy: str, expected: str) -> None:
    got = counted(R, policy)
    assert got is not None and got.attempt_id == expected


def test_counted_edge_cases() -> None:
    assert counted([], "best") is None
    with pytest.raises(ValueError, match="unknown"):
        counted(R, "median")


results = st.lists(
    st.builds(Result, attempt_id=st.uuids().map(str), number=st.integers(1, 50),
              score_milli=st.integers(0, 20_000), duration_ms=st.integers(0, 900_000),
              submitted_at=st.integers(0, 10**6).map(lambda s: at(s))),
    min_size=1, max_size=12, unique_by=lambda r: r.number)


@given(results)
def test_best_is_never_beaten(rs: list[Result]) -> None:
    best = counted(rs, "best")
    assert best is not None
    assert all(best.score_milli >= r.score_milli for r in rs)
    assert counted(list(reversed(rs)), "best") == best  # independent of input order
