"""staff console and personal data (issue 6)

Phone, CCCD and e-mail of participants move to encrypted columns with keyed hashes for
look-ups (existing rows are encrypted here with the keys of the environment's settings);
consent texts get a table and participants record the version they accepted.

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import contest.storage.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _encrypt_existing() -> None:
    """Move clear-text personal data of existing rows into the encrypted columns."""
    from contest.core.crypto import cipher
    from contest.settings import Settings

    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, phone, id_number, email FROM participants")).all()
    if not rows:
        return
    c = cipher(Settings.from_env())
    for pid, phone, id_number, email in rows:
        bind.execute(
            sa.text("UPDATE participants SET phone_hash=:ph, phone_enc=:pe, id_number_enc=:ie, "
                    "id_number_hash=:ih, email_enc=:ee WHERE id=:id"),
            {"ph": c.lookup("phone", phone), "pe": c.encrypt(phone),
             "ie": c.encrypt(id_number), "ih": c.lookup("id", id_number) if id_number else None,
             "ee": c.encrypt(email), "id": pid})


def upgrade() -> None:
    op.create_table(
        "consent_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=True),
        sa.Column("created_at", contest.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contest_id"], ["contests.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contest_id", "version"),
    )
    with op.batch_alter_table("consent_texts") as b:
        b.create_index("ix_consent_texts_contest_id", ["contest_id"], unique=False)

    with op.batch_alter_table("participants") as b:
        b.add_column(sa.Column("phone_hash", sqlmodel.sql.sqltypes.AutoString(length=64),
                               nullable=True))
        b.add_column(sa.Column("phone_enc", sqlmodel.sql.sqltypes.AutoString(length=255),
                               nullable=True))
        b.add_column(sa.Column("id_number_enc", sqlmodel.sql.sqltypes.AutoString(length=255),
                               nullable=True))
        b.add_column(sa.Column("id_number_hash", sqlmodel.sql.sqltypes.AutoString(length=64),
                               nullable=True))
        b.add_column(sa.Column("email_enc", sqlmodel.sql.sqltypes.AutoString(length=512),
                               nullable=True))
        b.add_column(sa.Column("consent_version", sqlmodel.sql.sqltypes.AutoString(length=64),
                               nullable=False, server_default=""))
        b.add_column(sa.Column("purged_at", contest.storage.types.UTCDateTime(timezone=True),
                               nullable=True))
    _encrypt_existing()
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("participants_contest_id_phone_key", "participants", type_="unique")
    with op.batch_alter_table("participants") as b:
        b.drop_column("phone")
        b.drop_column("id_number")
        b.drop_column("email")
        b.create_unique_constraint("uq_participants_contest_phone_hash",
                                   ["contest_id", "phone_hash"])
        b.create_index("ix_participants_id_number_hash", ["id_number_hash"], unique=False)


def downgrade() -> None:
    # The clear text cannot come back without the keys; refuse rather than lose data silently.
    raise RuntimeError("0005 cannot be downgraded: personal data is encrypted")
