"""The contest wizard over HTTP: steps validated with the contest file's rules, a weekly
series, prizes as forms, publish, export that round-trips, clones."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlmodel import col, select

from contest.console import wizard as console_wizard
from contest.domain.rules_text import chain_text, prizes_text
from contest.domain.series import WeeklySeries, shift, windows
from contest.setup.contest_as_code import dump
from contest.setup.contest_file import parse, render
from contest.storage.console_tables import ContestDraft
from contest.storage.tables import AuditEvent, Bank, BankVersion, Question, Round
from tests.console.conftest import Console

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(("first", "open_day", "close_day", "open_at", "close_at", "expected"), [
    # Monday 10:00 to next Monday 09:00, starting on a Thursday: the first Monday after it
    (date(2026, 12, 3), 0, 0, time(10), time(9),
     [("2026-12-07 10:00", "2026-12-14 09:00"), ("2026-12-14 10:00", "2026-12-21 09:00")]),
    # Monday 08:00 to Sunday 20:00 of the same week, starting on that Monday
    (date(2026, 12, 7), 0, 6, time(8), time(20),
     [("2026-12-07 08:00", "2026-12-13 20:00"), ("2026-12-14 08:00", "2026-12-20 20:00")]),
    # Saturday 07:00 to Saturday 22:00 (same day)
    (date(2026, 12, 1), 5, 5, time(7), time(22),
     [("2026-12-05 07:00", "2026-12-05 22:00"), ("2026-12-12 07:00", "2026-12-12 22:00")]),
])
def test_weekly_windows(first: date, open_day: int, close_day: int, open_at: time,
                        close_at: time, expected: list[tuple[str, str]]) -> None:
    got = windows(WeeklySeries(first, 2, open_day, open_at, close_day, close_at), TZ)
    assert [(f"{a:%Y-%m-%d %H:%M}", f"{b:%Y-%m-%d %H:%M}") for a, b in got] == expected


def test_shift_keeps_the_wall_clock_time() -> None:
    assert shift(datetime(2026, 12, 7, 10, tzinfo=TZ), 364) == datetime(2027, 12, 6, 10,
                                                                         tzinfo=TZ)


def test_rules_preview_in_plain_vietnamese() -> None:
    assert chain_text(["score", "duration"]) == (
        "Người có điểm cao hơn xếp trên; nếu bằng nhau, người làm bài trong thời gian ngắn "
        "hơn xếp trên; nếu vẫn bằng nhau ở mọi tiêu chí, thứ tự được xác định bằng bốc thăm "
        "công khai mà ai cũng kiểm tra lại được.")
    lines = prizes_text({"tiers": [{"code": "nhat", "name": "Giải Nhất", "count": 1,
                                    "value": "2.000.000 đồng"}],
                         "split": "group", "max_share": 0.1, "one_prize_per_person": False,
                         "excluded_groups": ["btc"]}, {"btc": "Ban tổ chức"})
    assert lines == [
        "Cơ cấu giải cho mỗi nhóm đối tượng: 1 Giải Nhất (trị giá 2.000.000 đồng).",
        "Số người đoạt giải không quá 10% số người dự thi của đợt.",
        "Không xét giải: Ban tổ chức."]
    assert prizes_text(None) == ["Đợt thi này không có giải thưởng."]
    with pytest.raises(ValueError):
        chain_text(["score", "score"])


async def _post(client: httpx.AsyncClient, url: str, **data: str | list[str]) -> httpx.Response:
    return await client.post(url, data=data)


SERIES = {
    "action": "add_series", "s_title": "Tuần", "s_first_day": "2026-12-03", "s_weeks": "4",
    "s_open_day": "0", "s_open_time": "10:00", "s_close_day": "0", "s_close_time": "09:00",
    "s_bank": "test-bank@1", "s_questions": "5", "s_time_limit_min": "10",
    "s_max_attempts": "2", "s_counting": "best",
    "s_prediction_prompt": "Bao nhiêu người tham gia tuần này?",
    "s_prediction_kind": "participants",
    "f_title": "Chung kết", "f_opens_at": "2027-01-04T10:00", "f_closes_at": "2027-01-05T21:00",
    "f_questions": "8", "f_time_limit_min": "20", "f_max_attempts": "1", "f_best": "5",
}


async def test_wizard_end_to_end_and_round_trip(console: Console) -> None:
    w = console.world
    org = await console.login("organiser")
    r = await _post(org, "/console/wizard", title="")
    assert r.status_code == 422 and "Tên cuộc thi không được để trống" in r.text
    r = await _post(org, "/console/wizard", title="Cuộc thi tìm hiểu pháp luật 2027")
    assert r.status_code == 303
    base = r.headers["location"].rsplit("/", 1)[0]
    assert (await org.get(base + "/basics")).status_code == 200

    # step 1: the file's slug rule and a slug taken by another contest are both refused
    bad = await _post(org, base + "/basics", title="Cuộc thi 2027", slug="cuộc thi",
                      unit_root="BP")
    assert bad.status_code == 422 and "slug chỉ gồm chữ, số, - và _" in bad.text
    taken = await _post(org, base + "/basics", title="Cuộc thi 2027", slug="thu", unit_root="BP")
    assert taken.status_code == 422 and "đã được dùng cho một cuộc thi khác" in taken.text
    ok = await _post(org, base + "/basics", title="Cuộc thi 2027", slug="pl-2027",
                     organiser="Sở Tư pháp tỉnh Bình Phước", rules="Thể lệ", unit_root="BP",
                     visible="on")
    assert ok.status_code == 303 and ok.headers["location"].endswith("/people?saved=1")

    # step 2
    ok = await _post(org, base + "/people", groups="tudo|Tự do\nbtc|Ban tổ chức", min_age="15",
                     consent_version="2027-v1", consent_text="Tôi đồng ý.",
                     purposes="Tính điểm\nLiên hệ trao giải")
    assert ok.status_code == 303

    # step 3: a round the bank cannot fill is refused with the loader's message
    too_many = await _post(org, base + "/rounds", action="add_round", title="Thử",
                           opens_at="2026-12-01T08:00", closes_at="2026-12-02T08:00",
                           bank="test-bank@1", questions="50", time_limit_min="10")
    assert too_many.status_code == 422 and "ngân hàng không đủ câu hỏi" in too_many.text
    series = await org.post(base + "/rounds", data=SERIES)
    assert series.status_code == 303, series.text
    page = await org.get(base + "/rounds")
    assert [t in page.text for t in ("Tuần 1", "Tuần 4", "Chung kết")] == [True] * 3
    # issue 17 item 8: the final only for the best 5 of each of the four weeks
    drafted = (await org.get(base + "/contest.yaml")).text
    assert "  qualify:\n    best_per_round: 5\n    from:\n    - Tuần 1\n" in drafted

    # step 4: preview changes nothing; the chain is reordered by the arrows
    form = {"tier_name_0": "Giải Nhất", "tier_count_0": "1", "tier_value_0": "2.000.000 đồng",
            "tier_name_1": "Giải Nhì", "tier_count_1": "2", "tier_code_1": "nhi",
            "tier_code_0": "nhat", "one_prize_per_person": "on", "max_share_pct": "10",
            "excluded_groups": "btc", "collective_count": "2", "collective_level": "2",
            "collective_rate_pct": "30", "chain_0": "score", "chain_1": "prediction",
            "chain_2": "duration", "chain_3": "submitted"}
    moved = await org.post(base + "/prizes", data={**form, "move": "down:1"})
    assert moved.status_code == 200
    assert "nếu bằng nhau, người làm bài trong thời gian ngắn hơn xếp trên" in moved.text
    assert "2 Giải Nhì" in moved.text and "Không xét giải: Ban tổ chức." in moved.text
    form.update(chain_1="duration", chain_2="prediction")
    saved = await org.post(base + "/prizes", data={**form, "action": "next"})
    assert saved.status_code == 303, saved.text[saved.text.find("wizard-error"):][:900]
    assert saved.headers["location"].endswith("/publish?saved=1")

    # step 5: the draft's file is what publishing loads
    draft_yaml = (await org.get(base + "/contest.yaml")).text
    spec = parse(draft_yaml, "d.yaml")
    assert render(spec) == draft_yaml  # a draft round-trips exactly
    assert [r.title for r in spec.rounds] == ["Tuần 1", "Tuần 2", "Tuần 3", "Tuần 4",
                                              "Chung kết"]
    assert spec.rounds[0].tie_breaks == ["score", "duration", "prediction", "submitted"]
    assert spec.rounds[-1].prizes == spec.rounds[0].prizes
    published = await _post(org, base + "/publish")
    assert published.status_code == 303
    cid = int(published.headers["location"].split("/")[3].split("?")[0])
    contest_page = await org.get(published.headers["location"])
    assert "Đã công bố cuộc thi" in contest_page.text
    again = await _post(org, base + "/publish")
    assert again.status_code == 422  # published once

    exported = (await org.get(f"/console/contests/{cid}/contest.yaml")).text
    assert exported == await dump(w.ctx, "pl-2027")
    assert "organiser: Sở Tư pháp tỉnh Bình Phước" in exported
    async with w.ctx.sm() as s:
        rounds = (await s.scalars(select(Round).where(col(Round.contest_id) == cid)
                                  .order_by(col(Round.opens_at)))).all()
        actions = (await s.scalars(select(AuditEvent.action))).all()
    assert len(rounds) == 5 and rounds[0].opens_at == datetime(2026, 12, 7, 10, tzinfo=TZ)
    assert {"draft.create", "draft.basics", "draft.series_add", "draft.publish",
            "contest.create"} <= set(actions)

    # clone the contest a year on, and a week-1 round one week on
    clone = await _post(org, f"/console/contests/{cid}/clone", title="Cuộc thi 2028",
                        slug="pl-2028", days="364")
    assert clone.status_code == 303
    async with w.ctx.sm() as s:
        draft = await s.scalar(select(ContestDraft).order_by(col(ContestDraft.id).desc()))
    assert draft is not None
    cloned = parse(draft.document, "c.yaml")
    assert cloned.rounds[0].opens_at == datetime(2027, 12, 6, 10, tzinfo=TZ)
    assert cloned.slug == "pl-2028" and cloned.rounds[0].prizes == spec.rounds[0].prizes
    week = await _post(org, f"/console/contests/{cid}/rounds/{rounds[0].id}/clone", days="7",
                       title="Tuần 1 bổ sung")
    assert week.status_code == 303
    async with w.ctx.sm() as s:
        copy = await s.scalar(select(Round).where(col(Round.title) == "Tuần 1 bổ sung"))
    assert copy is not None and copy.opens_at == rounds[0].opens_at + timedelta(days=7)
    assert copy.tie_breaks == rounds[0].tie_breaks and copy.secret != rounds[0].secret


async def test_importing_a_contest_file_makes_a_draft(console: Console) -> None:
    org = await console.login("organiser")
    bad = await org.post("/console/wizard/import",
                         files={"file": ("x.yaml", b"format: contest/1\nslug: a\n", "text/yaml")})
    assert bad.status_code == 422 and "title" in bad.text
    text = ("format: contest/1\nslug: nhap\ntitle: Nhập từ tệp\ngroups:\n- code: tudo\n"
            "  name: Tự do\nrounds: []\n")
    ok = await org.post("/console/wizard/import",
                        files={"file": ("c.yaml", text.encode(), "text/yaml")})
    assert ok.status_code == 303 and ok.headers["location"].endswith("/publish")
    page = await org.get(ok.headers["location"])
    assert "Cuộc thi chưa có đợt thi nào" in page.text


async def test_series_without_repeats_splits_the_bank(console: Console) -> None:
    w = console.world
    org = await console.login("organiser")
    r = await _post(org, "/console/wizard", title="Chuỗi không lặp")
    base = r.headers["location"].rsplit("/", 1)[0]
    series = {k: v for k, v in SERIES.items() if not k.startswith("f_")}
    too_many = await org.post(base + "/rounds", data={**series, "s_split": "on",
                                                      "s_questions": "4"})
    assert too_many.status_code == 422 and "không đủ chia 4 tuần × 4 câu" in too_many.text
    ok = await org.post(base + "/rounds", data={**series, "s_split": "on", "s_weeks": "3",
                                                "s_questions": "4"})
    assert ok.status_code == 303, ok.text
    d = await console_wizard.get(w.ctx, int(base.rsplit("/", 1)[1]))
    assert [(r.bank, r.bank_version) for r in d.spec.rounds] == [
        ("test-bank-tuan-1", 1), ("test-bank-tuan-2", 1), ("test-bank-tuan-3", 1)]
    async with w.ctx.sm() as s:
        texts = {}
        for k in (1, 2, 3):
            texts[k] = set((await s.scalars(
                select(Question.text).join(BankVersion, col(BankVersion.id) ==
                                           Question.bank_version_id)
                .join(Bank, col(Bank.id) == BankVersion.bank_id)
                .where(col(Bank.code) == f"test-bank-tuan-{k}"))).all())
    assert [len(t) for t in texts.values()] == [4, 4, 4]
    assert not (texts[1] & texts[2] or texts[1] & texts[3] or texts[2] & texts[3])
