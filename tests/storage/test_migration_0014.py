"""Migration 0014: a paper row pays for the indexes it needs and no more, and reads by
attempt still find an index."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import contest.storage.all_tables  # noqa: F401 - every table
from contest.storage.db import make_engine, migrate
from tests.conftest import REAL_DB


@pytest.mark.skipif(REAL_DB, reason="migrates its own SQLite file")
async def test_paper_rows_are_indexed_by_attempt_only_through_their_unique_keys(
        tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/m.sqlite3")
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            diffs = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync),
                                              SQLModel.metadata))
            indexes = await conn.run_sync(
                lambda sync: inspect(sync).get_indexes("attempt_questions"))
            plan = (await conn.execute(text(
                "EXPLAIN QUERY PLAN SELECT public_id FROM attempt_questions "
                "WHERE attempt_id = 'a' ORDER BY position"))).all()
    finally:
        await engine.dispose()
    assert [d for d in diffs if "attempt_questions" in repr(d)] == []
    assert [i["name"] for i in indexes] == []  # only the unique constraints' own indexes
    assert any("USING INDEX" in str(row) and "autoindex_attempt_questions" in str(row)
               for row in plan), plan
