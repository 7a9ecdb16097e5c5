"""Migrations 0008 and 0012 create exactly what the notification tables declare (the
outbox and recovery of issue 15, the announcements of issue 16)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REAL_DB
from tests.storage_setup import migrated_sqlite_diffs

MINE = {"outbox", "password_resets", "reminder_runs", "announcements"}


def _mine(diff: Any) -> bool:
    """Whether an autogenerate difference touches issue 15's tables or columns."""
    flat = diff if isinstance(diff, tuple) else diff[0]
    text = repr(flat)
    return any(name in text for name in (*MINE, "session_version", "'reminders'"))


@pytest.mark.skipif(REAL_DB, reason="migrates its own SQLite file")
async def test_schema_matches_the_tables(tmp_path: Path) -> None:
    diffs, _ = await migrated_sqlite_diffs(tmp_path / "m.sqlite3")
    assert [d for d in diffs if _mine(d)] == []
