"""SQL tables: the system of record."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    UniqueConstraint,
    false,
    text,
)
from sqlmodel import Field, SQLModel

from contest.domain.draw import LATEST_DRAW
from contest.domain.vocabulary import AttemptStatus, RoundKind
from contest.storage.types import UTCDateTime


def _utc() -> Any:
    return Column(UTCDateTime(), nullable=False)


def _utc_null() -> Any:
    return Column(UTCDateTime(), nullable=True)


class Unit(SQLModel, table=True):
    """A node of the administrative-unit tree (province > district/commune > unit or school)."""

    __tablename__ = "units"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=255)
    parent_code: str | None = Field(default=None, max_length=64, index=True)
    level: int = 1
    headcount: int | None = None


class Contest(SQLModel, table=True):
    """A contest: its public text, participant groups and registration rules."""

    __tablename__ = "contests"
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    title: str = Field(max_length=255)
    # issue 17: who runs it (e.g. "Sở Tư pháp tỉnh Bình Phước"), from the wizard or the file
    organiser: str = Field(default="", max_length=255,
                           sa_column_kwargs={"server_default": ""})
    rules: str = ""
    groups: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON))
    unit_root: str | None = Field(default=None, max_length=64)
    min_age: int | None = None
    visible: bool = True
    created_at: datetime = Field(sa_column=_utc())
    # Who issues the official lists (contest.domain.documents), from the contest file.
    documents: dict[str, Any] = Field(default_factory=dict,
                                      sa_column=Column(JSON, nullable=False, default=dict))
    # issue 15: the Zalo Official Account id of the share button (None: no Zalo button)
    zalo_oa_id: str | None = Field(default=None, max_length=32)


class Bank(SQLModel, table=True):
    """A question bank, identified by its stable code; its content lives in versions."""

    __tablename__ = "banks"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, index=True)
    title: str = Field(max_length=255)


class BankVersion(SQLModel, table=True):
    """One immutable import of a bank; rounds pin a version."""

    __tablename__ = "bank_versions"
    __table_args__ = (UniqueConstraint("bank_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    bank_id: int = Field(foreign_key="banks.id", index=True)
    number: int
    label: str = Field(default="", max_length=64)
    language: str = Field(default="vi", max_length=16)
    sources: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    content_hash: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=_utc())


class Question(SQLModel, table=True):
    """A question of one bank version."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("bank_version_id", "ext_id"),)
    id: int | None = Field(default=None, primary_key=True)
    bank_version_id: int = Field(foreign_key="bank_versions.id", index=True)
    ext_id: str = Field(max_length=64)
    kind: str = Field(max_length=16)
    text: str
    topic: str = Field(default="", max_length=255)
    difficulty: str = Field(default="medium", max_length=16)
    basis: str = ""
    explanation: str | None = None
    # issue 16: a named disjoint part of the bank a round can draw from ("" = none)
    question_set: str = Field(default="", max_length=64)


class Option(SQLModel, table=True):
    """An option of a question; `correct` never leaves the server before the round closes."""

    __tablename__ = "options"
    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="questions.id", index=True)
    position: int
    text: str
    correct: bool = False


class Round(SQLModel, table=True):
    """A timed round of a contest, with its draw rules and attempt policy."""

    __tablename__ = "rounds"
    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contests.id", index=True)
    title: str = Field(max_length=255)
    kind: str = Field(default=RoundKind.RANKED, max_length=16)  # a RoundKind
    opens_at: datetime = Field(sa_column=_utc())
    closes_at: datetime = Field(sa_column=_utc())
    bank_version_id: int = Field(foreign_key="bank_versions.id")
    # issue 16: draw only from this question set of the bank (None: the whole bank)
    question_set: str | None = Field(default=None, max_length=64)
    questions_per_attempt: int = 10
    quotas: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    time_limit_s: int = 900
    grace_s: int = 5
    # None: unlimited. No column default, so an explicit None is stored as NULL (with a
    # column default the ORM would drop the None and store the default instead).
    max_attempts: int | None = Field(default=1, sa_column=Column(Integer, nullable=True))
    counting: str = Field(default="best", max_length=8)  # best | first | last
    partial_credit: bool = False
    prediction_prompt: str | None = None
    prediction_kind: str | None = Field(default=None, max_length=32)  # participants | perfect
    secret: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    finalised_at: datetime | None = Field(default=None, sa_column=_utc_null())
    # issue 7: the prize structure (shape in contest/domain/prizes.py, docs/results.md) and
    # the final tie-break chain (e.g. ["score", "duration", "prediction", "submitted"])
    prizes: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    tie_breaks: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # issue 14: when a participant sees their score: "submit" | "close"; None: the default
    # rule (contest.domain.policy.score_visible: after the close for multi-attempt ranked rounds)
    score_shown: str | None = Field(default=None, max_length=8)
    # issue 17: a final round open only to the best N of earlier rounds
    # (contest.domain.qualify: {"best_per_round": N, "from": [titles], "ties": "draw"})
    qualify: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # Public board frozen from this time until revealed (staff still see the live board).
    board_frozen_at: datetime | None = Field(default=None, sa_column=_utc_null())
    # Board updates missed while Redis was unreachable; the sweep rebuilds while > 0.
    board_stale: int = 0
    # The draw its papers are made with (contest.domain.draw.DRAW_VERSIONS): new rounds the
    # latest; rounds from before version 2 keep 1 (the column's default), so every kept
    # paper still re-derives exactly.
    draw_version: int = Field(default=LATEST_DRAW, sa_column_kwargs={"server_default": "1"})


