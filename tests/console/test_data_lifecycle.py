"""Personal data over time: the retention purge (read back from the raw tables) and key rotation
with two keys; both idempotent; and the `contest data` / `contest load|dump` commands."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from contest.cli.main import main
from contest.core import crypto
from contest.core.context import Services
from contest.people import accounts, rekey, retention
from contest.settings import Settings
from tests.conftest import World

PHONE, CCCD, EMAIL = "0912345678", "079123456789", "ngoc.nguyen@example.vn"
DAY = 24 * 3600


async def _take_part(world: World) -> str:
    """Register with every personal field, take and submit one attempt; the participant id."""
    r = await world.register(id_number=CCCD, email=EMAIL, gender="nu")
    assert r.status_code == 201, r.text
    started = await world.client.post(f"/api/v1/rounds/{world.round_id}/attempts",
                                      headers={"User-Agent": "Mozilla/5.0 (Linux; Android 14) "
                                                             "Mobile Safari"})
    assert started.status_code == 201, started.text
    world.clock.advance(30)
    sub = await world.client.post(f"/api/v1/attempts/{started.json()['attempt_id']}/submit",
                                  json={"prediction": 5})
    assert sub.status_code == 200, sub.text
    pid: str = r.json()["participant_id"]
    return pid


async def _raw(world: World, sql: str) -> list[tuple[object, ...]]:
    async with world.ctx.sm() as s:
        return [tuple(row) for row in (await s.execute(text(sql))).all()]


async def test_purge_removes_personal_data_and_keeps_statistics(world: World) -> None:
    pid = await _take_part(world)
    other = await world.register(world.make_client(), phone="0987654321")
    assert other.status_code == 201
    scores_before = await _raw(world, "SELECT id, score_milli, max_score_milli, duration_ms "
                                      "FROM attempts")
    # The round closes a day after the fixture's clock; 364 days after that nothing is due.
    world.clock.advance(DAY + 364 * DAY)
    assert (await retention.purge(world.ctx)).contests == []
    world.clock.advance(2 * DAY)
    dry = await retention.purge(world.ctx, dry_run=True)
    assert dry.dry_run and dry.participants == 2 and dry.contests[0].slug == "thu"
    assert (await _raw(world, "SELECT count(*) FROM participants WHERE phone_enc IS NULL"))[0] \
        == (0,)

    done = await retention.purge(world.ctx)
    assert done.participants == 2
    rows = await _raw(world, "SELECT id, phone_hash, phone_enc, id_number_enc, id_number_hash, "
                             "email_enc, full_name, password_hash, gender, birth_date, "
                             "unit_code, group_code, consent_version, purged_at "
                             "FROM participants ORDER BY id")
    for row in rows:
        (_, phone_hash, phone_enc, id_enc, id_hash, email_enc, name, pw, gender, born, unit,
         group, consent_version, purged_at) = row
        assert (phone_hash, phone_enc, id_enc, id_hash, email_enc, gender) == (None,) * 6
        assert name == retention.PLACEHOLDER_NAME and pw == retention.PURGED_PASSWORD
        assert str(born).startswith("1990-01-01")  # the birth year stays, day and month go
        assert (unit, group) == ("BP-BUDANG-THPT", "tudo") and consent_version and purged_at
    # Anonymous statistics survive: every attempt with its score; only the device class of
    # the browser string remains; integrity signals lose address and device.
    assert await _raw(world, "SELECT id, score_milli, max_score_milli, duration_ms "
                             "FROM attempts") == scores_before
    assert await _raw(world, "SELECT user_agent FROM attempts") == [("Mobi",)]
    signals = await _raw(world, f"SELECT ip, device, user_agent FROM attempt_signals "
                                f"WHERE participant_id = '{pid}'")
    assert signals and all(v is None for row in signals for v in row)
    # Nothing of the clear text or its hashes is anywhere in the participant tables.
    data = crypto.cipher(world.ctx.settings)
    needles = [PHONE, CCCD, EMAIL, "Nguyễn Thị", data.lookup("phone", PHONE)]
    for table in ("participants", "attempts", "attempt_signals", "round_entries"):
        dump = " ".join(str(v) for row in await _raw(world, f"SELECT * FROM {table}")
                        for v in row)
        assert not [n for n in needles if n in dump], table
    events = await _raw(world, "SELECT actor, target, details FROM audit_log "
                               "WHERE action = 'data.purge'")
    assert len(events) == 1 and events[0][:2] == ("cli", "contest:1")
    # Idempotent: a second run finds nothing; the phone may register again, the old
    # account cannot log in.
    assert (await retention.purge(world.ctx)).contests == []
    login = await world.make_client().post("/api/v1/contests/thu/login",
                                           json={"phone": PHONE, "password": "matkhau123"})
    assert login.status_code == 401
    assert (await world.register(world.make_client())).status_code == 201


def _with_keys(ctx: Services, keys: str) -> Services:
    settings = dataclasses.replace(ctx.settings, data_keys=keys, lookup_key="l" * 32)
    return dataclasses.replace(ctx, settings=settings)


async def test_rotation_reencrypts_every_column_with_the_first_key(world: World) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = _with_keys(world.ctx, old)
    for i in range(5):  # more rows than one batch
        await accounts.register(before, "thu", accounts.Registration(
            full_name="Trần Văn Bình", birth_date=date(1985, 1, 2), phone=f"091234560{i}",
            password="matkhau123", unit_code="BP-DONGXOAI", group="tudo", consent=True,
            id_number=f"07912345678{i}" if i % 2 else None, email=EMAIL if i == 0 else None))
    raw_before = await _raw(world, "SELECT phone_enc FROM participants")
    only_new = crypto.cipher(_with_keys(world.ctx, new).settings)
    with pytest.raises(crypto.DataKeyError):
        only_new.decrypt(str(raw_before[0][0]))

    both = _with_keys(world.ctx, f"{new},{old}")
    report = await rekey.rotate(both, batch=2)
    assert (report.rows, report.values) == (5, 5 + 2 + 1)
    raw_after = await _raw(world, "SELECT id, phone_enc, id_number_enc, email_enc "
                                  "FROM participants ORDER BY id")
    clear = sorted(only_new.decrypt(str(r[1])) or "" for r in raw_after)
    assert clear == [f"091234560{i}" for i in range(5)]
    assert sorted(only_new.decrypt(str(r[2])) or "" for r in raw_after if r[2]) == \
        ["079123456781", "079123456783"]
    assert [only_new.decrypt(str(r[3])) for r in raw_after if r[3]] == [EMAIL]
    # Idempotent: nothing left under the old key; the look-up hashes did not change.
    assert (await rekey.rotate(both, batch=2)).values == 0
    hashes = await _raw(world, "SELECT phone_hash FROM participants ORDER BY phone_hash")
    assert hashes == sorted((crypto.cipher(both.settings).lookup("phone", f"091234560{i}"),)
                            for i in range(5))
    # A value under a key that is no longer configured is reported, not silently kept.
    stranger = _with_keys(world.ctx, Fernet.generate_key().decode())
    with pytest.raises(crypto.DataKeyError):
        await rekey.rotate(stranger)


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.sqlite3")
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("CONTEST_DEV", "1")
    return Settings.from_env()


def test_commands(sqlite_env: Settings, tmp_path: Path,
                  capsys: pytest.CaptureFixture[str]) -> None:
    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "contest.yaml"
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["load", str(example)]) == 0
    lines = capsys.readouterr().out.splitlines()
    # the contest, then each round with its id, window and bank, as a table
    assert lines[0] == ("tạo cuộc thi 1 pl-binhphuoc-2026: Cuộc thi trực tuyến tìm hiểu Hiến "
                        "pháp và pháp luật năm 2026")
    assert lines[1].split() == ["id", "đợt", "mở", "đóng", "ngân", "hàng", "trạng", "thái"]
    assert lines[2].split() == ["1", "Đợt", "1", "2026-12-01", "08:00", "2026-12-14", "20:00",
                                "hien-phap-2013", "v1", "mới"]
    # the practice round draws from another bank (issue 14: never the ranked round's)
    assert lines[3].split() == ["2", "Thi", "thử", "2026-11-25", "08:00", "2026-11-30", "20:00",
                                "pho-bien-giao-duc-phap-luat", "v1", "mới"]
    assert lines[2].index("2026-12-01") == lines[3].index("2026-11-25")  # aligned columns
    out = tmp_path / "dump.yaml"
    assert main(["dump", "pl-binhphuoc-2026", "-o", str(out)]) == 0
    assert main(["load", str(out)]) == 0
    assert "không có gì thay đổi" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text(out.read_text("utf-8").replace("questions: 10", "questions: 10\n    x: 1"))
    assert main(["load", str(bad)]) == 1
    assert f"{bad}:" in capsys.readouterr().err
    assert main(["dump", "missing"]) == 2
    assert main(["data", "new-key"]) == 0
    key = capsys.readouterr().out.strip()
    Fernet(key)  # a valid Fernet key
    assert main(["data", "purge", "--dry-run"]) == 0
    assert "would purge 0 participants" in capsys.readouterr().out
    assert main(["data", "rotate"]) == 0
    assert "re-encrypted 0 values in 0 rows" in capsys.readouterr().out
