"""The participant pages under their Content-Security-Policy in headless Chromium: the app,
its import map, the Zalo plugin a contest may offer and the projector run, and nothing on
them is blocked (a blocked script, style or request is reported on the console only).

The other browser tests' phones skip the policy (Playwright's string predicates need eval,
which the policy refuses), so this walk is where a page change that breaks it shows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import PHONE
from tests.e2e.test_share_zalo import _watch, zalo_contest  # noqa: F401 (a fixture)

pytestmark = pytest.mark.e2e


@pytest.fixture
def strict_phone(browser: Any, base_url: str) -> Iterator[tuple[Any, list[str]]]:
    ctx = browser.new_context(viewport=PHONE, locale="vi-VN", base_url=base_url,
                              is_mobile=True, has_touch=True)
    page = ctx.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text)
            if "Content Security Policy" in m.text or m.type == "error" else None)
    yield page, problems
    ctx.close()


def test_pages_run_under_their_policy(strict_phone: tuple[Any, list[str]],
                                     zalo_contest: None) -> None:  # noqa: F811
    page, problems = strict_phone
    seen = _watch(page)
    response = page.goto("/#/c/demo")
    assert "script-src 'self' 'sha256-" in response.headers["content-security-policy"]
    # the screen modules load through the import map: the contest page renders
    page.get_by_role("button", name="Chia sẻ", exact=True).wait_for()
    page.get_by_role("button", name="Chia sẻ qua Zalo").click()
    page.locator(".zalo-drawn").wait_for()  # the plugin (its stand-in) ran and drew
    assert seen == ["https://sp.zalo.me/plugins/sdk.js"]
    page.goto("/#/")
    page.locator("#main h1, #main h2").first.wait_for()
    page.goto("/projector/")
    page.locator("#status").wait_for()
    assert problems == []
