"""The projector page in headless Chromium, under its Content-Security-Policy: its texts come
from the i18n catalogue of the `lang` cookie's language (Vietnamese by default), and when the
catalogue cannot be loaded it still runs the board in the Vietnamese written in the page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.e2e
HALL = {"width": 1280, "height": 720}


@pytest.fixture
def projector(browser: Any, base_url: str) -> Iterator[tuple[Any, list[str]]]:
    """A hall screen that keeps the page's policy (no bypass) and records what it refused;
    the browser itself is Vietnamese (conftest.ARGS): only the cookie picks English."""
    ctx = browser.new_context(viewport=HALL, locale="vi-VN", base_url=base_url,
                              timezone_id="Asia/Ho_Chi_Minh")
    page = ctx.new_page()
    page.set_default_timeout(20000)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text)
            if "Content Security Policy" in m.text or m.type == "error" else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
            if r.status >= 400 else None)
    yield page, problems
    ctx.close()


def _round(page: Any) -> int:
    rounds = page.request.get("/api/v1/contests/demo").json()["rounds"]
    return int(next(r for r in rounds if r["kind"] == "ranked")["id"])


def _texts(page: Any) -> dict[str, Any]:
    return {"lang": page.locator("html").get_attribute("lang"), "title": page.title(),
            "h1": page.locator("h1").inner_text(),
            "heads": page.locator("thead th").all_inner_texts(),
            "stats": page.locator("#stats small").all_inner_texts(),
            "label": page.locator("#stats").get_attribute("aria-label"),
            "scope": page.locator("#scope").inner_text(),
            "status": page.locator("#status").inner_text()}


def test_projector_in_english_with_the_lang_cookie(projector: tuple[Any, list[str]],
                                                   base_url: str) -> None:
    from playwright.sync_api import expect

    page, problems = projector
    page.context.add_cookies([{"name": "lang", "value": "en", "url": base_url}])
    page.goto(f"/projector/?round={_round(page)}")
    expect(page.locator("#status")).to_contain_text("Updated at ")
    expect(page.locator("h1")).to_have_text("Live leaderboard")
    expect(page.locator("#participants")).not_to_have_text("–")
    got = _texts(page)
    assert got["lang"] == "en" and got["title"] == "Live leaderboard"
    assert got["heads"] == ["Rank", "Name", "Place", "Score", "Time"]
    assert got["stats"][0] in ("entrant", "entrants")
    assert got["stats"][1] in ("attempt", "attempts")
    assert got["stats"][2] == "answered every question right"
    assert got["label"] == "Live figures" and got["scope"] == "Whole round"
    chrome = " ".join(page.locator("header, #stats, thead, footer").all_inner_texts())
    assert not any(c in chrome for c in "ạảấầẩẫậắằẳẵặẹẻẽếềểễệịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđĐ"), chrome
    assert problems == []
    page.goto("/projector/")  # no round: the instruction, in English
    expect(page.locator("#status")).to_contain_text("The round is missing: add ?round=")
    # an unknown unit: its heading and the lost stream are told in English too
    page.goto(f"/projector/?round={_round(page)}&unit=NOWHERE")
    expect(page.locator("#scope")).to_have_text("Place: NOWHERE")
    expect(page.locator("#status")).to_have_text("Connection lost, reconnecting…")


def test_projector_in_vietnamese_by_default(projector: tuple[Any, list[str]]) -> None:
    from playwright.sync_api import expect

    page, problems = projector
    page.goto(f"/projector/?round={_round(page)}")
    expect(page.locator("#status")).to_contain_text("Cập nhật lúc ")
    expect(page.locator("#participants")).not_to_have_text("–")
    got = _texts(page)
    assert got["lang"] == "vi" and got["title"] == "Bảng xếp hạng trực tiếp"
    assert got["h1"] == "Bảng xếp hạng trực tiếp"
    assert got["heads"] == ["Hạng", "Họ và tên", "Đơn vị", "Điểm", "Thời gian"]
    assert got["stats"] == ["người dự thi", "lượt thi", "trả lời đúng tất cả"]
    assert got["label"] == "Số liệu trực tiếp" and got["scope"] == "Toàn đợt thi"
    # an unknown language in the cookie: Vietnamese too
    page.context.add_cookies([{"name": "lang", "value": "xx", "url": page.url}])
    page.goto("/projector/")
    expect(page.locator("#status")).to_have_text(
        "Thiếu mã đợt thi: thêm ?round=<mã đợt> vào địa chỉ trang (có thể thêm &unit=<mã đơn vị>).")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert problems == []


def test_projector_keeps_its_vietnamese_when_the_catalogue_fails(
        projector: tuple[Any, list[str]], base_url: str) -> None:
    from playwright.sync_api import expect

    page, _ = projector
    page.context.add_cookies([{"name": "lang", "value": "en", "url": base_url}])
    asked: list[str] = []

    def refuse(route: Any) -> None:
        asked.append(route.request.url)
        route.abort()

    page.route("**/assets/i18n/**", refuse)
    page.goto(f"/projector/?round={_round(page)}")
    # the board runs all the same, in the page's own Vietnamese
    expect(page.locator("#status")).to_contain_text("Cập nhật lúc ")
    expect(page.locator("#participants")).not_to_have_text("–")
    assert len(asked) == 1 and "/assets/i18n/en." in asked[0]
    got = _texts(page)
    assert got["lang"] == "vi" and got["h1"] == "Bảng xếp hạng trực tiếp"
    assert got["heads"] == ["Hạng", "Họ và tên", "Đơn vị", "Điểm", "Thời gian"]
    assert got["stats"] == ["người dự thi", "lượt thi", "trả lời đúng tất cả"]
