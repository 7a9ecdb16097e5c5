"""Tables of the organiser console: consent texts shown at registration (issue 6)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from contest.storage.types import UTCDateTime


class ConsentText(SQLModel, table=True):
    """One version of a contest's consent text and purposes (Decree 13/2023/NĐ-CP, Art. 11)."""

    __tablename__ = "consent_texts"
    __table_args__ = (UniqueConstraint("contest_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contests.id", index=True)
    version: str = Field(max_length=64)
    text: str
    purposes: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ContestDraft(SQLModel, table=True):
    """A contest being built in the console wizard: its contest file (contest/1 YAML), kept
    valid step by step, until it is published (issue 17)."""

    __tablename__ = "contest_drafts"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=255)
    document: str
    step: str = Field(default="basics", max_length=16)  # the furthest step reached
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    published_contest_id: int | None = Field(default=None, foreign_key="contests.id")
