"""final rounds for the best N of each week, and the contest's Zalo share button

Rounds get a `qualify` rule (issue 17 item 8); `round_qualifiers` holds who qualified for a
final, filled when the qualification is opened, read by the attempt start in its own
statement. Contests get the Zalo Official Account id of the share button (issue 15 item 11).

Revision ID: 0013
Revises: 0011
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rounds") as b:
        b.add_column(sa.Column("qualify", sa.JSON(), nullable=True))
    with op.batch_alter_table("contests") as b:
        b.add_column(sa.Column("zalo_oa_id", sqlmodel.sql.sqltypes.AutoString(length=32),
                               nullable=True))
    op.create_table(
        "round_qualifiers",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sqlmodel.sql.sqltypes.AutoString(length=32),
                  nullable=False),
        sa.Column("source_round_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"]),
        sa.PrimaryKeyConstraint("round_id", "participant_id"),
    )
    op.create_index("ix_round_qualifiers_source_round_id", "round_qualifiers",
                    ["source_round_id"])


def downgrade() -> None:
    op.drop_index("ix_round_qualifiers_source_round_id", table_name="round_qualifiers")
    op.drop_table("round_qualifiers")
    with op.batch_alter_table("contests") as b:
        b.drop_column("zalo_oa_id")
    with op.batch_alter_table("rounds") as b:
        b.drop_column("qualify")
