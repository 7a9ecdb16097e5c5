"""The contest wizard in headless Chromium, end to end: a new contest with a weekly series of
4 rounds, prizes and a tie-break chain, published; a citizen takes week 1; the contest file
exported from it loads into an empty database and produces the same contest.

The browser talks to the in-process app through the test's logged-in client (as the results
page test does). With CONTEST_SCREENSHOTS=1 each step is saved as
docs/screenshots/console-wizard-<n>-<step>.png.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from contest.console import wizard as console_wizard
from contest.core.context import Services
from contest.setup.bank_versions import import_bank
from contest.setup.contest_as_code import dump, load_spec
from contest.setup.contest_file import parse
from contest.setup.units import load_units, parse_units
from contest.storage.db import make_engine, make_sessionmaker, migrate
from contest.storage.redis_client import make_redis
from tests.conftest import UNITS_CSV, sample_bank
from tests.console.conftest import Console
from tests.console.test_results_browser import CHROMIUM, DOCS, _forwarder

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs chromium")


async def _empty_database_round_trip(exported: str, tmp_path: Path, ctx: Services) -> str:
    """Load the exported file into a new empty SQLite database (after its bank and unit
    tree, which the file names by code) and dump it back."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/empty.sqlite3")
    redis = make_redis(None)
    try:
        await migrate(engine)
        fresh = Services(settings=ctx.settings, sm=make_sessionmaker(engine), redis=redis,
                         now=ctx.now)
        await load_units(fresh, parse_units(UNITS_CSV))
        await import_bank(fresh, sample_bank())
        spec = parse(exported, "export.yaml", ctx.settings.timezone)
        report = await load_spec(fresh, spec, tmp_path / "export.yaml", "test")
        assert report.created and len(report.rounds) == 4
        return await dump(fresh, spec.slug)
    finally:
        await redis.aclose()
        await engine.dispose()


