"""Issue 17 must-fixes: closing a round earlier while people are in it, chart axes, audit
events committed with the change they record."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlmodel import col, select

from contest.storage.tables import Attempt, AuditEvent, Round
from contest.web.console.charts import bars, lines, ticks
from tests.console.conftest import Console


@pytest.mark.parametrize(("top", "expected"), [
    (0, [0, 1]), (1, [0, 1]), (2, [0, 1, 2]), (5, [0, 1, 2, 3, 4, 5]), (6, [0, 2, 4, 6]),
    (9, [0, 2, 4, 6, 8, 10]), (11, [0, 5, 10, 15]), (99, [0, 20, 40, 60, 80, 100]),
    (101, [0, 50, 100, 150]), (56789, [0, 20000, 40000, 60000]),
])
def test_axis_ticks_are_distinct_whole_numbers(top: int, expected: list[int]) -> None:
    assert ticks(top) == expected


def test_small_counts_label_the_axis_without_repeats() -> None:
    svg = bars("t", ["a", "b"], [1, 0])
    labels = re.findall(r'text-anchor="end" font-size="11" fill="#5b6475">(\d+)<', svg)
    assert labels == ["0", "1"]


def test_one_hour_of_activity_still_draws_a_point() -> None:
    svg = lines("t", ["20/11 10h"], [("Lượt thi", [7], "#9b1c1c"), ("Điểm", [2], "#17663a")])
    assert svg.count("<circle") == 2 and "Lượt thi 20/11 10h: 7" in svg


async def _form(console: Console, rid: int) -> dict[str, str]:
    w = console.world
    async with w.ctx.sm() as s:
        r = await s.get(Round, rid)
        assert r is not None
    tz = w.ctx.settings.tz
    return {"title": r.title, "kind": "ranked",
            "opens_at": r.opens_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": r.closes_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
            "bank_version_id": str(r.bank_version_id), "questions_per_attempt": "5",
            "time_limit_min": "10", "grace_s": "5", "max_attempts": "2", "counting": "best",
            "prediction_prompt": r.prediction_prompt or "", "prediction_kind": "participants"}


async def test_closing_earlier_with_running_attempts_needs_confirmation(console: Console) -> None:
    w = console.world
    citizen = w.make_client()
    await w.register(citizen)
    started = await citizen.post(f"/api/v1/rounds/{w.round_id}/attempts")
    assert started.status_code in (200, 201), started.text
    org = await console.login("organiser")
    form = await _form(console, w.round_id)
    url = f"/console/contests/1/rounds/{w.round_id}"
    new_close = w.clock.now() + timedelta(minutes=2)
    form["closes_at"] = new_close.astimezone(w.ctx.settings.tz).strftime("%Y-%m-%dT%H:%M")

    asked = await org.post(url, data=form)
    assert asked.status_code == 409
    assert "1 lượt thi đang làm dở" in asked.text and "BP-BUDANG-THPT" in asked.text
    assert 'name="confirm_close_earlier"' in asked.text
    async with w.ctx.sm() as s:
        r = await s.get(Round, w.round_id)
        assert r is not None and r.closes_at > new_close  # nothing changed yet

    done = await org.post(url, data={**form, "confirm_close_earlier": "on"})
    assert done.status_code == 303
    async with w.ctx.sm() as s:
        r = await s.get(Round, w.round_id)
        att = await s.scalar(select(Attempt).where(col(Attempt.round_id) == w.round_id))
        event = await s.scalar(select(AuditEvent).where(col(AuditEvent.action) == "round.update"))
    assert r is not None and att is not None and event is not None
    assert r.closes_at == new_close.replace(second=0, microsecond=0)
    assert att.deadline == r.closes_at  # the running attempt now ends at the new close
    moved = event.details["close_moved_earlier"]
    assert moved["running_attempts"] == [att.id]
    assert datetime.fromisoformat(moved["to"]) == r.closes_at


async def test_closing_later_or_without_running_attempts_needs_no_confirmation(
        console: Console) -> None:
    w = console.world
    org = await console.login("organiser")
    form = await _form(console, w.round_id)
    form["closes_at"] = (w.clock.now() + timedelta(hours=1)).astimezone(
        w.ctx.settings.tz).strftime("%Y-%m-%dT%H:%M")
    assert (await org.post(f"/console/contests/1/rounds/{w.round_id}", data=form)).status_code \
        == 303


async def test_bank_upload_and_its_audit_commit_together(console: Console) -> None:
    w = console.world
    org = await console.login("organiser")
    good = ("Mã câu hỏi,Câu hỏi,Chủ đề,Mức độ,Phương án A,Phương án B,Đáp án,Căn cứ\n"
            "c1,Ngày Pháp luật Việt Nam là ngày nào?,Chung,Dễ,9/11,2/9,A,Điều 8\n")
    r = await org.post("/console/banks", files={"file": ("moi.csv", good.encode(), "text/csv")})
    assert r.status_code == 200 and "Đã nhập" in r.text
    bad = good.replace(",A,Điều 8", ",E,Điều 8")
    r = await org.post("/console/banks", files={"file": ("hong.csv", bad.encode(), "text/csv")})
    assert r.status_code == 422
    async with w.ctx.sm() as s:
        events = (await s.scalars(select(AuditEvent).where(
            col(AuditEvent.action) == "bank.import"))).all()
    assert [(e.actor, e.details["file"], e.details["created"]) for e in events] == [
        ("staff:organiser", "moi.csv", True)]


async def test_units_upload_error_shows_the_form_again(console: Console) -> None:
    org = await console.login("organiser")
    r = await org.post("/console/units", files={"file": ("u.csv", b"\xff\xfe bad", "text/csv")})
    assert r.status_code == 422 and 'name="file"' in r.text and "UTF-8" in r.text
    tree = "code,name,parent_code,level\nBP,Tỉnh Bình Phước,,1\nBP-X,Xã X,BP,2\n"
    ok = await org.post("/console/units", files={"file": ("u.csv", tree.encode(), "text/csv")})
    assert ok.status_code == 200 and "Đã nạp 2 đơn vị" in ok.text
    async with console.world.ctx.sm() as s:
        event = await s.scalar(select(AuditEvent).where(col(AuditEvent.action) == "units.load"))
    assert event is not None and event.details == {"rows": 2} and event.target == "u.csv"


async def test_round_page_prizes_and_chain_are_a_form(console: Console) -> None:
    w = console.world
    org = await console.login("organiser")
    form = {**await _form(console, w.round_id), "tier_name_0": "Giải Nhất", "tier_code_0": "nhat",
            "tier_count_0": "1", "tier_name_1": "Giải Nhì", "tier_count_1": "2",
            "tier_code_1": "nhi", "max_share_pct": "10", "one_prize_per_person": "on",
            "chain_0": "score", "chain_1": "duration", "chain_2": "prediction"}
    url = f"/console/contests/1/rounds/{w.round_id}"
    shown = await org.post(url, data={**form, "action": "preview"})
    assert shown.status_code == 200
    assert "nếu bằng nhau, người làm bài trong thời gian ngắn hơn xếp trên" in shown.text
    saved = await org.post(url, data={**form, "action": "save"})
    assert saved.status_code == 303
    async with w.ctx.sm() as s:
        r = await s.get(Round, w.round_id)
    assert r is not None and r.tie_breaks == ["score", "duration", "prediction"]
    assert r.prizes == {"tiers": [{"code": "nhat", "name": "Giải Nhất", "count": 1},
                                  {"code": "nhi", "name": "Giải Nhì", "count": 2}],
                        "split": None, "one_prize_per_person": True, "max_share": 0.1}
    page = await org.get(url)
    assert 'name="tier_count_1" aria-label="Số giải 2" inputmode="numeric" size="5" value="2"' \
        in page.text
    bad = await org.post(url, data={**form, "chain_1": "score", "action": "save"})
    assert bad.status_code == 422 and "mỗi tiêu chí chỉ chọn một lần" in bad.text
