"""live boards (issue 4)

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import contest.storage.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rounds") as b:
        b.add_column(sa.Column("board_frozen_at", contest.storage.types.UTCDateTime(timezone=True),
                               nullable=True))
        b.add_column(sa.Column("board_stale", sa.Integer(), nullable=False,
                               server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("rounds") as b:
        b.drop_column("board_stale")
        b.drop_column("board_frozen_at")
