"""The anti-cheating features of the mobile web in headless Chromium.

The registration page solves the proof-of-work when the server asks for one (a server started
with CONTEST_POW_THRESHOLD=0 asks every time) and retries once with a new challenge when a
solution is refused; during an attempt, hiding the page is reported (at most once per 5 s) and
lands in the attempt's integrity signals.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session

from contest.storage.integrity_tables import AttemptSignals
from tests.e2e.conftest import Server
from tests.e2e.test_mobile import axe_check, new_phone, shot, wait_saved

pytestmark = pytest.mark.e2e

# Headless Chromium keeps every page "visible" (other tabs, minimising: nothing changes it), so
# the test sets document.visibilityState itself and fires the event the browser would fire.
SET_VISIBILITY = """(state) => {
    Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => state});
    document.dispatchEvent(new Event('visibilitychange'));
}"""

# Holds each solve until the test releases it (to look at the page while it "solves"); the
# first solution is spoiled so the server refuses it and the page must fetch a new challenge.
HOLD_SOLVER = """() => {
    const real = window.ContestPow.solve;
    window.held = 0;
    window.ContestPow.solve = (challenge, bits) => {
        const n = ++window.held;
        return new Promise((go) => { window.release = go; })
            .then(() => (n === 1 ? 'spoiled' : real(challenge, bits)));
    };
}"""


def test_registration_solves_the_proof_of_work(gated_phone: Any, gated_server: Server) -> None:
    page = gated_phone
    refused = page.request.post("/api/v1/contests/demo/register", data={
        "full_name": "Đỗ Văn Cường", "birth_date": "1980-01-02", "phone": new_phone(),
        "password": "matkhau123", "unit_code": "BP-DONGXOAI", "group": "tudo",
        "consent": True})
    assert refused.status == 403 and refused.json()["error"] == "challenge_required"

    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    registers: list[Any] = []
    page.on("request", lambda r: registers.append(r) if r.url.endswith("/register") else None)

    page.goto("/")
    page.get_by_role("heading", level=1).wait_for()
    assert not any("/assets/js/pow." in u for u in requests)  # not loaded before it is needed
    page.get_by_role("link", name="Đăng ký dự thi").first.click()
    page.get_by_label("Họ và tên").fill("Đỗ Thị Lan")
    page.wait_for_function("!!window.ContestPow")  # fetched while the form is being filled in
    assert any("/assets/js/pow." in u for u in requests)
    page.evaluate(HOLD_SOLVER)

    page.locator("#f-birth_day").fill("20")
    page.locator("#f-birth_month").fill("5")
    page.locator("#f-birth_year").fill("1990")
    page.get_by_label("Số điện thoại").fill(new_phone())
    page.locator("#f-password").fill("matkhau123")
    page.get_by_label("Tìm nơi bạn ở").fill("dong xoai")
    page.locator("#f-unit_code option").first.wait_for(state="attached")
    page.locator("#f-unit_code").select_option(index=0)
    page.get_by_label("Người dân (thí sinh tự do)").check()
    page.locator("#f-consent").check()
    page.get_by_role("button", name="Đăng ký dự thi").click()

    status = page.locator("#reg-check")
    status.get_by_text("Đang kiểm tra an toàn…").wait_for()
    assert status.get_attribute("role") == "status"
    assert status.get_attribute("aria-live") == "polite"
    assert page.get_by_role("button", name="Đăng ký dự thi").is_disabled()
    axe_check(page, "register while checking")
    status.scroll_into_view_if_needed()
    shot(page, "02b-register-checking")
    page.evaluate("window.release()")  # the spoiled solution: the server refuses it

    page.wait_for_function("window.held === 2")  # refused: a new challenge is being solved
    status.get_by_text("Đang kiểm tra an toàn…").wait_for()
    page.evaluate("window.release()")  # a new challenge, solved for real
    page.get_by_text("Xin chào, Đỗ Thị Lan.").wait_for()

    answers = [(r.response().status, r.response().json().get("error")) for r in registers]
    assert answers == [(403, "challenge_failed"), (201, None)]
    first, second = (json.loads(r.post_data or "{}")["pow"] for r in registers)
    assert first["nonce"] == "spoiled"
    assert second["challenge"] != first["challenge"]  # a fresh challenge for the retry
    assert re.fullmatch(r"\d+", second["nonce"])  # solved by pow.js, accepted by the server
    assert sum("/challenge" in u for u in requests) >= 2


def test_hidden_page_is_reported_during_an_attempt(phone: Any, server: Server) -> None:
    page = phone
    resp = page.request.post("/api/v1/contests/demo/register", data={
        "full_name": "Vũ Thị Mai", "birth_date": "1975-06-07", "phone": new_phone(),
        "password": "matkhau123", "unit_code": "BP-DONGXOAI", "group": "tudo",
        "consent": True})
    assert resp.status == 201, resp.text()
    rounds = page.request.get("/api/v1/contests/demo").json()["rounds"]
    ranked = next(r for r in rounds if r["kind"] == "ranked")
    reports: list[Any] = []
    page.on("request", lambda r: reports.append(r) if r.url.endswith("/visibility") else None)

    page.goto(f"/#/r/{ranked['id']}/start")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.locator(".question").wait_for()
    attempt_id = re.search(r"#/a/([\w-]+)", page.url).group(1)  # type: ignore[union-attr]
    page.evaluate(SET_VISIBILITY, "visible")  # a change to visible is not reported
    with page.expect_response(lambda r: r.url.endswith("/visibility")) as answer:
        page.evaluate(SET_VISIBILITY, "hidden")
    assert answer.value.status == 200
    assert json.loads(answer.value.request.post_data or "{}") == {"state": "hidden"}

    # back and away again at once: answering goes on, no second report within 5 s
    page.evaluate(SET_VISIBILITY, "visible")
    page.locator(".question .opt").first.click()
    page.evaluate(SET_VISIBILITY, "hidden")
    page.evaluate(SET_VISIBILITY, "visible")
    wait_saved(page)
    assert len(reports) == 1

    submitted = page.evaluate("""(id) => fetch(`/api/v1/attempts/${id}/submit`, {method: 'POST',
        headers: {'Content-Type': 'application/json'}, body: JSON.stringify({prediction: 1000})})
        .then(r => r.status)""", attempt_id)
    assert submitted == 200
    engine = create_engine(f"sqlite:///{server.db}")
    try:
        with Session(engine) as s:
            signals = s.get(AttemptSignals, attempt_id)
            assert signals is not None and signals.computed_at is not None
            assert signals.hidden_changes == 1
    finally:
        engine.dispose()
