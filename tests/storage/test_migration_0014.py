"""Migration 0014: a paper row pays for the indexes it needs and no more, and reads by
attempt still find an index."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REAL_DB
from tests.storage_setup import migrated_sqlite_diffs


@pytest.mark.skipif(REAL_DB, reason="migrates its own SQLite file")
async def test_paper_rows_are_indexed_by_attempt_only_through_their_unique_keys(
        tmp_path: Path) -> None:
    diffs, (indexes, plan) = await migrated_sqlite_diffs(
        tmp_path / "m.sqlite3",
        # the named indexes (a unique constraint's own is sqlite_autoindex_...)
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = "
        "'attempt_questions' AND name NOT LIKE 'sqlite_autoindex_%'",
        "EXPLAIN QUERY PLAN SELECT public_id FROM attempt_questions WHERE attempt_id = 'a' "
        "ORDER BY position")
    assert [d for d in diffs if "attempt_questions" in repr(d)] == []
    assert indexes == []
    assert any("USING INDEX" in str(row) and "autoindex_attempt_questions" in str(row)
               for row in plan), plan
