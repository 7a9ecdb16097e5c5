"""The organiser's announcements on the contest page (issue 16 item 11) at 360x740: newest
first, dates as dd/mm/yyyy in Vietnam's time, a labelled section of articles, axe-clean."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import Server
from tests.e2e.test_mobile import axe_check, shot

pytestmark = pytest.mark.e2e

# (title, body, published_at in UTC, about the demo round): the first is 02/12 in Vietnam
# although its UTC date is 01/12.
NOTICES = [
    ("Đã công bố kết quả Đợt 1", "Danh sách đạt giải và hạt giống bốc thăm đã được công bố.\n"
     "Người đạt giải sẽ nhận tin nhắn hướng dẫn nhận giải.", "2026-12-01 17:30:00.000000", True),
    ("Đính chính câu hỏi số 7", "Câu 7 có hai phương án đúng; mọi bài đã được chấm lại theo "
     "đáp án đính chính. Xin lỗi các bạn vì sự bất tiện.", "2026-12-03 03:00:00.000000", False),
]


@pytest.fixture
def notices(server: Server) -> Iterator[None]:
    """The notices in the server's database, hidden again afterwards (the server is shared)."""
    db = sqlite3.connect(server.db)
    try:
        cid, rid = db.execute("SELECT c.id, r.id FROM contests c JOIN rounds r ON "
                              "r.contest_id = c.id WHERE c.slug = 'demo' AND r.kind = 'ranked'"
                              ).fetchone()
        ids = []
        for title, body, at, about in NOTICES:
            cur = db.execute(
                "INSERT INTO announcements (contest_id, round_id, title, body, created_at, "
                "created_by, published_at, notify) VALUES (?, ?, ?, ?, ?, 'staff:e2e', ?, 0)",
                (cid, rid if about else None, title, body, at, at))
            ids.append(cur.lastrowid)
        db.commit()
        yield
        db.executemany("UPDATE announcements SET published_at = NULL WHERE id = ?",
                       [(i,) for i in ids])
        db.commit()
    finally:
        db.close()


def test_contest_page_lists_announcements_newest_first(phone: Any, notices: None) -> None:
    page = phone
    page.goto("/#/c/demo")
    section = page.get_by_role("region", name="Thông báo của Ban Tổ chức")
    section.wait_for()
    titles = section.get_by_role("heading", level=3).all_inner_texts()
    assert titles == ["Đính chính câu hỏi số 7", "Đã công bố kết quả Đợt 1"]
    times = section.locator("time")
    assert times.all_inner_texts() == ["03/12/2026", "02/12/2026"]  # Vietnam's date
    assert times.first.get_attribute("datetime", timeout=1000).startswith("2026-12-03T03:00")
    first = section.get_by_role("article").nth(1)
    assert "Về đợt:" in first.inner_text()
    assert first.locator("p").count() >= 3  # the body's two paragraphs stay paragraphs
    axe_check(page, "contest page with announcements")
    shot(page, "16-announcements")