async def test_wizard_in_a_browser(console: Console, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    w = console.world
    org = await console.login("organiser")
    del org.headers["X-CSRF-Token"]  # the browser's forms carry the token themselves
    shots = DOCS if os.environ.get("CONTEST_SCREENSHOTS") else tmp_path
    today = w.clock.now().astimezone(w.ctx.settings.tz)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--lang=vi-VN"])
        try:
            page = await browser.new_page(viewport={"width": 1100, "height": 900})
            await page.route("http://test/**", _forwarder(org))
            await page.goto("http://test/console")
            await page.get_by_role("link", name="Tạo cuộc thi mới").click()
            await page.fill("input[name=title]", "Cuộc thi tìm hiểu pháp luật hằng tuần 2026")
            await page.get_by_role("button", name="Bắt đầu").click()
            await page.wait_for_url("**/basics")

            # 1. basics
            assert await page.input_value("input[name=slug]") == \
                "cuoc-thi-tim-hieu-phap-luat-hang-tuan-2026"
            await page.fill("input[name=slug]", "hang-tuan-2026")
            await page.fill("input[name=organiser]", "Sở Tư pháp tỉnh Bình Phước")
            await page.fill("textarea[name=rules]", "Mỗi tuần một đợt thi, 5 câu hỏi, 10 phút.")
            await page.select_option("select[name=unit_root]", "BP")
            await page.screenshot(path=str(shots / "console-wizard-1-basics.png"),
                                  full_page=True)
            await page.get_by_role("button", name="Lưu và tiếp tục").click()
            await page.wait_for_url("**/people?saved=1")

            # 2. people (the defaults: three groups, the default consent text)
            assert "Học sinh, sinh viên" in await page.input_value("textarea[name=groups]")
            await page.fill("input[name=min_age]", "15")
            await page.screenshot(path=str(shots / "console-wizard-2-people.png"),
                                  full_page=True)
            await page.get_by_role("button", name="Lưu và tiếp tục").click()
            await page.wait_for_url("**/rounds?saved=1")

            # 3. a weekly series of 4 rounds, opening today
            form = page.locator("#series-form")
            await form.locator("input[name=s_first_day]").fill(f"{today:%Y-%m-%d}")
            await form.locator("input[name=s_weeks]").fill("4")
            await form.locator("select[name=s_open_day]").select_option(str(today.weekday()))
            await form.locator("input[name=s_open_time]").fill("00:00")
            await form.locator("select[name=s_close_day]").select_option(str(today.weekday()))
            await form.locator("input[name=s_close_time]").fill("00:00")
            await form.locator("input[name=s_questions]").fill("5")
            await form.locator("input[name=s_time_limit_min]").fill("10")
            await form.get_by_role("button", name="Tạo các đợt").click()
            rows = page.locator("#draft-rounds tbody tr")
            await rows.nth(3).wait_for()  # same address before and after: wait for the rows
            assert await rows.count() == 4
            assert "Tuần 4" in await rows.nth(3).inner_text()
            await page.screenshot(path=str(shots / "console-wizard-3-rounds.png"),
                                  full_page=True)
            await page.get_by_role("button", name="Tiếp tục: giải thưởng").click()
            await page.wait_for_url("**/prizes?saved=1")

            # 4. prizes and the tie-break chain, previewed in plain Vietnamese
            await page.fill("input[name=tier_count_0]", "1")
            await page.fill("input[name=tier_value_0]", "1.000.000 đồng")
            await page.fill("input[name=tier_count_1]", "2")
            await page.fill("input[name=tier_count_2]", "3")
            await page.fill("input[name=max_share_pct]", "10")
            async with page.expect_navigation():
                await page.get_by_role("button", name="Đưa tiêu chí 2 xuống").click()
            preview = await page.inner_text("#preview")
            assert "1 Giải Nhất (trị giá 1.000.000 đồng); 2 Giải Nhì; 3 Giải Ba." in preview
            assert "nếu bằng nhau, người làm bài trong thời gian ngắn hơn xếp trên" in preview
            await page.screenshot(path=str(shots / "console-wizard-4-prizes.png"),
                                  full_page=True)
            await page.get_by_role("button", name="Lưu và tiếp tục").click()
            await page.wait_for_url("**/publish?saved=1")

            # 5. publish
            assert "Bản nháp hợp lệ: 4 đợt thi" in await page.inner_text("main")
            await page.screenshot(path=str(shots / "console-wizard-5-publish.png"),
                                  full_page=True)
            await page.get_by_role("button", name="Công bố cuộc thi").click()
            await page.wait_for_url("**/console/contests/*?published=1")
            cid = int(page.url.split("/")[-1].split("?")[0])

            await page.set_viewport_size({"width": 360, "height": 740})
            await page.goto("http://test/console/wizard/1/prizes")
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"the prizes step is {width}px wide on a 360px screen"
            await page.screenshot(path=str(shots / "console-wizard-4-prizes-phone.png"),
                                  full_page=True)
        finally:
            await browser.close()

    # a citizen takes week 1
    detail = (await w.client.get("/api/v1/contests/hang-tuan-2026")).json()
    week1 = next(r for r in detail["rounds"] if r["title"] == "Tuần 1")
    citizen = w.make_client()
    r = await citizen.post("/api/v1/contests/hang-tuan-2026/register", json={
        "full_name": "Nguyễn Văn An", "birth_date": "1990-05-21", "phone": "0987654321",
        "password": "matkhau123", "unit_code": "BP-BUDANG-THPT", "group": "tudo",
        "consent": True})
    assert r.status_code == 201, r.text
    paper = (await citizen.post(f"/api/v1/rounds/{week1['id']}/attempts")).json()
    assert len(paper["questions"]) == 5
    for q in paper["questions"]:
        await citizen.put(f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}",
                          json={"option_ids": [q["options"][0]["id"]]})
    done = await citizen.post(f"/api/v1/attempts/{paper['attempt_id']}/submit",
                              json={"prediction": 120})
    assert done.status_code == 200 and done.json()["counted"] is True

    # the exported contest file loads into an empty database as the same contest
    exported = (await org.get(f"/console/contests/{cid}/contest.yaml")).text
    spec = parse(exported, "export.yaml")
    assert [r.title for r in spec.rounds] == ["Tuần 1", "Tuần 2", "Tuần 3", "Tuần 4"]
    assert spec.rounds[0].tie_breaks == ["score", "duration", "prediction", "submitted"]
    assert spec.rounds[3].prizes == spec.rounds[0].prizes
    assert await _empty_database_round_trip(exported, tmp_path, w.ctx) == exported
    draft = await console_wizard.get(w.ctx, 1)
    assert draft.row.published_contest_id == cid
