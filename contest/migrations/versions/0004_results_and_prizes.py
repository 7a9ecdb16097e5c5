"""results and prizes (issue 7)

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import contest.storage.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rounds") as b:
        b.add_column(sa.Column("prizes", sa.JSON(), nullable=True))
        b.add_column(sa.Column("tie_breaks", sa.JSON(), nullable=True))
    op.create_table(
        "round_draws",
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("rounds.id"), primary_key=True),
        sa.Column("seed", sa.LargeBinary(), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=False),
        sa.Column("committed_at", contest.storage.types.UTCDateTime(timezone=True),
                  nullable=False),
    )
    op.create_table(
        "round_results",
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("rounds.id"), primary_key=True),
        sa.Column("finalised_at", contest.storage.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column("actual_figure", sa.Integer(), nullable=True),
        sa.Column("entrants", sa.Integer(), nullable=False),
        sa.Column("eligible", sa.Integer(), nullable=False),
        sa.Column("chain", sa.JSON(), nullable=True),
        sa.Column("prizes", sa.JSON(), nullable=True),
        sa.Column("seed_hex", sa.String(length=64), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=False),
        sa.Column("committed_before_open", sa.Boolean(), nullable=False),
        sa.Column("eligible_hash", sa.String(length=64), nullable=False),
        sa.Column("engine_version", sa.String(length=32), nullable=False),
    )
    op.create_table(
        "final_rankings",
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("rounds.id"), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("chain_rank", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.String(length=32), nullable=False),
        sa.Column("attempt_id", sa.String(length=32), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=False),
        sa.Column("split_key", sa.String(length=64), nullable=False),
        sa.Column("score_milli", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("submitted_ms", sa.BigInteger(), nullable=False),
        sa.Column("prediction", sa.BigInteger(), nullable=True),
        sa.Column("distance", sa.BigInteger(), nullable=True),
        sa.Column("tied", sa.Boolean(), nullable=False),
        sa.Column("draw_key", sa.String(length=64), nullable=False),
        sa.Column("exclusion", sa.String(length=32), nullable=True),
        sa.UniqueConstraint("round_id", "participant_id"),
    )
    op.create_index("ix_final_rankings_round_unit", "final_rankings", ["round_id", "unit_code"])
    op.create_table(
        "prize_awards",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("rounds.id"), nullable=False),
        sa.Column("contest_id", sa.Integer(), sa.ForeignKey("contests.id"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("participant_id", sa.String(length=32), nullable=True),
        sa.Column("unit_code", sa.String(length=64), nullable=True),
        sa.Column("tier_code", sa.String(length=32), nullable=False),
        sa.Column("tier_name", sa.String(length=128), nullable=False),
        sa.Column("split_key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_index("ix_prize_awards_round_id", "prize_awards", ["round_id"])
    op.create_index("ix_prize_awards_contest_participant", "prize_awards",
                    ["contest_id", "participant_id"])


def downgrade() -> None:
    op.drop_table("prize_awards")
    op.drop_table("final_rankings")
    op.drop_table("round_results")
    op.drop_table("round_draws")
    with op.batch_alter_table("rounds") as b:
        b.drop_column("tie_breaks")
        b.drop_column("prizes")
