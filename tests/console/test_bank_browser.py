"""Bank browser: per-option statistics and the wrong-key flag on a planted bank, the leak
flag, and editing a question into a new version that waiting rounds move to."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from contest.console import banks as console_banks
from contest.domain.bank import Bank, BankOption, BankQuestion
from contest.domain.item_stats import Response, item_stats
from contest.setup.bank_versions import import_bank
from contest.storage.db import transaction
from contest.storage.tables import (
    Answer,
    Attempt,
    AttemptQuestion,
    AuditEvent,
    Option,
    Participant,
    Question,
    Round,
)
from tests.console.conftest import Console
from tests.console.test_results_browser import CHROMIUM, DOCS, _forwarder

T0 = datetime(2026, 11, 20, 3, tzinfo=UTC)


def _r(score: float, chosen: set[int], minutes: int = 0) -> Response:
    return Response(score, frozenset(chosen), T0 + timedelta(minutes=minutes))


@pytest.mark.parametrize(("responses", "wrong_key", "suspected"), [
    # the best five chose option 2 (not the key 1): wrong key, option 2 suspected
    ([_r(0.9, {2})] * 5 + [_r(0.2, {1})] * 10 + [_r(0.1, {3})] * 4, True, 2),
    # the best chose the key: no flag
    ([_r(0.9, {1})] * 5 + [_r(0.2, {2})] * 14, False, None),
    # the best split between options, none a majority: no flag
    ([_r(0.9, {1}), _r(0.9, {2}), _r(0.9, {3}), _r(0.9, {1}), _r(0.9, {2})]
     + [_r(0.2, {3})] * 14, False, None),
    # too few people to judge
    ([_r(0.9, {2})] * 3 + [_r(0.2, {1})] * 2, False, None),
])
def test_wrong_key_flag(responses: list[Response], wrong_key: bool,
                        suspected: int | None) -> None:
    st = item_stats([(1, True), (2, False), (3, False)], responses)
    assert (st.wrong_key, st.suspected_key) == (wrong_key, suspected)
    assert sum(o.chosen for o in st.options) == sum(len(r.chosen) for r in responses)


@pytest.mark.parametrize(("early", "late", "leak"), [(0.2, 0.9, True), (0.5, 0.6, False),
                                                     (0.8, 0.2, False)])
def test_leak_flag(early: float, late: float, leak: bool) -> None:
    def block(share: float, start: int) -> list[Response]:
        n_right = round(20 * share)
        return [_r(0.5, {1} if i < n_right else {2}, start + i) for i in range(20)]

    st = item_stats([(1, True), (2, False)], block(early, 0) + block(0.5, 100)
                    + block(late, 200))
    assert st.leak is leak
    assert st.early_share == pytest.approx(early) and st.late_share == pytest.approx(late)


def _planted() -> Bank:
    """Three questions; 'sai-dap-an' is keyed C while the law says A."""
    def q(ext: str, key: int) -> BankQuestion:
        return BankQuestion(ext_id=ext, kind="single", text=f"Câu hỏi {ext}?", topic="Chung",
                            difficulty="easy", basis="Điều 1 Luật thử",
                            options=tuple(BankOption(t, i == key) for i, t in
                                          enumerate(["Phương án A", "Phương án B",
                                                     "Phương án C"])))
    return Bank(code="cai-sai", title="Ngân hàng có câu sai đáp án",
                questions=(q("dung-1", 0), q("sai-dap-an", 2), q("dung-2", 0)))


async def _seed(console: Console, round_id: int, version_id: int) -> dict[str, int]:
    """20 submitted attempts: the strong half answer A everywhere (so they miss the wrongly
    keyed question), the weak half answer C everywhere."""
    w = console.world
    async with transaction(w.ctx.sm) as s:
        qs = (await s.scalars(select(Question).where(
            col(Question.bank_version_id) == version_id))).all()
        opts = {q.id: (await s.scalars(select(Option).where(col(Option.question_id) == q.id)
                                       .order_by(col(Option.position)))).all() for q in qs}
        for i in range(20):
            strong = i < 10
            pid = f"p{i:02d}"
            s.add(Participant(id=pid, contest_id=1, password_hash="x", full_name=f"Người {i}",
                              birth_date=datetime(1990, 1, 1).date(), unit_code="BP-BUDANG",
                              group_code="tudo", consent_at=T0, created_at=T0))
            await s.flush()
            score = 2000 if strong else 1000
            aid = f"a{i:02d}"
            s.add(Attempt(id=aid, round_id=round_id, participant_id=pid, number=1,
                          status="submitted", started_at=T0, deadline=T0 + timedelta(hours=1),
                          submitted_at=T0 + timedelta(minutes=i), score_milli=score,
                          max_score_milli=3000, duration_ms=60000))
            await s.flush()
            for pos, q in enumerate(qs):
                pub = f"{aid}q{pos}"
                s.add(AttemptQuestion(attempt_id=aid, position=pos, question_id=q.id or 0,
                                      public_id=pub,
                                      options=[[o.id, f"{pub}o{o.position}"]
                                               for o in opts[q.id]]))
                s.add(Answer(attempt_id=aid, question_public_id=pub,
                             option_ids=[f"{pub}o{0 if strong else 2}"],
                             saved_at=T0 + timedelta(minutes=i)))
    return {q.ext_id: q.id or 0 for q in qs}


async def test_planted_wrong_key_is_flagged_then_fixed_in_a_new_version(
        console: Console) -> None:
    w = console.world
    version, _ = await import_bank(w.ctx, _planted())
    assert version.id is not None
    now = w.clock.now()
    played = await w.add_round(title="Tuần 1", bank_version_id=version.id,
                               questions_per_attempt=3, opens_at=now - timedelta(days=2),
                               closes_at=now - timedelta(days=1))
    waiting = await w.add_round(title="Tuần 3", bank_version_id=version.id,
                                questions_per_attempt=3, opens_at=now + timedelta(days=7),
                                closes_at=now + timedelta(days=8))
    ids = await _seed(console, played, version.id)
    org = await console.login("organiser")

    listing = await org.get(f"/console/banks/{version.id}/questions?usage=flagged")
    assert listing.status_code == 200
    assert "sai-dap-an" in listing.text and "dung-1" not in listing.text
    assert "Có thể sai đáp án" in listing.text

    detail = await org.get(f"/console/banks/{version.id}/questions/{ids['sai-dap-an']}")
    assert "phần lớn những người làm bài tốt nhất chọn phương án A" in detail.text
    _, _, _, _, row = await console_banks.question(w.ctx, version.id, ids["sai-dap-an"])
    assert [(o.chosen, round(o.share, 2), round(o.top_share, 2)) for o in row.stats.options] \
        == [(10, 0.5, 1.0), (0, 0.0, 0.0), (10, 0.5, 0.0)]
    assert row.usage == 20 and row.stats.correct == 10
    assert row.stats.discrimination == pytest.approx(-1.0)
    _, _, _, _, fine = await console_banks.question(w.ctx, version.id, ids["dung-1"])
    assert not fine.stats.wrong_key and fine.stats.discrimination == pytest.approx(1.0)

    # fix the key: a new version; the played round keeps v1, the waiting round moves to v2
    fixed = await org.post(f"/console/banks/{version.id}/questions/{ids['sai-dap-an']}", data={
        "text": "Câu hỏi sai-dap-an?", "option": ["Phương án A", "Phương án B", "Phương án C"],
        "key": "A", "topic": "Chung", "difficulty": "easy", "basis": "Điều 1 Luật thử",
        "move_rounds": "on", "action": "save"})
    assert fixed.status_code == 303, fixed.text
    assert "moved=1" in fixed.headers["location"]
    async with w.ctx.sm() as s:
        rounds = {r.id: r.bank_version_id for r in (await s.scalars(select(Round))).all()}
        new_q = await s.scalar(select(Question).where(
            col(Question.ext_id) == "sai-dap-an", col(Question.bank_version_id) != version.id))
        keys = (await s.scalars(select(Option.correct).where(
            col(Option.question_id) == (new_q.id if new_q else 0))
            .order_by(col(Option.position)))).all()
        seen = (await s.scalars(select(AttemptQuestion.question_id).where(
            col(AttemptQuestion.attempt_id) == "a00"))).all()
        event = await s.scalar(select(AuditEvent).where(
            col(AuditEvent.action) == "question.edit"))
    assert rounds[played] == version.id and rounds[waiting] != version.id
    assert list(keys) == [True, False, False]
    assert ids["sai-dap-an"] in seen  # the attempts keep the version they saw
    assert event is not None and event.details["rounds_moved"] == [waiting]

    bad = await org.post(f"/console/banks/{version.id}/questions/{ids['dung-1']}", data={
        "text": "Câu?", "option": ["A", "B"], "topic": "Chung", "difficulty": "easy",
        "basis": "", "action": "save"})
    assert bad.status_code == 422 and "cần chọn đáp án đúng" in bad.text


@pytest.mark.skipif(CHROMIUM is None, reason="needs chromium")
async def test_bank_browser_in_a_browser(console: Console, tmp_path: Path) -> None:
    """The flagged question found by filtering, its option table, at desk and phone size
    (screenshots with CONTEST_SCREENSHOTS=1)."""
    from playwright.async_api import async_playwright

    w = console.world
    version, _ = await import_bank(w.ctx, _planted())
    assert version.id is not None
    now = w.clock.now()
    played = await w.add_round(title="Tuần 1", bank_version_id=version.id,
                               questions_per_attempt=3, opens_at=now - timedelta(days=2),
                               closes_at=now - timedelta(days=1))
    await _seed(console, played, version.id)
    org = await console.login("organiser")
    del org.headers["X-CSRF-Token"]
    shots = DOCS if os.environ.get("CONTEST_SCREENSHOTS") else tmp_path
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = await browser.new_page(viewport={"width": 1100, "height": 800})
            await page.route("http://test/**", _forwarder(org))
            await page.goto("http://test/console/banks")
            await page.get_by_role("link", name="cai-sai").click()
            await page.wait_for_url("**/questions")
            assert await page.locator("#questions tbody tr.flagged").count() == 1
            await page.screenshot(path=str(shots / "console-bank-browser.png"), full_page=True)
            await page.select_option("select[name=usage]", "flagged")
            await page.get_by_role("button", name="Lọc").click()
            await page.wait_for_url("**usage=flagged**")
            await page.get_by_role("link", name="sai-dap-an").click()
            await page.locator("#wrong-key").wait_for()
            await page.screenshot(path=str(shots / "console-bank-question.png"), full_page=True)
            await page.set_viewport_size({"width": 360, "height": 740})
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"the question page is {width}px wide on a 360px screen"
        finally:
            await browser.close()
