"""The engine's one vocabulary: states, kinds, roles and channels as StrEnums.

Each member is the very string stored in SQL, sent in the API and compared in templates, so
`AttemptStatus.RUNNING == "running"`; code names members, never bare strings. The round-state
rule lives here once (round_state), for the public pages and the console alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class AttemptStatus(StrEnum):
    """An attempt is running until it is submitted (by the participant or at its deadline)."""

    RUNNING = "running"
    SUBMITTED = "submitted"


class RoundKind(StrEnum):
    """A ranked round counts for prizes; a practice round is never ranked."""

    RANKED = "ranked"
    PRACTICE = "practice"


class RoundState(StrEnum):
    """Where a round stands at a moment (round_state)."""

    UPCOMING = "upcoming"
    OPEN = "open"
    GRACE = "grace"  # closed to new starts, answers in flight still accepted
    CLOSED = "closed"
    FINALISED = "finalised"

    @property
    def public(self) -> RoundState:
        """The state the public API shows: the grace period is already closed to the public."""
        return RoundState.CLOSED if self is RoundState.GRACE else self


def round_state(now: datetime, opens_at: datetime, closes_at: datetime, grace_s: int,
                finalised_at: datetime | None) -> RoundState:
    """The round's state at now: finalised, else upcoming before it opens, open until it
    closes, grace for grace_s seconds after (answers in flight are accepted), then closed."""
    if finalised_at is not None:
        return RoundState.FINALISED
    if now < opens_at:
        return RoundState.UPCOMING
    if now < closes_at:
        return RoundState.OPEN
    if now < closes_at + timedelta(seconds=grace_s):
        return RoundState.GRACE
    return RoundState.CLOSED


class StaffRole(StrEnum):
    """Console roles, from the most to the least powerful (docs/console.md)."""

    ADMIN = "admin"
    ORGANISER = "organiser"
    UNIT_OFFICER = "unit_officer"
    VIEWER = "viewer"


class OutboxState(StrEnum):
    """A notification's delivery state in the outbox (docs/notifications.md)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class ChannelName(StrEnum):
    """The channel names the engine itself addresses; deployments may configure more."""

    EMAIL = "email"
    SMS = "sms"
    ZALO = "zalo"


class PrizeKind(StrEnum):
    """A prize goes to one person or to a unit."""

    INDIVIDUAL = "individual"
    COLLECTIVE = "collective"
