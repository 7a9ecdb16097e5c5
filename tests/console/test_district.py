"""The district view: a unit officer's home shows their units' participation against the
unit tree's headcounts, live during the round, only within their scope."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import col

from contest.console.district import default_round
from contest.storage.db import transaction
from contest.storage.tables import Unit
from tests.console.conftest import Console
from tests.console.test_results_browser import CHROMIUM, DOCS, _forwarder


async def test_officer_home_shows_participation_against_target(console: Console) -> None:
    w = console.world
    async with transaction(w.ctx.sm) as s:
        await s.execute(update(Unit).where(col(Unit.code) == "BP-BUDANG-THPT")
                        .values(headcount=4))
    took = w.make_client()
    await w.register(took, phone="0911111111", unit_code="BP-BUDANG-THPT")
    started = await took.post(f"/api/v1/rounds/{w.round_id}/attempts")
    assert started.status_code == 201  # a running attempt counts: the view is live
    await w.register(w.make_client(), phone="0922222222", unit_code="BP-BUDANG-THPT")
    await w.register(w.make_client(), phone="0933333333", unit_code="BP-DONGXOAI")

    officer = await console.login("officer")
    home = await officer.get("/console")
    assert home.status_code == 200
    row = re.search(r"<tr><td>Trường THPT Bù Đăng</td>(.*?)</tr>", home.text, re.S)
    assert row is not None
    cells = re.findall(r'<td class="num[^"]*">([^<]*)</td>', row.group(1))
    assert cells == ["4", "2", "1", "25%"]  # target, registered, took part, rate
    assert "Đồng Xoài" not in home.text  # another district is out of scope
    assert home.text.count("<svg") == 4
    outside = await officer.get("/console/district?unit=BP-DONGXOAI")
    assert outside.status_code == 404

    org = await console.login("organiser")
    whole = await org.get("/console/district")
    assert "Huyện Bù Đăng" in whole.text and "Đồng Xoài" in whole.text


def test_default_round_prefers_the_open_one() -> None:
    from datetime import UTC, datetime

    from contest.storage.tables import Round

    def r(i: int, opens: int, closes: int) -> Round:
        return Round(id=i, contest_id=1, title=str(i), bank_version_id=1, secret=b"",
                     opens_at=datetime(2026, 12, opens, tzinfo=UTC),
                     closes_at=datetime(2026, 12, closes, tzinfo=UTC))

    rounds = [r(1, 1, 7), r(2, 8, 14), r(3, 15, 21)]
    at = datetime(2026, 12, 10, tzinfo=UTC)
    assert default_round(rounds, at).id == 2  # type: ignore[union-attr]
    assert default_round(rounds, datetime(2026, 12, 30, tzinfo=UTC)).id == 3  # type: ignore[union-attr]
    assert default_round(rounds, datetime(2026, 11, 1, tzinfo=UTC)).id == 1  # type: ignore[union-attr]
    assert default_round([], at) is None


@pytest.mark.skipif(CHROMIUM is None, reason="needs chromium")
async def test_district_and_slips_fit_a_phone(console: Console, tmp_path: Path) -> None:
    """The officer's home and the printable slips at 360 px (screenshots with
    CONTEST_SCREENSHOTS=1)."""
    from playwright.async_api import async_playwright

    from tests.console.test_roster import ROWS, _xlsx

    w = console.world
    async with transaction(w.ctx.sm) as s:
        await s.execute(update(Unit).where(col(Unit.code) == "BP-BUDANG-THPT")
                        .values(headcount=40))
    officer = await console.login("officer")
    del officer.headers["X-CSRF-Token"]
    shots = DOCS if os.environ.get("CONTEST_SCREENSHOTS") else tmp_path
    upload = tmp_path / "lop-12a.xlsx"
    upload.write_bytes(_xlsx(ROWS))
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = await browser.new_page(viewport={"width": 360, "height": 740})
            await page.route("http://test/**", _forwarder(officer))
            # the upload's answer (the route hand-off cannot carry a binary multipart body)
            done = await officer.post("/console/participants/import", data={
                "contest": "1", "csrf_token": console.csrf["officer"]},
                                      files={"file": ("lop-12a.xlsx", upload.read_bytes(),
                                                      "application/octet-stream")})
            await page.goto("http://test/console/participants/import")
            await page.set_content(done.text)
            await page.locator("#slips .slip").first.wait_for()
            assert await page.locator("#slips .slip").count() == 3
            assert await page.locator("#roster-report tr.problem").count() == 6
            await page.screenshot(path=str(shots / "console-roster-phone.png"), full_page=True)
            for url in ("http://test/console", "http://test/console/participants/import"):
                await page.goto(url)
                width = await page.evaluate("document.documentElement.scrollWidth")
                assert width <= 360, f"{url} is {width}px wide on a 360px screen"
            await page.goto("http://test/console")
            await page.screenshot(path=str(shots / "console-district-phone.png"),
                                  full_page=True)
        finally:
            await browser.close()
