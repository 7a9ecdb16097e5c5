"""The citizen's mobile web in headless Chromium: 360x740, slow 3G, Vietnamese.

One participant takes a whole attempt with touches (reload and offline in the middle), another
with the keyboard only; axe-core checks every page at level AA; the attempt page's first load
is measured in compressed bytes; screenshots of every page go to docs/screenshots/.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pytest

from tests.e2e.conftest import AXE, SHOTS, set_offline

pytestmark = pytest.mark.e2e

_phones = itertools.count(1)
BUDGET = 100 * 1024


def new_phone() -> str:
    return f"09{next(_phones):08d}"


def axe_check(page: Any, name: str) -> None:
    """Inject axe-core and fail on any WCAG 2.1 A/AA violation."""
    assert AXE.is_file(), "run `npm install` in tests/e2e (axe-core)"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
    }""")
    report = json.dumps(found, ensure_ascii=False, indent=1)
    assert found == [], f"axe violations on {name}: {report}"


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def wait_saved(page: Any) -> None:
    page.wait_for_function("!document.querySelector('.saveline.queued, .saveline.saving')"
                           " && !!document.querySelector('.saveline.saved')", timeout=30000)


def register(page: Any, phone: str, check: bool = False) -> None:
    page.goto("/")
    page.get_by_role("heading", level=1).wait_for()
    if check:
        axe_check(page, "landing")
        shot(page, "01-landing")
    page.get_by_role("link", name="Đăng ký dự thi").first.click()
    page.get_by_label("Họ và tên").wait_for()
    if check:
        page.get_by_role("button", name="Đăng ký dự thi").click()
        page.locator("#e-full_name").wait_for(state="visible")
        assert page.locator("#f-full_name").get_attribute("aria-invalid") == "true"
        assert page.locator("#e-consent").is_visible()
        # the date of birth in Vietnamese order, checked on the phone: 31/02 does not exist
        page.locator("#f-birth_day").fill("31")
        page.locator("#f-birth_month").fill("2")
        page.locator("#f-birth_year").fill("1988")
        page.get_by_role("button", name="Đăng ký dự thi").click()
        page.get_by_text("Ngày sinh chưa đúng.").wait_for()
        assert page.locator("#f-birth_day").get_attribute("aria-invalid") == "true"
        axe_check(page, "register with errors")
        shot(page, "03-register-errors")
    page.get_by_label("Họ và tên").fill("Trần Văn Bình")
    page.locator("#f-birth_day").fill("14")
    page.locator("#f-birth_month").fill("3")
    page.locator("#f-birth_year").fill("1988")
    page.get_by_label("Số điện thoại").fill(phone)
    page.locator("#f-password").fill("matkhau123")
    page.get_by_label("Tìm nơi bạn ở").fill("bu dang")
    page.locator("#f-unit_code option").first.wait_for(state="attached")
    page.locator("#f-unit_code").select_option(index=0)
    page.get_by_label("Người dân (thí sinh tự do)").check()
    page.locator("#f-consent").check()
    if check:
        page.evaluate("window.scrollTo(0, 0)")
        shot(page, "02-register")
    page.get_by_role("button", name="Đăng ký dự thi").click()
    page.get_by_text("Xin chào, Trần Văn Bình.").wait_for()


def answer_current(page: Any, choice: int = 0) -> None:
    page.locator(".question .opt").nth(choice).click()


