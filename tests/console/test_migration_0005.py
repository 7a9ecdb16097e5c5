"""Migration 0005 encrypts the personal data of rows that existed before it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from contest.core import crypto
from contest.settings import Settings
from contest.storage.db import make_engine, migrate
from tests.conftest import REAL_DB


@pytest.mark.skipif(REAL_DB, reason="migrates its own SQLite file from 0004")
async def test_existing_rows_are_encrypted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTEST_DEV", "1")
    monkeypatch.delenv("CONTEST_DATA_KEYS", raising=False)
    monkeypatch.delenv("CONTEST_LOOKUP_KEY", raising=False)
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/m.sqlite3")
    try:
        await migrate(engine, "0004")
        async with engine.begin() as conn:
            await conn.execute(text(
                "INSERT INTO contests (slug, title, rules, groups, visible, created_at) "
                "VALUES ('c', 'C', '', '[]', 1, '2026-11-01 00:00:00.000000')"))
            await conn.execute(text(
                "INSERT INTO participants (id, contest_id, phone, password_hash, full_name, "
                "birth_date, unit_code, group_code, id_number, email, consent_at, created_at) "
                "VALUES ('p1', 1, '0912345678', 'h', 'A B', '1990-01-01', 'U', 'g', "
                "'079123456789', 'a@b.vn', '2026-11-01 00:00:00.000000', "
                "'2026-11-01 00:00:00.000000')"))
        await migrate(engine)
        async with engine.connect() as conn:
            row = (await conn.execute(text(
                "SELECT phone_hash, phone_enc, id_number_enc, email_enc FROM participants"
            ))).one()
            cols = [r[1] for r in (await conn.execute(text("PRAGMA table_info(participants)")))]
    finally:
        await engine.dispose()
    assert not {"phone", "id_number", "email"} & set(cols)
    data = crypto.cipher(Settings.from_env())
    assert row[0] == data.lookup("phone", "0912345678")
    assert [data.decrypt(v) for v in row[1:]] == ["0912345678", "079123456789", "a@b.vn"]
