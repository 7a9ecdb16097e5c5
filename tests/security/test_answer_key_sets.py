"""Issue 16 item 5: weekly rounds drawing from disjoint question sets of one bank; a closed
round's answer key is published while the others are open, never a question they can draw."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from contest.domain.bank import Bank
from contest.i18n import t
from contest.setup import contest_as_code
from contest.setup.bank_versions import import_bank
from contest.setup.contest_file import ContestFileInvalid
from contest.storage.db import transaction
from contest.storage.tables import Round
from tests.conftest import World, sample_bank


def weekly_bank(code: str = "tuan", edit: str = "") -> Bank:
    """12 questions: q000-q005 in set w1, q006-q011 in set w2."""
    bank = sample_bank(code=code)
    return replace(bank, questions=tuple(
        replace(q, question_set="w1" if i < 6 else "w2", text=q.text + edit)
        for i, q in enumerate(bank.questions)))


async def _version(w: World, code: str) -> int:
    async with transaction(w.ctx.sm) as s:
        return int((await s.execute(text(
            "SELECT max(v.id) FROM bank_versions v JOIN banks b ON b.id = v.bank_id "
            "WHERE b.code = :c"), {"c": code})).scalar() or 0)


async def _weeks(w: World) -> tuple[int, int]:
    await import_bank(w.ctx, weekly_bank())
    v = await _version(w, "tuan")
    now = w.clock.now()
    first = await w.add_round(title="Tuần 1", bank_version_id=v, question_set="w1",
                              closes_at=now + timedelta(hours=1))
    second = await w.add_round(title="Tuần 2", bank_version_id=v, question_set="w2",
                               closes_at=now + timedelta(days=7))
    return first, second


async def test_papers_draw_only_from_the_rounds_set(world: World) -> None:
    first, second = await _weeks(world)
    await world.register()
    for rid, mine in ((first, range(0, 6)), (second, range(6, 12))):
        paper = (await world.client.post(f"/api/v1/rounds/{rid}/attempts")).json()
        numbers = {int(q["text"].split()[-1].rstrip("?")) for q in paper["questions"]}
        assert len(numbers) == 5 and numbers <= set(mine), numbers


async def test_a_closed_weeks_key_is_published_while_the_next_week_is_open(world: World) -> None:
    first, _ = await _weeks(world)
    assert (await world.client.get(f"/answer-key/{first}")).status_code == 409  # still open
    world.clock.advance(2 * 3600)
    page = await world.client.get(f"/answer-key/{first}")
    assert page.status_code == 200, page.text
    assert "Câu hỏi thử số 5?" in page.text and "Câu hỏi thử số 6?" not in page.text
    assert page.text.count('class="q"') == 6 and "chưa được công bố" not in page.text


async def test_an_open_round_on_the_whole_bank_or_a_newer_version_holds_the_key(
        world: World) -> None:
    first, _ = await _weeks(world)
    world.clock.advance(2 * 3600)
    final = await world.add_round(title="Chung kết", bank_version_id=await _version(world, "tuan"),
                                  closes_at=world.clock.now() + timedelta(days=30))
    assert (await world.client.get(f"/answer-key/{first}")).status_code == 409
    async with transaction(world.ctx.sm) as s:
        await s.execute(text("DELETE FROM rounds WHERE id = :i"), {"i": final})
    # week 1's questions (same bank ids) in a corrected version, drawn by an open round
    await import_bank(world.ctx, weekly_bank(edit=" (sửa)"))
    await world.add_round(title="Tuần 1 bổ sung", bank_version_id=await _version(world, "tuan"),
                          question_set="w1", closes_at=world.clock.now() + timedelta(days=3))
    assert (await world.client.get(f"/answer-key/{first}")).status_code == 409


async def test_a_whole_bank_round_publishes_what_open_sets_cannot_draw(world: World) -> None:
    await import_bank(world.ctx, weekly_bank())
    v = await _version(world, "tuan")
    now = world.clock.now()
    whole = await world.add_round(title="Thi thử toàn bộ", bank_version_id=v,
                                  closes_at=now + timedelta(hours=1))
    await world.add_round(title="Tuần 2", bank_version_id=v, question_set="w2",
                          closes_at=now + timedelta(days=7))
    world.clock.advance(2 * 3600)
    page = await world.client.get(f"/answer-key/{whole}")
    assert page.status_code == 200 and page.text.count('class="q"') == 6
    assert "Câu hỏi thử số 6?" not in page.text
    assert "6 câu hỏi khác của đợt này chưa được công bố" in page.text


WEEKLY = """\
format: contest/1
slug: tuan-le
title: Cuộc thi hằng tuần
groups:
  - {code: tudo, name: Tự do}
units:
  root: BP
banks:
  - code: tuan
