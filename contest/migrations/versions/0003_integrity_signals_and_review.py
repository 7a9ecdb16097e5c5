"""integrity signals and review (issue 5)

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import contest.storage.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, contest.storage.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "attempt_signals",
        sa.Column("attempt_id", sa.String(length=32), sa.ForeignKey("attempts.id"),
                  primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("rounds.id"), nullable=False),
        sa.Column("participant_id", sa.String(length=32), sa.ForeignKey("participants.id"),
                  nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("device", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=255), nullable=True),
        _utc("started_at"),
        sa.Column("answers", sa.JSON(), nullable=True),
        sa.Column("answers_digest", sa.String(length=32), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("hidden_changes", sa.Integer(), nullable=False, server_default="0"),
        _utc("computed_at", nullable=True),
    )
    op.create_index("ix_attempt_signals_round_id", "attempt_signals", ["round_id"])
    op.create_index("ix_attempt_signals_participant_id", "attempt_signals", ["participant_id"])
    op.create_index("ix_attempt_signals_answers_digest", "attempt_signals", ["answers_digest"])

    op.create_table(
        "integrity_flags",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("rounds.id"), nullable=False),
        sa.Column("participant_id", sa.String(length=32), sa.ForeignKey("participants.id"),
                  nullable=False),
        sa.Column("attempt_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("strength", sa.String(length=8), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        _utc("created_at"),
        sa.UniqueConstraint("round_id", "participant_id", "attempt_id", "reason"),
    )
    op.create_index("ix_integrity_flags_round_id", "integrity_flags", ["round_id"])
    op.create_index("ix_integrity_flags_participant_id", "integrity_flags", ["participant_id"])

    op.create_table(
        "review_decisions",
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("rounds.id"), primary_key=True),
        sa.Column("participant_id", sa.String(length=32), sa.ForeignKey("participants.id"),
                  primary_key=True),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.String(length=128), nullable=False),
        _utc("decided_at"),
    )

    op.create_table(
        "contest_limits",
        sa.Column("contest_id", sa.Integer(), sa.ForeignKey("contests.id"), primary_key=True),
        sa.Column("values", sa.JSON(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("contest_limits")
    op.drop_table("review_decisions")
    op.drop_index("ix_integrity_flags_participant_id", "integrity_flags")
    op.drop_index("ix_integrity_flags_round_id", "integrity_flags")
    op.drop_table("integrity_flags")
    op.drop_index("ix_attempt_signals_answers_digest", "attempt_signals")
    op.drop_index("ix_attempt_signals_participant_id", "attempt_signals")
    op.drop_index("ix_attempt_signals_round_id", "attempt_signals")
    op.drop_table("attempt_signals")
