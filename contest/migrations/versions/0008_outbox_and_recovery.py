"""notifications outbox and account recovery (issue 15)

The outbox of messages (e-mail, SMS, Zalo, log), one-time password-reset codes (hashed),
finished reminder passes, and two participant columns: the reminders opt-in and the
session version a password reset bumps.

Revision ID: 0008
Revises: 0006
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import contest.storage.types

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_S = sqlmodel.sql.sqltypes.AutoString
_T = contest.storage.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", _S(length=16), nullable=False),
        sa.Column("recipient_enc", _S(length=512), nullable=False),
        sa.Column("template", _S(length=64), nullable=False),
        sa.Column("params_enc", sa.Text(), nullable=False),
        sa.Column("state", _S(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", _T(timezone=True), nullable=False),
        sa.Column("dedupe_key", _S(length=160), nullable=False),
        sa.Column("participant_id", _S(length=32), nullable=True),
        sa.Column("unit_code", _S(length=64), nullable=True),
        sa.Column("created_at", _T(timezone=True), nullable=False),
        sa.Column("sent_at", _T(timezone=True), nullable=True),
        sa.Column("last_error", _S(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    with op.batch_alter_table("outbox") as b:
        b.create_index("ix_outbox_due", ["state", "channel", "next_try_at"], unique=False)
        b.create_index("ix_outbox_participant_id", ["participant_id"], unique=False)
        b.create_index("ix_outbox_unit_code", ["unit_code"], unique=False)

    op.create_table(
        "password_resets",
        sa.Column("id", _S(length=32), nullable=False),
        sa.Column("participant_id", _S(length=32), nullable=False),
        sa.Column("code_hash", _S(length=64), nullable=False),
        sa.Column("issued_by", _S(length=128), nullable=False),
        sa.Column("created_at", _T(timezone=True), nullable=False),
        sa.Column("expires_at", _T(timezone=True), nullable=False),
        sa.Column("used_at", _T(timezone=True), nullable=True),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("password_resets") as b:
        b.create_index("ix_password_resets_participant_id", ["participant_id"], unique=False)

    op.create_table(
        "reminder_runs",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("kind", _S(length=16), nullable=False),
        sa.Column("done_at", _T(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"]),
        sa.PrimaryKeyConstraint("round_id", "kind"),
    )

    with op.batch_alter_table("participants") as b:
        b.add_column(sa.Column("session_version", sa.Integer(), nullable=False,
                               server_default="0"))
        b.add_column(sa.Column("reminders", sa.Boolean(), nullable=False,
                               server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("participants") as b:
        b.drop_column("reminders")
        b.drop_column("session_version")
    op.drop_table("reminder_runs")
    op.drop_table("password_resets")
    op.drop_table("outbox")
