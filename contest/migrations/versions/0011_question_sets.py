"""question sets: a bank split into disjoint named sets, a round drawing from one (issue 16)

Weekly rounds sharing one bank each draw from their own set, so a closed round's answer key
can be published while the others are still open.

Revision ID: 0011
Revises: 0012
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("questions") as b:
        b.add_column(sa.Column("question_set", sa.String(length=64), nullable=False,
                               server_default=""))
    with op.batch_alter_table("rounds") as b:
        b.add_column(sa.Column("question_set", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rounds") as b:
        b.drop_column("question_set")
    with op.batch_alter_table("questions") as b:
        b.drop_column("question_set")
