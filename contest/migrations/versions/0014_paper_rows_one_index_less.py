"""a start's paper rows without the index that duplicated a unique one

`attempt_questions` had an index on `attempt_id` alone besides the unique constraints on
(attempt_id, position) and (attempt_id, public_id), whose leading column already serves every
lookup by attempt (and the foreign key's checks). A start writes 20 paper rows; each paid one
index entry more for nothing (issue 13: a first start's insert ran ~5-15 % faster without it
in a pgbench of that statement).

Revision ID: 0014
Revises: 0013
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_attempt_questions_attempt_id", table_name="attempt_questions")


def downgrade() -> None:
    op.create_index("ix_attempt_questions_attempt_id", "attempt_questions", ["attempt_id"])
