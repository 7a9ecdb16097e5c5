"""a start's paper rows with one index and no foreign keys; attempts without a duplicate index

A first start writes its attempt and 20 paper rows in one statement, and under the
round-open herd the paper rows were most of PostgreSQL's work for a start:

- each carried two foreign keys (to its attempt and to its question): 40 referential checks
  per start, each a locking lookup (the question rows, shared by every paper of the round,
  became multi-transaction locks). The rows are written only in the same statement or
  transaction as their attempt and never updated or deleted, and questions are never
  deleted, so the checks guarded nothing the code could break (the tests and the
  benchmarks' reconciliation check that every paper row has its attempt);
- each had three index entries: a surrogate `id` nothing reads (and a sequence call), a
  unique (attempt_id, position) and a unique (attempt_id, public_id). The primary key is now
  (attempt_id, public_id), the one the answer save's guard looks up; reads by attempt use
  its leading column and sort the attempt's 20 rows by position.

A pgbench of the start's insert on the two-core machine: ~2,060 starts/s before, ~2,760-3,440
without the checks, and of that state again +18-40 % with the one index (issue 13). On a
large table the new primary key is built once, here.

`ix_attempts_participant_id` duplicated the leading column of the unique
(participant_id, round_id, number), which serves every lookup by participant: one index
entry fewer per attempt.

Revision ID: 0015
Revises: 0014
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite keeps these constraints unnamed; batch mode names them by this convention to drop them.
_SQLITE_NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s",
                 "uq": "uq_%(table_name)s_%(column_0_N_name)s"}
_PAPER_FKS = (("attempt_id", "attempts"), ("question_id", "questions"))
_UNIQUES = ("attempt_id_position", "attempt_id_public_id")


def upgrade() -> None:
    op.drop_index("ix_attempts_participant_id", table_name="attempts")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("attempt_questions", naming_convention=_SQLITE_NAMES,
                                  recreate="always") as b:
            for column, _ in _PAPER_FKS:
                b.drop_constraint(f"fk_attempt_questions_{column}", type_="foreignkey")
            for columns in _UNIQUES:
                b.drop_constraint(f"uq_attempt_questions_{columns}", type_="unique")
            b.drop_column("id")
            b.create_primary_key("pk_attempt_questions", ["attempt_id", "public_id"])
        return
    for column, _ in _PAPER_FKS:
        op.drop_constraint(f"attempt_questions_{column}_fkey", "attempt_questions",
                           type_="foreignkey")
    op.drop_column("attempt_questions", "id")  # its primary key and sequence go with it
    for columns in _UNIQUES:
        op.drop_constraint(f"attempt_questions_{columns}_key", "attempt_questions",
                           type_="unique")
    op.create_primary_key("attempt_questions_pkey", "attempt_questions",
                          ["attempt_id", "public_id"])


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        with op.batch_alter_table("attempt_questions", recreate="always") as b:
            b.drop_constraint("pk_attempt_questions", type_="primary")
            b.add_column(sa.Column("id", sa.Integer(), primary_key=True))
    else:
        op.drop_constraint("attempt_questions_pkey", "attempt_questions", type_="primary")
        op.execute("ALTER TABLE attempt_questions ADD COLUMN id SERIAL PRIMARY KEY")
    # the names upgrade() looks for: the convention's on SQLite, PostgreSQL's default else
    with op.batch_alter_table("attempt_questions") as b:
        for columns in _UNIQUES:
            b.create_unique_constraint(
                f"uq_attempt_questions_{columns}" if sqlite
                else f"attempt_questions_{columns}_key",
                ["attempt_id", columns.removeprefix("attempt_id_")])
        for column, table in _PAPER_FKS:
            b.create_foreign_key(
                f"fk_attempt_questions_{column}" if sqlite
                else f"attempt_questions_{column}_fkey", table, [column], ["id"])
    op.create_index("ix_attempts_participant_id", "attempts", ["participant_id"])
