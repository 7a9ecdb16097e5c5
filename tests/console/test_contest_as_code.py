"""Contest as code: the documented example loads, load -> dump -> load is a fixed point,
updates touch only what changed, and a bad file is refused naming the file and line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import col, select

from contest.core.context import Services
from contest.setup import contest_as_code, contest_file
from contest.setup.contest_file import ContestFileInvalid
from contest.storage.console_tables import ConsentText
from contest.storage.tables import AuditEvent, Contest, Round
from tests.conftest import World

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "docs" / "examples" / "contest.yaml"

BASE = """\
format: contest/1
slug: thu-code
title: Cuộc thi viết bằng tệp
groups:
  - {code: tudo, name: Tự do}
units:
  root: BP
banks:
  - code: test-bank
rounds:
  - title: Đợt A
    opens: 2026-12-01 08:00
    closes: 2026-12-02 20:00
    bank: test-bank
    questions: 5
"""


def _write(tmp_path: Path, text: str, name: str = "contest.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


async def test_example_file_loads_and_round_trips(services: Services, tmp_path: Path) -> None:
    report = await contest_as_code.load(services, EXAMPLE)
    assert report.created and len(report.changes) == 4  # contest, consent, two rounds
    async with services.sm() as s:
        c = await s.scalar(select(Contest).where(col(Contest.slug) == "pl-binhphuoc-2026"))
        assert c is not None and c.min_age == 15 and c.unit_root == "BP"
        assert [g["code"] for g in c.groups] == ["cbccvc", "hssv", "tudo", "bantochuc"]
        rounds = {r.title: r for r in (await s.scalars(
            select(Round).where(col(Round.contest_id) == c.id))).all()}
        consent = await s.scalar(select(ConsentText).where(col(ConsentText.contest_id) == c.id))
    first = rounds["Đợt 1"]
    # 08:00 in Asia/Ho_Chi_Minh is 01:00 UTC.
    assert first.opens_at == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert first.closes_at == datetime(2026, 12, 14, 13, 0, tzinfo=UTC)
    assert (first.max_attempts, first.counting, first.time_limit_s) == (3, "best", 900)
    assert [q["count"] for q in first.quotas] == [4, 4, 2]
    assert first.prizes and first.prizes["tiers"][0]["code"] == "nhat"
    assert first.tie_breaks == ["score", "prediction", "duration", "submitted"]
    assert rounds["Thi thử"].kind == "practice" and rounds["Thi thử"].max_attempts is None
    assert consent is not None and consent.version == "2026-12-v1" and len(consent.purposes) == 4

    dumped = await contest_as_code.dump(services, "pl-binhphuoc-2026")
    for r in rounds.values():  # never a round secret, in any spelling
        assert r.secret.hex() not in dumped and "secret" not in dumped
    again = await contest_as_code.load(services, _write(tmp_path, dumped))
    assert not again.created and again.changes == []
    assert await contest_as_code.dump(services, "pl-binhphuoc-2026") == dumped
    assert contest_file.render(contest_file.parse(dumped, "x.yaml")) == dumped


async def test_update_changes_only_what_changed_and_is_audited(world: World,
                                                               tmp_path: Path) -> None:
    path = _write(tmp_path, BASE)
    made = await contest_as_code.load(world.ctx, path)
    async with world.ctx.sm() as s:
        before = await s.scalar(select(Round).where(col(Round.title) == "Đợt A"))
    assert before is not None and before.max_attempts == 1
    path.write_text(BASE + "    attempts: 2\n    counting: last\n", "utf-8")
    changed = await contest_as_code.load(world.ctx, path)
    assert changed.contest_id == made.contest_id and not changed.created
    assert changed.changes == ["sửa đợt 'Đợt A': max_attempts, counting"]
    async with world.ctx.sm() as s:
        after = await s.scalar(select(Round).where(col(Round.title) == "Đợt A"))
        actions = [e.action for e in (await s.scalars(
            select(AuditEvent).order_by(col(AuditEvent.id)))).all()]
    assert after is not None and after.id == before.id and after.secret == before.secret
    assert (after.max_attempts, after.counting) == (2, "last")
    assert actions[-3:] == ["contest.create", "round.create", "round.update"]


BAD = [
    # (what is changed in BASE, expected line, words of the message)
    ("title: Đợt A\n    opens: 2026-12-01 08:00", "title: Đợt A\n    opens: mai", 12, "opens"),
    ("questions: 5\n", "questions: 5\n    colour: red\n", 16, "colour"),
    ("questions: 5\n", "questions: 5\n    quotas:\n      - {count: 5, difficulty: easy}\n",
     11, "không đủ câu hỏi"),
    ("questions: 5\n", "questions: 5\n    prizes:\n      tiers:\n        - {code: nhat}\n",
     11, "giải thứ 1 cần có mã (code) và tên (name)"),
    ("bank: test-bank\n    questions", "bank: other-bank\n    questions", 11, "other-bank"),
    ("questions: 5\n", "questions: 5\n    tie_breaks: [score, luck]\n", 11, "luck"),
    ("root: BP\n", "root: NOWHERE\n", None, "NOWHERE"),
    ("groups:\n  - {code: tudo, name: Tự do}\n", "groups: []\n", 4, "nhóm"),
    ("title: Cuộc thi viết bằng tệp\n", "title: [1, 2\n", 4, "YAML"),
    ("units:\n", "x: &a {k: 1}\ny: *a\nunits:\n", 6, "khóa x"),
    # issue 17: a final for the best N; issue 15: the Zalo share button's Official Account
    ("questions: 5\n", "questions: 5\n    qualify: {best_per_round: 0}\n", 16, "best_per_round"),
    ("questions: 5\n", "questions: 5\n    qualify: {best_per_round: 3, from: [Đợt B]}\n", 11,
     "không có đợt thi khác tên Đợt B"),
    ("questions: 5\n", "questions: 5\n    qualify: {best_per_round: 3, from: [Đợt A]}\n", 11,
     "không có đợt thi khác tên Đợt A"),
    ("units:\n", "share: {zalo_oa_id: zalo.me/123}\nunits:\n", 6, "Zalo Official Account"),
]


@pytest.mark.parametrize(("old", "new", "line", "words"), BAD)
async def test_bad_file_is_refused_with_file_and_line(world: World, tmp_path: Path, old: str,
                                                      new: str, line: int | None,
                                                      words: str) -> None:
    assert old in BASE
    path = _write(tmp_path, BASE.replace(old, new, 1))
    with pytest.raises(ContestFileInvalid) as caught:
        await contest_as_code.load(world.ctx, path)
    first = caught.value.problems[0]
    assert first.file == str(path) and first.line == line, caught.value.problems
    assert words in str(caught.value)
    async with world.ctx.sm() as s:  # nothing of the contest was written
        assert await s.scalar(select(Contest).where(col(Contest.slug) == "thu-code")) is None


def test_yaml_alias_is_refused() -> None:
    text = BASE.replace("groups:\n  - {code: tudo, name: Tự do}\n",
                        "groups:\n  - &g {code: tudo, name: Tự do}\n  - *g\n")
    with pytest.raises(ContestFileInvalid) as caught:
        contest_file.parse(text, "a.yaml")
    assert any("bí danh" in p.message for p in caught.value.problems)


async def test_consent_version_cannot_be_reused_with_other_text(world: World,
                                                                tmp_path: Path) -> None:
    consent = "consent:\n  version: v1\n  text: Tôi đồng ý.\n  purposes: [Tính điểm]\n"
    path = _write(tmp_path, BASE + consent)
    await contest_as_code.load(world.ctx, path)
    path.write_text(BASE + consent.replace("Tôi đồng ý.", "Tôi đồng ý hết."), "utf-8")
    with pytest.raises(ContestFileInvalid) as caught:
        await contest_as_code.load(world.ctx, path)
    assert caught.value.problems[0].line == 17 and "v1" in caught.value.problems[0].message
    path.write_text(BASE + consent.replace("v1", "v2").replace("Tôi đồng ý.", "Đồng ý."),
                    "utf-8")
    report = await contest_as_code.load(world.ctx, path)
    assert report.changes == ["công bố văn bản đồng ý v2"]


SERIES = BASE.replace("title: Cuộc thi viết bằng tệp\n",
                      "title: Cuộc thi viết bằng tệp\nshare:\n  zalo_oa_id: '579745863508352884'\n"
                      ) + """\
  - title: Đợt B
    opens: 2026-12-08 08:00
    closes: 2026-12-09 20:00
    bank: test-bank
    questions: 5
  - title: Chung kết
    opens: 2026-12-15 08:00
    closes: 2026-12-15 20:00
    bank: test-bank
    questions: 5
    qualify: {best_per_round: 10, from: [Đợt A, Đợt B], ties: include}
"""


async def test_final_round_and_zalo_account_load_and_round_trip(world: World,
                                                                tmp_path: Path) -> None:
    await contest_as_code.load(world.ctx, _write(tmp_path, SERIES))
    async with world.ctx.sm() as s:
        c = await s.scalar(select(Contest).where(col(Contest.slug) == "thu-code"))
        final = await s.scalar(select(Round).where(col(Round.title) == "Chung kết"))
        week = await s.scalar(select(Round).where(col(Round.title) == "Đợt B"))
    assert c is not None and c.zalo_oa_id == "579745863508352884"
    assert final is not None and final.qualify == {
        "best_per_round": 10, "from": ["Đợt A", "Đợt B"], "ties": "include"}
    assert week is not None and week.qualify is None
    dumped = await contest_as_code.dump(world.ctx, "thu-code")
    assert "qualify:" in dumped and "zalo_oa_id: '579745863508352884'" in dumped
    again = await contest_as_code.load(world.ctx, _write(tmp_path, dumped, "again.yaml"))
    assert again.changes == []
    assert contest_file.render(contest_file.parse(dumped, "x.yaml")) == dumped
