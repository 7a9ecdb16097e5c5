"""Migration 0015: paper rows carry one index and no foreign-key checks, attempts no duplicate
index, and lookups by attempt, by paper question and by participant still find an index."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import REAL_DB, World
from tests.storage_setup import migrated_sqlite_diffs


@pytest.mark.skipif(REAL_DB, reason="migrates its own SQLite file")
async def test_paper_rows_have_one_index_no_foreign_keys_and_attempts_one_index_less(
        tmp_path: Path) -> None:
    diffs, (fks, columns, paper_indexes, save_plan, indexes, plan) = \
        await migrated_sqlite_diffs(
            tmp_path / "m.sqlite3",
            "SELECT \"table\", \"from\" FROM pragma_foreign_key_list('attempt_questions')",
            "SELECT name, pk FROM pragma_table_info('attempt_questions') ORDER BY cid",
            "SELECT name FROM pragma_index_list('attempt_questions')",
            "EXPLAIN QUERY PLAN SELECT 1 FROM attempt_questions "
            "WHERE attempt_id = 'a' AND public_id = 'q'",
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'attempts' "
            "AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name",
            "EXPLAIN QUERY PLAN SELECT id FROM attempts WHERE participant_id = 'p'")
    assert [d for d in diffs if "attempt" in repr(d)] == []
    assert fks == []
    assert "id" not in [name for name, _ in columns]
    assert sorted((pk, name) for name, pk in columns if pk) == [(1, "attempt_id"),
                                                                 (2, "public_id")]
    assert len(paper_indexes) == 1  # the primary key's
    assert any("INDEX" in str(row) and "public_id=?" in str(row) for row in save_plan), \
        save_plan
    assert [i for (i,) in indexes] == ["ix_attempts_round_id", "ix_attempts_running_deadline",
                                       "uq_attempts_one_running"]
    assert any("USING" in str(row) and "INDEX" in str(row) for row in plan), plan


@pytest.mark.skipif(not REAL_DB, reason="the real PostgreSQL's schema, as migrated for the run")
async def test_paper_rows_on_postgresql_have_one_index_and_no_foreign_keys(world: World) -> None:
    async with world.ctx.sm() as s:
        constraints = sorted((await s.execute(text(
            "SELECT contype::text, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'attempt_questions'::regclass"))).all())
        indexes = (await s.execute(text(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'attempt_questions'"))
        ).scalars().all()
        attempt_indexes = (await s.execute(text(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'attempts'"))).scalars().all()
    assert constraints == [("p", "PRIMARY KEY (attempt_id, public_id)")]
    assert indexes == ["attempt_questions_pkey"]
    assert "ix_attempts_participant_id" not in attempt_indexes
