"""Issue 16 item 12: the public results page's "Tự kiểm tra kết quả bốc thăm" re-derives the
draw in the browser (Web Crypto) and shows the winners `contest draw verify` confirms; a
tampered published file is rejected in both, with a clear Vietnamese message in the page."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import PHONE, SHOTS, Server
from tests.e2e.server import FINALISED_TITLE

pytestmark = pytest.mark.e2e


def _round_id(server: Server) -> int:
    with sqlite3.connect(server.db) as db:
        (rid,) = db.execute("SELECT id FROM rounds WHERE title = ?", (FINALISED_TITLE,)).fetchone()
    return int(rid)


def _cli_verify(manifest: Path, eligible: Path) -> tuple[int, str]:
    done = subprocess.run([sys.executable, "-m", "contest.cli", "draw", "verify", str(manifest),
                           str(eligible)], capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout


def _browser_check(page: Any, files: list[Path] | None = None) -> tuple[str, list[list[str]]]:
    if files:
        page.set_input_files("#draw-check input[type=file]", [str(f) for f in files])
    page.click("#draw-check button")
    verdict = page.wait_for_selector("#draw-check-verdict").inner_text()
    rows = page.eval_on_selector_all(
        "#draw-check-winners tbody tr",
        "trs => trs.map(tr => [...tr.cells].map(td => td.innerText.trim()))")
    return verdict, rows


def test_the_browser_check_agrees_with_the_cli_and_rejects_tampered_files(
        results_server: Server, browser: Any, tmp_path: Path) -> None:
    rid = _round_id(results_server)
    manifest = httpx.get(f"{results_server.url}/api/v1/rounds/{rid}/results").json()
    eligible = httpx.get(f"{results_server.url}{manifest['eligible_list']}").content
    (tmp_path / "ket-qua.json").write_text(json.dumps(manifest), "utf-8")
    (tmp_path / "danh-sach.csv").write_bytes(eligible)
    code, out = _cli_verify(tmp_path / "ket-qua.json", tmp_path / "danh-sach.csv")
    assert code == 0 and "verified" in out, out
    published = sorted([w["tier_name"], w["entry_id"]] for w in manifest["winners"])
    assert len(published) == 3  # E1 first; E2, E3, E4 tied on the chain: the draw picks two

    ctx = browser.new_context(viewport=PHONE, locale="vi-VN", device_scale_factor=1,
                              is_mobile=True, has_touch=True)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(20000)
    try:
        page.goto(f"{results_server.url}/results/{rid}")
        assert page.inner_text("#draw-check button") == "Tự kiểm tra kết quả bốc thăm"
        verdict, rows = _browser_check(page)
        assert verdict.startswith("KHỚP"), verdict
        assert sorted([tier, entry] for tier, _name, entry in rows) == published
        assert page.locator("#draw-check li.bad").count() == 0
        page.evaluate("document.querySelector('#draw-check-winners').scrollIntoView(false)")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "results-draw-check.png"))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways: {width}px"

        # tampered files, each chosen from disk: the same verdict as the CLI
        text = eligible.decode("utf-8-sig")
        first = text.splitlines()[1].split(",")
        edited = text.replace(",".join(first), ",".join([first[0], first[1], str(int(first[2]) + 1),
                                                         *first[3:]]), 1)
        forged = dict(manifest, winners=[dict(w, tier_code="nhat") for w in manifest["winners"]])
        cases = [("sua-danh-sach.csv", edited, "ket-qua.json", json.dumps(manifest),
                  "Danh sách đủ điều kiện khớp mã băm đã công bố"),
                 ("danh-sach.csv", text, "sua-ket-qua.json", json.dumps(forged),
                  "Chia giải lại từ đầu cho ra đúng danh sách đoạt giải đã công bố")]
        for csv_name, csv_text, json_name, json_text, failing in cases:
            folder = tmp_path / csv_name.removesuffix(".csv") / json_name.removesuffix(".json")
            folder.mkdir(parents=True)
            (folder / csv_name).write_text(csv_text, "utf-8")
            (folder / json_name).write_text(json_text, "utf-8")
            code, out = _cli_verify(folder / json_name, folder / csv_name)
            assert code == 1 and "NOT verified" in out, out
            page.goto(f"{results_server.url}/results/{rid}")
            verdict, rows = _browser_check(page, [folder / json_name, folder / csv_name])
            assert verdict.startswith("KHÔNG KHỚP") and "bị sửa" in verdict, verdict
            assert rows == []
            bad = page.locator("#draw-check li.bad").all_inner_texts()
            assert any(failing in b for b in bad), bad
        page.evaluate("document.querySelector('#draw-check li.bad').scrollIntoView(false)")
        page.screenshot(path=str(SHOTS / "results-draw-check-tampered.png"))
    finally:
        ctx.close()
    assert not errors, errors
