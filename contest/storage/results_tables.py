"""Tables of round results: the draw commitment, the final ranking, prizes (issue 7)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from contest.domain.vocabulary import PrizeKind
from contest.storage.types import UTCDateTime


class RoundDraw(SQLModel, table=True):
    """The secret seed of a round's draw and its public commitment (SHA-256 of the seed)."""

    __tablename__ = "round_draws"
    round_id: int = Field(foreign_key="rounds.id", primary_key=True)
    seed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    commitment: str = Field(max_length=64)
    committed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class RoundResult(SQLModel, table=True):
    """What finalisation fixed for a round: the figures, the chain, the draw's evidence."""

    __tablename__ = "round_results"
    round_id: int = Field(foreign_key="rounds.id", primary_key=True)
    finalised_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    actual_figure: int | None = None
    entrants: int = 0
    eligible: int = 0
    chain: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    prizes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    seed_hex: str = Field(max_length=64)
    commitment: str = Field(max_length=64)
    committed_before_open: bool = False
    eligible_hash: str = Field(max_length=64)
    engine_version: str = Field(max_length=32)


class FinalRanking(SQLModel, table=True):
    """One entrant's final place in a round (every counted attempt, eligible or not)."""

    __tablename__ = "final_rankings"
    __table_args__ = (
        UniqueConstraint("round_id", "participant_id"),
        Index("ix_final_rankings_round_unit", "round_id", "unit_code"),
    )
    # No foreign key on PostgreSQL (migration 0009): derived rows, written in bulk.
    round_id: int = Field(primary_key=True)
    position: int = Field(primary_key=True)
    chain_rank: int
    participant_id: str = Field(max_length=32)
    attempt_id: str = Field(max_length=32)
    unit_code: str = Field(max_length=64)
    split_key: str = Field(default="", max_length=64)
    score_milli: int
    duration_ms: int
    submitted_ms: int = Field(sa_type=BigInteger)  # ms after the round opened
    prediction: int | None = Field(default=None, sa_type=BigInteger)
    distance: int | None = Field(default=None, sa_type=BigInteger)
    tied: bool = False
    draw_key: str = Field(max_length=64)
    exclusion: str | None = Field(default=None, max_length=32)


class PrizeAward(SQLModel, table=True):
    """A prize of a finalised round: to a participant (individual) or a unit (collective)."""

    __tablename__ = "prize_awards"
    __table_args__ = (Index("ix_prize_awards_contest_participant", "contest_id",
                            "participant_id"),)
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id", index=True)
    contest_id: int = Field(foreign_key="contests.id")
    kind: str = Field(default=PrizeKind.INDIVIDUAL, max_length=16)  # a PrizeKind
    participant_id: str | None = Field(default=None, max_length=32)
    unit_code: str | None = Field(default=None, max_length=64)
    tier_code: str = Field(max_length=32)
    tier_name: str = Field(max_length=128)
    split_key: str = Field(default="", max_length=64)
    position: int


class RoundQualifier(SQLModel, table=True):
    """A participant who may enter a final round (its `qualify` rule), from which source round
    and at which place there; written whole when the qualification is opened (issue 17)."""

    __tablename__ = "round_qualifiers"
    round_id: int = Field(foreign_key="rounds.id", primary_key=True)
    participant_id: str = Field(primary_key=True, max_length=32)
    source_round_id: int = Field(index=True)
    position: int
