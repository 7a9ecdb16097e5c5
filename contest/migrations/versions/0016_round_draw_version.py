"""rounds.draw_version: which deterministic draw a round's papers are made with

Version 2 of the draw (contest.domain.draw) reads its keys from SHAKE-256 streams instead of
one HMAC per choice: a paper costs a third to a half of the CPU, and the draw was a fifth of
a first start's CPU at the round-open herd (issue 13). Papers are re-derived later (the paper
audit, `contest paper`), so a round must keep the draw it started with: rows that exist now
get 1; rounds created from now on get the latest version from the application.

Revision ID: 0016
Revises: 0015
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases (SQLite >= 3.35 drops columns in place): a batch
# rebuild of `rounds` would drop the table that attempts reference.
def upgrade() -> None:
    op.add_column("rounds", sa.Column("draw_version", sa.Integer(), nullable=False,
                                      server_default="1"))


def downgrade() -> None:
    op.drop_column("rounds", "draw_version")