class Participant(SQLModel, table=True):
    """A registered citizen of one contest; the phone is the login."""

    __tablename__ = "participants"
    # Issue 6: phone, CCCD and e-mail are stored encrypted (contest.core.crypto); the
    # phone's keyed hash is the login look-up. NULL after a retention purge.
    __table_args__ = (UniqueConstraint("contest_id", "phone_hash",
                                       name="uq_participants_contest_phone_hash"),)
    id: str = Field(primary_key=True, max_length=32)
    contest_id: int = Field(foreign_key="contests.id", index=True)
    phone_hash: str | None = Field(default=None, max_length=64)
    phone_enc: str | None = Field(default=None, max_length=255)
    password_hash: str = Field(max_length=255)
    full_name: str = Field(max_length=255)
    birth_date: date
    gender: str | None = Field(default=None, max_length=8)
    unit_code: str = Field(max_length=64, index=True)
    group_code: str = Field(max_length=64)
    id_number_enc: str | None = Field(default=None, max_length=255)
    id_number_hash: str | None = Field(default=None, max_length=64, index=True)
    email_enc: str | None = Field(default=None, max_length=512)
    consent_at: datetime = Field(sa_column=_utc())
    consent_version: str = Field(default="", max_length=64)
    purged_at: datetime | None = Field(default=None, sa_column=_utc_null())
    created_at: datetime = Field(sa_column=_utc())
    # issue 15: bumped by a password reset; a session carrying an older value is over
    session_version: int = Field(default=0, sa_column=Column(Integer, nullable=False,
                                                             server_default="0"))
    # issue 15: the participant asked for reminders (round opens, closes in 24 h, results)
    reminders: bool = Field(default=False, sa_column=Column(Boolean, nullable=False,
                                                            server_default=false()))


class Attempt(SQLModel, table=True):
    """One attempt of a participant in a round; submitted exactly once."""

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("participant_id", "round_id", "number"),
        # At most one running attempt per participant and round, even under concurrent starts.
        Index(
            "uq_attempts_one_running",
            "participant_id",
            "round_id",
            unique=True,
            sqlite_where=text("status = 'running'"),
            postgresql_where=text("status = 'running'"),
        ),
        Index("ix_attempts_running_deadline", "status", "deadline"),
    )
    id: str = Field(primary_key=True, max_length=32)
    round_id: int = Field(foreign_key="rounds.id", index=True)
    # no index of its own: the unique (participant_id, round_id, number) leads with it
    # (migration 0015)
    participant_id: str = Field(foreign_key="participants.id")
    number: int
    status: str = Field(default=AttemptStatus.RUNNING, max_length=16)  # an AttemptStatus
    started_at: datetime = Field(sa_column=_utc())
    deadline: datetime = Field(sa_column=_utc())
    submitted_at: datetime | None = Field(default=None, sa_column=_utc_null())
    auto_submitted: bool = False
    score_milli: int | None = None
    max_score_milli: int | None = None
    duration_ms: int | None = None
    prediction: int | None = None
    user_agent: str | None = Field(default=None, max_length=255)


class AttemptQuestion(SQLModel, table=True):
    """A question as drawn onto an attempt's paper, with its public ids (persisted draw)."""

    __tablename__ = "attempt_questions"
    # A start writes 20 of these rows, so each carries one index entry (migrations 0014,
    # 0015): the key the answer save's guard looks up, whose leading column serves every
    # read by attempt. No foreign keys either: the rows are written only with their attempt
    # and never changed, and 40 referential checks per start were a third of its database
    # time under the round-open herd. Positions are 0..n-1 from the one insert of a paper.
    attempt_id: str = Field(primary_key=True)
    public_id: str = Field(primary_key=True, max_length=32)
    position: int
    question_id: int
    # [[option_id, public_option_id], ...] in display order
    options: list[list[Any]] = Field(default_factory=list, sa_column=Column(JSON))


class Answer(SQLModel, table=True):
    """The participant's current choice for one question of an attempt (upserted)."""

    __tablename__ = "answers"
    attempt_id: str = Field(foreign_key="attempts.id", primary_key=True)
    question_public_id: str = Field(primary_key=True, max_length=32)
    option_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    saved_at: datetime = Field(sa_column=_utc())
    # The server time of the first save (kept by later saves): the integrity review's timing.
    first_saved_at: datetime | None = Field(default=None, sa_column=_utc_null())
    saves: int = 1


class RoundEntry(SQLModel, table=True):
    """A participant's standing in a round: the locked prediction and the counted attempt."""

    __tablename__ = "round_entries"
    round_id: int = Field(foreign_key="rounds.id", primary_key=True)
    participant_id: str = Field(foreign_key="participants.id", primary_key=True)
    prediction: int | None = None
    counted_attempt_id: str | None = Field(default=None, foreign_key="attempts.id")
    attempts_submitted: int = 0


class Staff(SQLModel, table=True):
    """An organiser-side account: admin, organiser, unit officer or viewer."""

    __tablename__ = "staff"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    full_name: str = Field(default="", max_length=255)
    role: str = Field(max_length=16)  # a StaffRole
    unit_code: str | None = Field(default=None, max_length=64)  # scope of a unit officer
    totp_secret: str | None = Field(default=None, max_length=64)
    active: bool = True
    created_at: datetime = Field(sa_column=_utc())


class AuditEvent(SQLModel, table=True):
    """Who did what, when, from where: logins, configuration, reviews, exports, data views."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_utc())
    actor: str = Field(max_length=128)  # "staff:<username>", "participant:<id>", "cli", "system"
    action: str = Field(max_length=64, index=True)
    target: str = Field(default="", max_length=255)
    ip: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
