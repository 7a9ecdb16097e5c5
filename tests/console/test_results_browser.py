"""The results page in headless Chromium: commit the draw, finalise through the confirmation
step by clicking, and the page fits a 360 px phone. The browser talks to the in-process app
(each request is handed to the test's logged-in client), so no server process is needed.

With CONTEST_SCREENSHOTS=1 the screenshots are written to docs/screenshots/console-results*.png.
"""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.console.conftest import Console
from tests.services.results_helpers import Person, seed_entries, set_round

CHROMIUM = shutil.which("chromium")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs chromium")

NAMES = ["Nguyễn Thị Bích Ngọc", "Trần Văn Đức", "Lê Hoàng Yến", "Phạm Quốc Việt",
         "Đặng Thùy Dương", "Hoàng Minh Châu", "Vũ Thị Lan Anh", "Bùi Đức Thắng"]
UNITS = ["BP-BUDANG-THPT", "BP-DONGXOAI", "BP-BUDANG"]


def _forwarder(client: httpx.AsyncClient) -> Any:
    async def handle(route: Any) -> None:
        req = route.request
        path = req.url.split("http://test", 1)[1]
        headers = {k: v for k, v in req.headers.items() if k.lower() == "content-type"}
        resp = await client.request(req.method, path, content=req.post_data_buffer,
                                    headers=headers)
        await route.fulfill(status=resp.status_code, body=resp.content,
                            headers={k: v for k, v in resp.headers.items()
                                     if k.lower() not in ("content-length", "content-encoding")})
    return handle


async def test_commit_finalise_and_read_the_results_in_a_browser(
        console: Console, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    w = console.world
    now = w.clock.now()
    await set_round(w.ctx, w.round_id, title="Đợt 1 — Tìm hiểu Luật Đất đai",
                    opens_at=now + timedelta(hours=1), closes_at=now + timedelta(days=1),
                    prizes={"tiers": [{"code": "nhat", "name": "Giải Nhất", "count": 1},
                                      {"code": "nhi", "name": "Giải Nhì", "count": 2},
                                      {"code": "ba", "name": "Giải Ba", "count": 3}]})
    org = await console.login("organiser")
    del org.headers["X-CSRF-Token"]  # the browser's forms carry the token themselves
    shots = DOCS if os.environ.get("CONTEST_SCREENSHOTS") else tmp_path
    url = f"http://test/console/rounds/{w.round_id}/results"
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 800})
            await page.route("http://test/**", _forwarder(org))
            await page.goto(url)
            await page.get_by_role("button", name="Tạo cam kết bốc thăm").click()
            await page.wait_for_url(f"{url}?done=committed")
            assert "trước khi đợt thi mở" in await page.inner_text("main")

            await seed_entries(w.ctx, w.round_id, [
                Person(f"P{i}", 5000 - 500 * (i // 2), duration_ms=60_000 + 1000 * i,
                       name=NAMES[i], unit=UNITS[i % 3], phone=f"09120000{i:02d}")
                for i in range(len(NAMES))])
            w.clock.advance(2 * 24 * 3600)
            await page.goto(url)
            await page.get_by_role("link", name="Chốt kết quả").click()
            await page.get_by_role("button", name="Xác nhận chốt kết quả").wait_for()
            await page.evaluate("window.scrollTo(0, 0)")
            await page.screenshot(path=str(shots / "console-results-confirm.png"))
            await page.get_by_role("button", name="Xác nhận chốt kết quả").click()
            await page.wait_for_url(f"{url}?done=finalised")
            main = await page.inner_text("main")
            assert "Đã chốt kết quả" in main and "Nguyễn T. B. N." in main
            assert await page.locator('a[href$=".xlsx?level=2"]').count() == 4
            await page.screenshot(path=str(shots / "console-results.png"), full_page=True)

            await page.set_viewport_size({"width": 360, "height": 740})
            await page.reload()
            # Nothing but the winners table (in its own scroller) may be wider than a phone.
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"the page is {width}px wide on a 360px screen"
            await page.screenshot(path=str(shots / "console-results-mobile.png"),
                                  full_page=True)

            # issue 16: the winner notices, sent with one button, each person's state shown
            await page.get_by_role("button", name="Gửi thông báo đạt giải (6 giải)").click()
            await page.wait_for_url(f"{url}?done=notified&queued=6&already=0&unreachable=0"
                                    "#thong-bao")
            main = await page.inner_text("main")
            assert "Đã xếp 6 thông báo mới vào hàng gửi" in main
            assert main.count("Đang chờ gửi (SMS)") == 6
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"the page is {width}px wide on a 360px screen"
            await page.screenshot(path=str(shots / "console-results-notices.png"),
                                  full_page=True)
        finally:
            await browser.close()
