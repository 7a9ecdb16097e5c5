"""announcements on the contest page (issue 16 item 11)

Short notices the organiser publishes (title, plain-text body, optional round), shown on the
public contest page while published, optionally sent through the outbox to the participants
who opted in to reminders. The winner notices (item 9) need no table: they are outbox rows
with the dedupe key winner:<round>:<participant>.

Revision ID: 0012
Revises: 0007
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import contest.storage.types

revision: str = "0012"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_S = sqlmodel.sql.sqltypes.AutoString
_T = contest.storage.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("title", _S(length=160), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", _T(timezone=True), nullable=False),
        sa.Column("created_by", _S(length=128), nullable=False),
        sa.Column("published_at", _T(timezone=True), nullable=True),
        sa.Column("notify", sa.Boolean(), nullable=False),
        sa.Column("notified_at", _T(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["contest_id"], ["contests.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("announcements") as b:
        b.create_index("ix_announcements_contest_id", ["contest_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("announcements") as b:
        b.drop_index("ix_announcements_contest_id")
    op.drop_table("announcements")