def test_whole_attempt_with_reload_and_offline(phone: Any) -> None:
    page = phone
    register(page, new_phone(), check=True)
    page.locator(".round", has_text="Đợt 1").get_by_role("link", name="Vào thi").click()
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.locator(".question").wait_for()
    attempt_id = re.search(r"#/a/([\w-]+)", page.url).group(1)  # type: ignore[union-attr]
    total = page.locator(".qmap button").count()
    assert total == 10
    axe_check(page, "attempt")
    for i in range(4):
        answer_current(page, i % 2)
        if i == 0:
            page.locator(".qstate.saved").wait_for()
            shot(page, "04-attempt")
        page.get_by_role("button", name="Câu sau").click()
    wait_saved(page)
    before = page.evaluate(f"fetch('/api/v1/attempts/{attempt_id}').then(r => r.json())")
    assert len(before["answers"]) == 4

    # a reload in the middle resumes the same answers, question and deadline
    page.reload()
    page.locator(".question").wait_for()
    assert page.locator(".qhead").inner_text() == "Câu 5/10"
    assert page.locator(".progress-text").inner_text() == "Đã làm 4/10 câu"
    after = page.evaluate(f"fetch('/api/v1/attempts/{attempt_id}').then(r => r.json())")
    assert after["deadline"] == before["deadline"]
    assert after["answers"] == before["answers"]
    page.locator(".qmap button").nth(1).click()
    chosen = page.locator(".question input:checked")
    assert chosen.count() == 1 and chosen.get_attribute("value") == before["answers"][
        before["questions"][1]["id"]][0]
    page.locator(".qmap button").nth(4).click()

    # offline for three answers: they wait on the phone, each marked as waiting (never a
    # "saving…" that lasts forever), survive a reload without network, then go in order
    set_offline(page, True)
    for _ in range(3):
        answer_current(page, 1)
        page.locator(".qstate.queued", has_text="Chờ có mạng – sẽ tự gửi").wait_for()
        page.get_by_role("button", name="Câu sau").click()
    page.locator(".saveline.queued").wait_for()
    assert "chưa gửi được" in page.locator(".saveline").inner_text()
    assert page.locator("#net").is_visible()
    shot(page, "05-attempt-offline")
    page.reload()  # no network: the page comes from the service worker, the paper from the phone
    page.locator(".question").wait_for()
    assert page.locator(".progress-text").inner_text() == "Đã làm 7/10 câu"
    assert page.locator(".qmap button.done").count() == 7
    assert page.locator(".qmap button.waiting").count() == 3
    page.locator(".qmap button").nth(1).click()  # acknowledged before: chosen, saved
    assert page.locator(".question input:checked").count() == 1
    assert page.locator(".qstate").inner_text() == "✓ Đã lưu"
    page.locator(".qmap button").nth(5).click()  # given offline: chosen, waiting
    assert page.locator(".question input:checked").count() == 1
    assert page.locator(".qstate").inner_text() == "Chờ có mạng – sẽ tự gửi"
    axe_check(page, "attempt offline after reload")
    shot(page, "05b-attempt-offline-reload")
    sent: list[tuple[str, str, int]] = []
    page.on("response", lambda r: sent.append((r.request.method, r.url, r.status))
            if "/answers" in r.url else None)
    set_offline(page, False)
    wait_saved(page)
    assert page.locator(".qstate").inner_text() == "✓ Đã lưu"
    mid = page.evaluate(f"fetch('/api/v1/attempts/{attempt_id}').then(r => r.json())")
    assert len(mid["answers"]) == 7
    for i in (4, 5, 6):  # the offline choices, as given
        q = mid["questions"][i]
        assert mid["answers"][q["id"]] == [q["options"][1]["id"]]
    # the queue goes as one batch request; a server without the batch endpoint (404/405)
    # gets the three answers one by one, in the order given
    batch = f"{page.url.split('/#')[0]}/api/v1/attempts/{attempt_id}/answers"
    assert sent[0][:2] == ("PUT", batch), sent
    if sent[0][2] == 200:
        assert len(sent) == 1, sent
    else:
        assert sent[0][2] in (404, 405), sent
        order = [f"{batch}/{mid['questions'][i]['id']}" for i in (4, 5, 6)]
        assert [(m, u, st) for m, u, st in sent[1:]] == [("PUT", u, 200) for u in order], sent
    page.locator(".qmap button").nth(7).click()

    # the last three, then the list mode and the submit screen with the unanswered question
    for _ in range(2):
        answer_current(page, 0)
        page.get_by_role("button", name="Câu sau").click()
    page.get_by_role("button", name="Xem tất cả câu hỏi trên một trang").click()
    page.locator(".question").nth(9).wait_for()
    axe_check(page, "attempt list mode")
    shot(page, "06-attempt-list")
    page.get_by_role("button", name="Xem tất cả câu hỏi trên một trang").click()
    page.get_by_role("button", name="Nộp bài").first.click()
    page.get_by_role("heading", name="Nộp bài").wait_for()
    assert page.get_by_role("button", name="Câu 10").is_visible()
    page.get_by_role("button", name="Xác nhận nộp bài").click()
    page.locator("#e-prediction").wait_for(state="visible")
    page.locator("#f-prediction").fill("1500")
    axe_check(page, "submit screen")
    shot(page, "07-submit")
    page.get_by_role("button", name="Câu 10").click()
    answer_current(page, 0)
    wait_saved(page)
    page.get_by_role("button", name="Nộp bài").first.click()
    page.get_by_role("button", name="Xác nhận nộp bài").click()

    page.get_by_role("heading", name="Kết quả bài thi").wait_for()
    page.wait_for_function("/^\\d+$/.test(document.getElementById('rank').textContent)")
    assert re.fullmatch(r"\d+(,\d+)?/10", page.locator("#score").inner_text())
    final = page.evaluate(f"fetch('/api/v1/attempts/{attempt_id}').then(r => r.json())")
    assert final["status"] == "submitted" and len(final["answers"]) == 10
    axe_check(page, "result")
    shot(page, "08-result")

    page.get_by_role("link", name="Bảng xếp hạng").click()
    page.locator("tbody tr th").first.wait_for()
    assert "Trần V. B." in page.locator("tbody").inner_text()
    # issue 16: the prediction settles equal scores only at the close; the board says so
    assert "theo câu trả lời dự đoán" in page.locator("#board-prediction-note").inner_text()
    axe_check(page, "leaderboard")
    shot(page, "09-leaderboard")

    page.goto(page.url.replace("/board", "/mine"))
    page.get_by_role("heading", name="Lượt thi của tôi").wait_for()
    page.get_by_text("Lần được tính").wait_for()
    axe_check(page, "my attempts")
    shot(page, "10-my-attempts")


