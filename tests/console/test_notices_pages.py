"""The console's pages of issue 16 items 9 and 11: the winner notices on a round's results
page (state per person, never twice, organisers only) and the announcements page."""

from __future__ import annotations

import html
from datetime import timedelta

from sqlmodel import col, select

from contest.notify import outbox
from contest.storage.notify_tables import Announcement, OutboxMessage
from contest.storage.tables import AuditEvent
from tests.console.conftest import Console
from tests.notify.test_winner_notices import finalised_round


async def test_organiser_sends_winner_notices_once_and_sees_each_state(
        console: Console) -> None:
    w = console.world
    org = await console.login("organiser")
    url = f"/console/rounds/{w.round_id}/results"
    early = await org.post(f"{url}/notify")
    assert early.status_code == 409
    assert "chưa chốt kết quả" in html.unescape(early.text)
    rid = await finalised_round(w)
    before = html.unescape((await org.get(url)).text)
    assert "Gửi thông báo đạt giải (3 giải)" in before
    assert before.count("Chưa gửi") == 3
    assert "Nhận giải tại Sở Tư pháp" in before  # the contest's text, in the form

    first = await org.post(f"{url}/notify")
    assert first.status_code == 303
    shown = html.unescape((await org.get(first.headers["location"])).text)
    assert "Đã xếp 2 thông báo mới vào hàng gửi" in shown
    assert "1 người không có số điện thoại hoặc e-mail" in shown
    assert shown.count("Đang chờ gửi (SMS)") == 2 and shown.count("Chưa gửi") == 1

    second = await (await console.login("admin")).post(f"{url}/notify")
    again = html.unescape((await org.get(second.headers["location"])).text)
    assert "Đã xếp 0 thông báo mới" in again and "2 người đã có thông báo từ trước" in again
    async with w.ctx.sm() as s:
        assert len((await s.scalars(select(OutboxMessage))).all()) == 2

    assert await outbox.deliver_due(w.ctx) == {"sent": 2}  # the default log: channels
    after = html.unescape((await org.get(url)).text)
    assert after.count("Đã gửi (SMS)") == 2 and after.count("Chưa gửi") == 1

    officer = await console.login("officer")
    assert (await officer.post(f"{url}/notify")).status_code == 403
    officer_view = html.unescape((await officer.get(url)).text)
    assert "Gửi thông báo đạt giải" not in officer_view
    assert rid == w.round_id


async def test_claim_text_is_saved_from_the_results_page(console: Console) -> None:
    w = console.world
    org = await console.login("organiser")
    url = f"/console/rounds/{w.round_id}/results"
    too_long = await org.post(f"{url}/claim", data={"prize_claim": "x" * 401})
    assert too_long.status_code == 422
    assert "cách nhận giải dài quá 400 ký tự" in html.unescape(too_long.text)
    ok = await org.post(f"{url}/claim", data={"prize_claim": "Nhận tại UBND xã."})
    assert ok.status_code == 303
    page = html.unescape((await org.get(ok.headers["location"])).text)
    assert "Đã lưu cách nhận giải" in page and ">Nhận tại UBND xã.</textarea>" in page
    async with w.ctx.sm() as s:
        ev = (await s.scalars(select(AuditEvent).where(
            col(AuditEvent.action) == "contest.prize_claim"))).all()
    assert [e.actor for e in ev] == ["staff:organiser"]


async def test_console_publishes_and_hides(console: Console) -> None:
    w = console.world
    org = await console.login("organiser")
    url = "/console/contests/1/announcements"
    empty = await org.post(url, data={"title": "", "body": "x"})
    assert empty.status_code == 422 and "tiêu đề cần" in html.unescape(empty.text)
    done = await org.post(url, data={"title": "Đã có kết quả đợt 1", "body": "Mời xem.",
                                     "round_id": str(w.round_id), "notify": "yes"})
    assert done.status_code == 303
    bad_round = await org.post(url, data={"title": "T", "body": "B", "round_id": "abc"})
    assert bad_round.status_code == 422
    listing = html.unescape((await org.get(url)).text)
    assert "Đã có kết quả đợt 1" in listing and "Đang chuẩn bị gửi" in listing
    async with w.ctx.sm() as s:
        a = await s.scalar(select(Announcement))
        assert a is not None and a.notify and a.round_id == w.round_id
        assert a.created_by == "staff:organiser"
    hide = await org.post(f"{url}/{a.id}", data={"action": "hide"})
    assert hide.status_code == 303
    assert "Đã ẩn" in html.unescape((await org.get(url)).text)
    officer = await console.login("officer")
    assert (await officer.post(url, data={"title": "T", "body": "B"})).status_code == 403
    w.clock.advance(timedelta(minutes=1).total_seconds())
    assert (await org.post(f"{url}/{a.id}", data={"action": "show"})).status_code == 303
    got = (await w.make_client().get("/api/v1/contests/thu")).json()["announcements"]
    assert [g["title"] for g in got] == ["Đã có kết quả đợt 1"]
