"""The round-state rule, table-driven, and the vocabulary's strings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contest.domain.vocabulary import AttemptStatus, RoundState, StaffRole, round_state

OPENS = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
CLOSES = OPENS + timedelta(hours=2)
GRACE_S = 30
FINALISED = CLOSES + timedelta(days=1)


def at(**delta: float) -> datetime:
    return CLOSES + timedelta(**delta)


@pytest.mark.parametrize(("now", "grace_s", "finalised_at", "state", "public"), [
    (OPENS - timedelta(seconds=1), GRACE_S, None, RoundState.UPCOMING, RoundState.UPCOMING),
    (OPENS, GRACE_S, None, RoundState.OPEN, RoundState.OPEN),
    (at(seconds=-1), GRACE_S, None, RoundState.OPEN, RoundState.OPEN),
    (CLOSES, GRACE_S, None, RoundState.GRACE, RoundState.CLOSED),
    (at(seconds=GRACE_S - 1), GRACE_S, None, RoundState.GRACE, RoundState.CLOSED),
    (at(seconds=GRACE_S), GRACE_S, None, RoundState.CLOSED, RoundState.CLOSED),
    (CLOSES, 0, None, RoundState.CLOSED, RoundState.CLOSED),  # no grace: closed at once
    (at(days=2), GRACE_S, None, RoundState.CLOSED, RoundState.CLOSED),
    (at(days=2), GRACE_S, FINALISED, RoundState.FINALISED, RoundState.FINALISED),
    # finalisation wins over the clock (a round is never re-opened by a clock error)
    (OPENS - timedelta(days=1), GRACE_S, FINALISED, RoundState.FINALISED, RoundState.FINALISED),
])
def test_round_state(now: datetime, grace_s: int, finalised_at: datetime | None,
                     state: RoundState, public: RoundState) -> None:
    got = round_state(now, OPENS, CLOSES, grace_s, finalised_at)
    assert got is state
    assert got.public is public


def test_members_are_the_stored_strings() -> None:
    assert AttemptStatus.RUNNING == "running" and f"{AttemptStatus.SUBMITTED}" == "submitted"
    assert [r.value for r in StaffRole] == ["admin", "organiser", "unit_officer", "viewer"]