def tab_to(page: Any, test: str, limit: int = 60) -> None:
    """Press Tab until the focused element satisfies the JS expression on `el`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!({test}); }})()"):
            return
    raise AssertionError(f"never reached focus on {test}")


def test_keyboard_only(phone: Any) -> None:
    page = phone
    page.goto("/")
    page.get_by_role("heading", level=1).wait_for()
    tab_to(page, "el.textContent === 'Đăng ký dự thi'")
    page.keyboard.press("Enter")
    page.locator("#f-full_name").wait_for()
    for field, text in [("f-full_name", "Lê Thị Hoa"), ("f-phone", new_phone()),
                        ("f-password", "matkhau123")]:
        tab_to(page, f"el.id === '{field}'")
        page.keyboard.type(text)
    tab_to(page, "el.id === 'f-birth_day'")
    page.keyboard.type("14031988")  # day, month, year: a full day or month moves to the next box
    tab_to(page, "el.id === 'unit-search'")
    page.keyboard.type("Đồng Xoài")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    tab_to(page, "el.name === 'group'")
    page.keyboard.press("Space")
    tab_to(page, "el.id === 'f-consent'")
    page.keyboard.press("Space")
    tab_to(page, "el.type === 'submit'")
    page.keyboard.press("Enter")
    page.get_by_text("Xin chào, Lê Thị Hoa.").wait_for()

    tab_to(page, "el.textContent === 'Vào thi'")
    page.keyboard.press("Enter")
    page.locator("#start-now").wait_for()  # the start confirmation: rules, time, attempts left
    tab_to(page, "el.id === 'start-now'")
    page.keyboard.press("Enter")
    page.locator(".question").wait_for()
    total = page.locator(".qmap button").count()
    for i in range(total):
        tab_to(page, "el.closest('.opts')")
        page.keyboard.press("Space")  # a radio or checkbox takes Space
        label = "Nộp bài" if i == total - 1 else "Câu sau"
        tab_to(page, f"el.textContent === '{label}'")
        page.keyboard.press("Enter")
    page.locator("#sub-h").wait_for()
    assert page.evaluate("document.activeElement.id") == "sub-h"
    wait_saved(page)
    tab_to(page, "el.id === 'f-prediction'")
    page.keyboard.type("2000")
    page.keyboard.press("Enter")  # submits the form
    page.get_by_role("heading", name="Kết quả bài thi").wait_for()
    page.wait_for_function("/^\\d+$/.test(document.getElementById('rank').textContent)")


def test_practice_shows_key_and_basis(phone: Any) -> None:
    page = phone
    register(page, new_phone())
    page.get_by_role("link", name="Thi thử").first.click()
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.locator(".question").wait_for()
    answer_current(page, 0)
    page.locator(".review .verdict").wait_for()
    assert page.get_by_text("Căn cứ pháp lý:").is_visible()
    assert page.locator(".opt.right").count() >= 1
    assert page.locator(".question input:disabled").count() >= 2  # the key is shown: locked
    axe_check(page, "practice")
    shot(page, "11-practice")


def test_login_page(phone: Any) -> None:
    page = phone
    number = new_phone()
    register(page, number)
    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_role("link", name="Đăng nhập").click()
    page.get_by_role("heading", name="Đăng nhập").wait_for()
    page.get_by_label("Số điện thoại").fill(number)
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_text("Số điện thoại hoặc mật khẩu không đúng.").wait_for()
    axe_check(page, "login")
    shot(page, "12-login")
    page.get_by_label("Mật khẩu").fill("matkhau123")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_text("Xin chào, Trần Văn Bình.").wait_for()
    # English is one switch away and stays after a reload
    page.get_by_label("Ngôn ngữ").select_option("en")
    page.get_by_role("heading", name="Rounds").wait_for()
    page.reload()
    page.get_by_role("heading", name="Rounds").wait_for()
    axe_check(page, "landing in English")


def test_attempt_first_load_under_budget(browser: Any, base_url: str) -> None:
    """Everything the attempt page needs on a cold load (page, assets, paper) in <= 100 KB."""
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, base_url=base_url,
                              service_workers="block")
    page = ctx.new_page()
    try:
        resp = page.request.post("/api/v1/contests/demo/register", data={
            "full_name": "Phạm Văn An", "birth_date": "1970-01-02", "phone": new_phone(),
            "password": "matkhau123", "unit_code": "BP-DONGXOAI", "group": "tudo",
            "consent": True})
        assert resp.status == 201, resp.text()
        rounds = page.request.get("/api/v1/contests/demo").json()["rounds"]
        ranked = next(r for r in rounds if r["kind"] == "ranked")
        paper = page.request.post(f"/api/v1/rounds/{ranked['id']}/attempts").json()
        cdp = ctx.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        sizes: dict[str, int] = {}
        urls: dict[str, str] = {}
        cdp.on("Network.requestWillBeSent",
               lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
        cdp.on("Network.loadingFinished",
               lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
        page.goto(f"/#/a/{paper['attempt_id']}", wait_until="networkidle")
        page.locator(".question").wait_for()
        total = sum(sizes.values())
        detail = {urls.get(k, k).replace(base_url, ""): v for k, v in sizes.items()}
        print(f"\nattempt page first load: {total} bytes compressed over the wire: {detail}")
        assert total <= BUDGET, f"first load {total} B > {BUDGET} B: {detail}"
        assert any("/assets/app." in u for u in detail), detail
        assert not any("/assets/js/pow." in u for u in detail), detail  # loaded only to register
        # the screens are modules: the attempt page loads its own, not the others'
        assert any("/assets/app/attempt." in u for u in detail), detail
        assert not any(f"/assets/app/{m}." in u for m in ("landing", "forms", "results")
                       for u in detail), detail
    finally:
        ctx.close()
