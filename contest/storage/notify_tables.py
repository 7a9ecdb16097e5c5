"""Tables of notifications and account recovery (issue 15): the outbox, reset codes, and
which reminder passes have run; the organiser's announcements (issue 16)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from contest.domain.vocabulary import OutboxState
from contest.storage.types import UTCDateTime


def _utc() -> Any:
    return Column(UTCDateTime(), nullable=False)


def _utc_null() -> Any:
    return Column(UTCDateTime(), nullable=True)


class OutboxMessage(SQLModel, table=True):
    """One message to send, written in the transaction of the change that causes it.

    States: pending -> sending (claimed, leased until next_try_at) -> sent | pending (retry
    later) | failed (permanent error or attempts used up). The dedupe key is unique, so the
    same message can be enqueued any number of times and exists once.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "state", "channel", "next_try_at"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)  # email | sms | zalo | any name in the settings
    recipient_enc: str = Field(max_length=512)  # Fernet, like other personal data
    template: str = Field(max_length=64)
    params_enc: str = Field(sa_column=Column(Text, nullable=False))  # Fernet of the JSON params
    state: str = Field(default=OutboxState.PENDING, max_length=16)  # an OutboxState
    attempts: int = 0
    next_try_at: datetime = Field(sa_column=_utc())
    dedupe_key: str = Field(max_length=160, unique=True)
    participant_id: str | None = Field(default=None, max_length=32, index=True)
    unit_code: str | None = Field(default=None, max_length=64, index=True)  # console scope
    created_at: datetime = Field(sa_column=_utc())
    sent_at: datetime | None = Field(default=None, sa_column=_utc_null())
    last_error: str | None = Field(default=None, max_length=500)


class PasswordReset(SQLModel, table=True):
    """A one-time reset code: only its keyed hash is stored; single use, limited tries."""

    __tablename__ = "password_resets"
    id: str = Field(primary_key=True, max_length=32)
    participant_id: str = Field(foreign_key="participants.id", index=True)
    code_hash: str = Field(max_length=64)
    issued_by: str = Field(max_length=128)  # "self" or "staff:<username>"
    created_at: datetime = Field(sa_column=_utc())
    expires_at: datetime = Field(sa_column=_utc())
    used_at: datetime | None = Field(default=None, sa_column=_utc_null())
    tries: int = 0


class ReminderRun(SQLModel, table=True):
    """A finished reminder pass of one kind for one round (so it is not scanned again)."""

    __tablename__ = "reminder_runs"
    round_id: int = Field(foreign_key="rounds.id", primary_key=True)
    kind: str = Field(max_length=16, primary_key=True)  # round_open | round_closing | results
    done_at: datetime = Field(sa_column=_utc())


class Announcement(SQLModel, table=True):
    """A short notice on the contest page (published_at set), optionally sent to the people
    who opted in to reminders (notify; notified_at once every message is enqueued)."""

    __tablename__ = "announcements"
    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contests.id", index=True)
    round_id: int | None = Field(default=None, foreign_key="rounds.id")
    title: str = Field(max_length=160)
    body: str = Field(sa_column=Column(Text, nullable=False))  # plain text, paragraphs by \n
    created_at: datetime = Field(sa_column=_utc())
    created_by: str = Field(max_length=128)
    published_at: datetime | None = Field(default=None, sa_column=_utc_null())
    notify: bool = False
    notified_at: datetime | None = Field(default=None, sa_column=_utc_null())
