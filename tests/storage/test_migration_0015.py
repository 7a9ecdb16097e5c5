"""Migration 0015: paper rows carry no foreign-key checks, attempts no duplicate index, and
lookups by participant still find an index."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REAL_DB
from tests.storage_setup import migrated_sqlite_diffs


@pytest.mark.skipif(REAL_DB, reason="migrates its own SQLite file")
async def test_paper_rows_have_no_foreign_keys_and_attempts_one_index_less(
        tmp_path: Path) -> None:
    diffs, (fks, indexes, plan) = await migrated_sqlite_diffs(
        tmp_path / "m.sqlite3",
        "SELECT \"table\", \"from\" FROM pragma_foreign_key_list('attempt_questions')",
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'attempts' "
        "AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name",
        "EXPLAIN QUERY PLAN SELECT id FROM attempts WHERE participant_id = 'p'")
    assert [d for d in diffs if "attempt" in repr(d)] == []
    assert fks == []
    assert [i for (i,) in indexes] == ["ix_attempts_round_id", "ix_attempts_running_deadline",
                                       "uq_attempts_one_running"]
    assert any("USING" in str(row) and "INDEX" in str(row) for row in plan), plan
