"""attempt notes (attempt_signals) without foreign keys and without the digest index

A first start writes its attempt, its paper and its integrity note in one statement. The
note carried three foreign keys (to its attempt, its round and its participant): three
locking lookups per start, the one on the round row shared by every start of a round-open
herd. The note is written only in the statement or transaction that writes its attempt, and
no code deletes attempts, rounds or participants (a participant's purge blanks their
personal data and keeps the row), so the checks guarded nothing the code could break; the
tests and the herd's reconciliation check every note has its attempt. The index on
`answers_digest` served no query (identical answer sets are found in memory by
contest.domain.integrity) and cost an index entry per start. In a closed loop of the start's
statement, the three checks were ~0.05-0.09 ms of PostgreSQL CPU per start of ~0.9 (issue 13).

Revision ID: 0017
Revises: 0016
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite keeps these constraints unnamed; batch mode names them by this convention to drop them.
_SQLITE_NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s"}
_FKS = (("attempt_id", "attempts"), ("round_id", "rounds"), ("participant_id", "participants"))


def upgrade() -> None:
    op.drop_index("ix_attempt_signals_answers_digest", table_name="attempt_signals")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("attempt_signals", naming_convention=_SQLITE_NAMES,
                                  recreate="always") as b:
            for column, _ in _FKS:
                b.drop_constraint(f"fk_attempt_signals_{column}", type_="foreignkey")
        return
    for column, _ in _FKS:
        op.drop_constraint(f"attempt_signals_{column}_fkey", "attempt_signals",
                           type_="foreignkey")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    # the names upgrade() looks for: the convention's on SQLite, PostgreSQL's default else
    with op.batch_alter_table("attempt_signals") as b:
        for column, table in _FKS:
            b.create_foreign_key(
                f"fk_attempt_signals_{column}" if sqlite else f"attempt_signals_{column}_fkey",
                table, [column], ["id"])
    op.create_index("ix_attempt_signals_answers_digest", "attempt_signals", ["answers_digest"])
