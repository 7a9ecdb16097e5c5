"""final rankings without a per-row round key (issue 13); contests.documents (issue 16)

Finalisation writes a round's whole ranking in one INSERT … SELECT; on PostgreSQL the foreign
key to rounds fired one trigger per row (about a fifth of the time of a 1M-entry round). The
rows are derived data written only by finalisation, for the round it holds locked, so the key
adds no protection there. SQLite keeps it (its check is cheap, and dropping an unnamed key
means rebuilding the table).

contests.documents (JSON) holds who issues the official lists: issuing body, place, signer,
per unit too (contest.domain.documents).

Revision ID: 0009
Revises: 0010
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK = "final_rankings_round_id_fkey"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE final_rankings DROP CONSTRAINT IF EXISTS {FK}")
    # A plain ADD COLUMN (a batch rebuild of contests would trip SQLite's foreign keys).
    op.add_column("contests", sa.Column("documents", sa.JSON(), nullable=False,
                                        server_default=sa.text("'{}'")))


def downgrade() -> None:
    op.drop_column("contests", "documents")
    if op.get_bind().dialect.name == "postgresql":
        op.create_foreign_key(FK, "final_rankings", "rounds", ["round_id"], ["id"])
