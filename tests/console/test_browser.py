"""In a real headless Chromium: log in, upload a bad bank, fix it, configure a round, dashboard."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.waiting import answering

CHROMIUM = shutil.which("chromium")
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs /usr/bin/chromium")

BAD_CSV = """\
Mã câu hỏi,Câu hỏi,Chủ đề,Mức độ,Phương án A,Phương án B,Phương án C,Phương án D,Đáp án,Căn cứ
c1,Luật Phổ biến giáo dục pháp luật được thông qua năm nào?,Chung,Dễ,2011,2012,2013,,B,Luật 14/2012
c2,,Chung,Dễ,Sở Tư pháp,UBND tỉnh,Bộ Tư pháp,Quốc hội,A,Điều 2
c3,Ngày Pháp luật Việt Nam là ngày nào?,Chung,Dễ,9/11,2/9,19/5,1/6,E,Điều 8
"""
FIXES = [("c2,,Chung", "c2,Cơ quan nào tham mưu về phổ biến pháp luật ở tỉnh?,Chung"),
         (",1/6,E,", ",1/6,A,")]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_organiser_journey(tmp_path: Path) -> None:
    port = _port()
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/b.sqlite3",
           "CONTEST_DEV": "1", "SECRET_KEY": "b" * 40, "CONTEST_ARGON2_COST": "test"}
    env.pop("REDIS_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "contest.cli", "serve", "--demo", "--port",
                               str(port)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        answering(f"{base}/healthz", server)
        made = subprocess.run([sys.executable, "-m", "contest.cli", "staff", "create", "--role",
                               "organiser", "--username", "bantochuc", "--full-name",
                               "Ban tổ chức Sở Tư pháp", "--password-stdin"],
                              input="mat-khau-ban-to-chuc\n", env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)
        assert made.returncode == 0, made.stderr
        _play(base, tmp_path)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _participants(base: str, n: int) -> None:
    """A few participants take an attempt, so the dashboard has something to draw."""
    contest = httpx.get(f"{base}/api/v1/contests").json()[0]
    detail = httpx.get(f"{base}/api/v1/contests/{contest['slug']}").json()
    units = httpx.get(f"{base}/api/v1/contests/{contest['slug']}/units").json()
    rid = next(r["id"] for r in detail["rounds"] if r.get("kind", "ranked") == "ranked")
    ua = ["Mozilla/5.0 (Linux; Android 12) Mobile", "Mozilla/5.0 (X11; Linux x86_64)"]
    for i in range(n):
        with httpx.Client(base_url=base, headers={"User-Agent": ua[i % 3 == 0]}) as c:
            r = c.post(f"/api/v1/contests/{contest['slug']}/register", json={
                "full_name": f"Người Thử {i}", "birth_date": "1990-01-01",
                "phone": f"09{i:08d}", "password": "matkhau123",
                "unit_code": units[1 + i % (len(units) - 1)]["code"],
                "group": detail["groups"][0]["code"], "consent": True})
            assert r.status_code == 201, r.text
            paper = c.post(f"/api/v1/rounds/{rid}/attempts").json()
            for k, q in enumerate(paper["questions"]):
                if (k + i) % 3:
                    c.put(f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}",
                          json={"option_ids": [q["options"][0]["id"]]})
            c.post(f"/api/v1/attempts/{paper['attempt_id']}/submit", json={"prediction": 100 + i})


def _play(base: str, tmp: Path) -> None:
    # Screenshots land in docs/screenshots only when asked (CONTEST_SCREENSHOTS=1), so a
    # test run never leaves the work tree changed.
    shots = SHOTS if os.environ.get("CONTEST_SCREENSHOTS") else tmp
    from playwright.sync_api import sync_playwright

    _participants(base, 12)
    SHOTS.mkdir(parents=True, exist_ok=True)
    bad = tmp / "ngan-hang.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(f"{base}/console")
        assert "/console/login" in page.url
        page.fill("input[name=username]", "bantochuc")
        page.fill("input[name=password]", "mat-khau-ban-to-chuc")
        page.screenshot(path=str(shots / "console-login.png"))
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/console")
        page.goto(f"{base}/console/banks")
        page.set_input_files("input[name=file]", str(bad))
        page.click("form[action='/console/banks'] button")
        rows = page.locator("#report tr.problem")
        assert rows.count() >= 2
        text = page.inner_text("#report")
        assert "Lỗi" in text and "3" in text
        page.screenshot(path=str(shots / "console-bank-errors.png"), full_page=True)
        fixed = BAD_CSV
        for wrong, right in FIXES:
            fixed = fixed.replace(wrong, right)
        bad.write_text(fixed, encoding="utf-8")
        page.set_input_files("input[name=file]", str(bad))
        page.click("form[action='/console/banks'] button")
        assert "Đã nhập" in page.inner_text("main")
        page.screenshot(path=str(shots / "console-bank-imported.png"), full_page=True)
        page.goto(f"{base}/console/contests")
        page.click("text=Thêm đợt thi")
        page.fill("input[name=title]", "Đợt 2: tuần từ 01/12")
        page.fill("input[name=opens_at]", "2026-12-01T10:00")
        page.fill("input[name=closes_at]", "2026-12-08T09:00")
        page.select_option("select[name=bank_version_id]", index=0)
        page.fill("input[name=questions_per_attempt]", "3")
        page.fill("input[name=max_attempts]", "2")
        page.fill("input[name=prediction_prompt]", "Có bao nhiêu người tham gia đợt này?")
        page.select_option("select[name=prediction_kind]", "participants")
        page.fill("input[name=tier_count_0]", "1")  # Giải Nhất
        page.fill("input[name=tier_count_1]", "2")  # Giải Nhì
        page.click("button[value=preview]")
        assert "Cơ cấu giải: 1 Giải Nhất; 2 Giải Nhì." in page.inner_text("#preview")
        page.click("form button[type=submit] >> nth=-1")
        page.wait_for_url("**/rounds/*?saved=1")
        assert "Đã lưu" in page.inner_text("main")
        page.screenshot(path=str(shots / "console-round.png"), full_page=True)
        page.goto(f"{base}/console/dashboard")
        page.locator("main a", has_text="Đợt 1").first.click()  # the demo round, with data
        page.wait_for_selector("figure.chart svg")
        assert page.locator("figure.chart svg").count() == 3
        page.screenshot(path=str(shots / "console-dashboard.png"), full_page=True)
        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.context.add_cookies(page.context.cookies())
        phone.goto(page.url)
        phone.screenshot(path=str(shots / "console-dashboard-phone.png"), full_page=True)
        browser.close()
