"""Migrations 0008 and 0012 create exactly what the notification tables declare (the
outbox and recovery of issue 15, the announcements of issue 16)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import contest.storage.all_tables  # noqa: F401 - every table
from contest.storage.db import make_engine, migrate
from tests.conftest import REAL_DB

MINE = {"outbox", "password_resets", "reminder_runs", "announcements"}


def _mine(diff: Any) -> bool:
    """Whether an autogenerate difference touches issue 15's tables or columns."""
    flat = diff if isinstance(diff, tuple) else diff[0]
    text = repr(flat)
    return any(name in text for name in (*MINE, "session_version", "'reminders'"))


@pytest.mark.skipif(REAL_DB, reason="migrates its own SQLite file")
async def test_schema_matches_the_tables(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/m.sqlite3")
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            diffs = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync),
                                              SQLModel.metadata))
    finally:
        await engine.dispose()
    assert [d for d in diffs if _mine(d)] == []
