"""a start's paper rows without foreign-key checks, attempts without a duplicate index

A first start writes its attempt and 20 paper rows in one statement. Each paper row carried
two foreign keys (to its attempt and to its question), so a start ran 40 referential checks,
each a locking lookup (the question rows, shared by every paper of the round, became
multi-transaction locks under the round-open herd). The rows are written only in the same
statement or transaction as their attempt and never updated or deleted, and questions are
never deleted either, so the checks guarded nothing the code could break (the tests and the
benchmarks' reconciliation check that every paper row has its attempt). A pgbench of the
start's insert on the two-core machine: ~2,060 starts/s with the checks, ~2,760-3,440
without (issue 13).

`ix_attempts_participant_id` duplicated the leading column of the unique
(participant_id, round_id, number), which serves every lookup by participant: one index
entry fewer per attempt.

Revision ID: 0015
Revises: 0014
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite keeps foreign keys unnamed; batch mode names them by this convention to drop them.
_SQLITE_NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s"}
_PAPER_FKS = (("attempt_id", "attempts"), ("question_id", "questions"))


def upgrade() -> None:
    op.drop_index("ix_attempts_participant_id", table_name="attempts")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("attempt_questions", naming_convention=_SQLITE_NAMES) as b:
            for column, _ in _PAPER_FKS:
                b.drop_constraint(f"fk_attempt_questions_{column}", type_="foreignkey")
    else:
        for column, _ in _PAPER_FKS:
            op.drop_constraint(f"attempt_questions_{column}_fkey", "attempt_questions",
                               type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("attempt_questions") as b:
        for column, table in _PAPER_FKS:
            b.create_foreign_key(f"attempt_questions_{column}_fkey", table, [column], ["id"])
    op.create_index("ix_attempts_participant_id", "attempts", ["participant_id"])
