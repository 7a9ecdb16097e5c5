"""Migration 0017: an attempt's integrity note carries no foreign key and no digest index,
and survives a downgrade and upgrade again."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from contest.storage.db import migrate
from tests.conftest import REAL_DB, World
from tests.storage_setup import downgrade, migrated_sqlite_diffs


@pytest.mark.skipif(REAL_DB, reason="migrates its own SQLite file")
async def test_notes_have_no_foreign_keys_and_no_digest_index(tmp_path: Path) -> None:
    diffs, (fks, indexes) = await migrated_sqlite_diffs(
        tmp_path / "m.sqlite3",
        "SELECT \"table\" FROM pragma_foreign_key_list('attempt_signals')",
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'attempt_signals' "
        "AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name")
    assert [d for d in diffs if "attempt_signals" in repr(d)] == []
    assert fks == []
    assert [i for (i,) in indexes] == ["ix_attempt_signals_participant_id",
                                       "ix_attempt_signals_round_id"]


async def test_down_and_up_again_keeps_the_notes(world: World) -> None:
    client = world.make_client()
    await world.register(client)
    start = await client.post(f"/api/v1/rounds/{world.round_id}/attempts")
    assert start.status_code == 201
    engine = world.ctx.sm.kw["bind"]
    assert await _foreign_keys(world) == 0
    await downgrade(engine, "0016")
    assert await _foreign_keys(world) == 3
    await migrate(engine)
    assert await _foreign_keys(world) == 0
    async with world.ctx.sm() as s:
        kept = (await s.execute(text("SELECT count(*) FROM attempt_signals WHERE attempt_id = :a"),
                                {"a": start.json()["attempt_id"]})).scalar_one()
    assert kept == 1


async def _foreign_keys(world: World) -> int:
    async with world.ctx.sm() as s:
        if REAL_DB:
            return int((await s.execute(text(
                "SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
                "AND conrelid = 'attempt_signals'::regclass"))).scalar_one())
        return len((await s.execute(text(
            "SELECT 1 FROM pragma_foreign_key_list('attempt_signals')"))).all())