rounds:
  - title: Tuần 1
    opens: 2026-12-01 08:00
    closes: 2026-12-07 20:00
    bank: tuan
    question_set: w1
    questions: 5
  - title: Tuần 2
    opens: 2026-12-08 08:00
    closes: 2026-12-14 20:00
    bank: tuan
    question_set: w2
    questions: 5
"""


@pytest.mark.parametrize(("old", "new", "line", "words"), [
    ("question_set: w2", "question_set: w1", 11, "«Tuần 1» và đợt «Tuần 2» cùng dùng bộ câu "
                                                  "hỏi «w1» của ngân hàng tuan"),
    ("question_set: w2\n    questions: 5", "question_set: w2\n    questions: 7", 17,
     "bộ câu hỏi «w2» không đủ câu hỏi"),
    ("question_set: w2", "question_set: w9", 17, "ngân hàng không có bộ câu hỏi «w9»"),
])
async def test_a_contest_file_with_clashing_or_short_sets_is_refused(
        world: World, tmp_path: Path, old: str, new: str, line: int, words: str) -> None:
    await import_bank(world.ctx, weekly_bank())
    path = tmp_path / "tuan.yaml"
    path.write_text(WEEKLY.replace(old, new), "utf-8")
    with pytest.raises(ContestFileInvalid) as refused:
        await contest_as_code.load(world.ctx, path)
    problem = refused.value.problems[0]
    assert (problem.file, problem.line) == (str(path), line), refused.value.problems
    assert words in str(refused.value)


async def test_a_contest_file_with_disjoint_sets_loads_and_dumps_them(
        world: World, tmp_path: Path) -> None:
    await import_bank(world.ctx, weekly_bank())
    path = tmp_path / "tuan.yaml"
    path.write_text(WEEKLY, "utf-8")
    await contest_as_code.load(world.ctx, path)
    dumped = await contest_as_code.dump(world.ctx, "tuan-le")
    assert "question_set: w1" in dumped and "question_set: w2" in dumped


def test_the_wizards_weekly_series_gives_each_week_its_set() -> None:
    from datetime import UTC, date, datetime, time

    from contest.console.wizard import RoundInput, SeriesInput, series_rounds
    from contest.domain.series import WeeklySeries
    from contest.errors import DraftInvalid

    when = datetime(2026, 12, 1, tzinfo=UTC)
    template = RoundInput(title="Tuần", opens_at=when, closes_at=when, bank="tuan",
                          bank_version=None, questions=5)
    series = WeeklySeries(first_day=date(2026, 12, 7), weeks=2, open_day=0, open_at=time(8),
                          close_day=6, close_at=time(20))
    rounds = series_rounds(SeriesInput(template, series, sets=["w1", "w2"]), UTC)
    assert [(r.title, r.question_set) for r in rounds] == [("Tuần 1", "w1"), ("Tuần 2", "w2")]
    with pytest.raises(DraftInvalid) as refused:
        series_rounds(SeriesInput(template, series, sets=["w1"]), UTC)
    from contest.i18n import words

    assert "Cần đúng 2 bộ câu hỏi" in str(words(refused.value.params, "vi"))  # Phrases


async def test_the_console_refuses_a_second_round_on_a_set_of_its_contest_only(
        world: World) -> None:
    from contest.errors import ConfigInvalid
    from contest.setup import round_settings
    from contest.storage.tables import Contest

    first, _ = await _weeks(world)
    async with transaction(world.ctx.sm) as s:
        contest_id = int((await s.execute(text(
            "SELECT contest_id FROM rounds WHERE id = :i"), {"i": first})).scalar() or 0)
        other = Contest(slug="khac", title="Cuộc thi khác", rules="", groups=[],
                        created_at=world.clock.now())
        s.add(other)
    now = world.clock.now()
    rs = round_settings.RoundSettings(
        title="Tuần 1 bis", opens_at=now + timedelta(days=8), closes_at=now + timedelta(days=9),
        bank_version_id=await _version(world, "tuan"), questions_per_attempt=5,
        question_set="w1")
    with pytest.raises(ConfigInvalid) as refused:
        await round_settings.save_round(world.ctx, contest_id, None, rs, "staff:admin", None)
    assert "«Tuần 1 bis» và đợt «Tuần 1» cùng dùng bộ câu hỏi «w1»" in t(
        "error.config_invalid", detail=refused.value.params["detail"])
    assert other.id is not None  # another contest may reuse the set (its own schedule)
    saved = await round_settings.save_round(world.ctx, other.id, None, rs, "staff:admin", None)
    assert saved.question_set == "w1"
    # editing the round itself is no clash
    async with transaction(world.ctx.sm) as s:
        r = await s.get(Round, first)
    assert r is not None
    again = round_settings.RoundSettings(**{
        k: getattr(r, k) for k in round_settings.RoundSettings.__dataclass_fields__})
    await round_settings.save_round(world.ctx, contest_id, first, again, "staff:admin", None)
