"""when a round shows a participant's score (issue 14)

A score shown at each submit is an answer oracle when a round allows several attempts:
rounds get a setting, "submit" or "close"; NULL keeps the default rule
(contest.domain.policy.score_visible).

Revision ID: 0007
Revises: 0009
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rounds") as b:
        b.add_column(sa.Column("score_shown", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rounds") as b:
        b.drop_column("score_shown")
