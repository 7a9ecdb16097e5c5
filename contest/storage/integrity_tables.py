"""Tables of the integrity review: signals per attempt, flags, decisions, per-contest limits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from contest.storage.types import UTCDateTime


class AttemptSignals(SQLModel, table=True):
    """What the server saw of one attempt: where it came from and how fast it was answered."""

    __tablename__ = "attempt_signals"
    # No foreign keys (migration 0017): a note is written only in the statement or the
    # transaction that writes its attempt, and attempts, rounds and participants are never
    # deleted; the three checks cost every first start three locking lookups (one on the
    # round row every start of the herd shares).
    attempt_id: str = Field(primary_key=True, max_length=32)
    round_id: int = Field(index=True)
    participant_id: str = Field(index=True, max_length=32)
    ip: str | None = Field(default=None, max_length=64)
    device: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=255)
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # [[question id, [option ids], ms since the previous answer], ...] in answering order
    answers: list[list[Any]] | None = Field(default=None, sa_column=Column(JSON))
    # compared in memory (contest.domain.integrity), never looked up: no index (0017)
    answers_digest: str | None = Field(default=None, max_length=32)
    duration_ms: int | None = None
    hidden_changes: int = 0
    computed_at: datetime | None = Field(default=None,
                                         sa_column=Column(UTCDateTime(), nullable=True))


class IntegrityFlag(SQLModel, table=True):
    """A detector's verdict on a participant in a round; never changes a score."""

    __tablename__ = "integrity_flags"
    __table_args__ = (UniqueConstraint("round_id", "participant_id", "attempt_id", "reason"),)
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id", index=True)
    participant_id: str = Field(foreign_key="participants.id", index=True, max_length=32)
    attempt_id: str = Field(default="", max_length=32)  # "" for flags across attempts
    reason: str = Field(max_length=64)
    strength: str = Field(max_length=8)  # weak | medium | strong
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ReviewDecision(SQLModel, table=True):
    """An organiser's latest decision on a participant in a round (history: the audit log)."""

    __tablename__ = "review_decisions"
    round_id: int = Field(foreign_key="rounds.id", primary_key=True)
    participant_id: str = Field(foreign_key="participants.id", primary_key=True, max_length=32)
    decision: str = Field(max_length=16)  # cleared | disqualified
    reason: str
    reviewer: str = Field(max_length=128)
    decided_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ContestLimits(SQLModel, table=True):
    """A contest's overrides of the throttle and gate settings, e.g. {"answer": "200/60"}."""

    __tablename__ = "contest_limits"
    contest_id: int = Field(foreign_key="contests.id", primary_key=True)
    values: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
