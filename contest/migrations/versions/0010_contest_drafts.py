"""contest drafts of the console wizard and the contest's organiser (issue 17)

A draft holds the contest file (contest/1 YAML) the wizard builds step by step until it is
published; contests get the organiser's name (shown in the console and the contest file).

Revision ID: 0010
Revises: 0008
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import contest.storage.types

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contest_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("document", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("step", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", contest.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", contest.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_contest_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["published_contest_id"], ["contests.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contests") as b:
        b.add_column(sa.Column("organiser", sqlmodel.sql.sqltypes.AutoString(length=255),
                               nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("contests") as b:
        b.drop_column("organiser")
    op.drop_table("contest_drafts")
