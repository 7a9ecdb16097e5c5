"""the first save of an answer as a column (issue 13)

The answer-time note used to be a Redis hash written by a second round trip on every save;
the save's own upsert now writes it (kept on conflict), so it is durable and costs nothing.
Existing rows take their last save time, the best that is known for them.

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import contest.storage.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_saved_at",
                                      contest.storage.types.UTCDateTime(timezone=True),
                                      nullable=True))
    op.execute("UPDATE answers SET first_saved_at = saved_at")


def downgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_column("first_saved_at")
