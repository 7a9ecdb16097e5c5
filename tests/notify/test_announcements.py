"""Announcements (issue 16 item 11): published on the contest page newest first, hidden and
shown again, sent once per opted-in person through the outbox (batched, idempotent under
concurrent passes), withdrawn when hidden."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import col, select

from contest.errors import ConfigInvalid
from contest.notify import announcements, outbox
from contest.notify.announcements import Draft
from contest.storage.notify_tables import OutboxMessage
from contest.storage.tables import AuditEvent
from tests.conftest import World
from tests.notify.conftest import Mailbox, Receiver
from tests.notify.test_reminders import people


async def outbox_rows(w: World) -> list[OutboxMessage]:
    async with w.ctx.sm() as s:
        return list((await s.scalars(select(OutboxMessage)
                                     .order_by(col(OutboxMessage.id)))).all())


def test_summary_cuts_at_a_word_and_keeps_short_text() -> None:
    assert announcements.summary("Ngắn  gọn\n\nthôi") == "Ngắn gọn thôi"
    long = "Đợt 2 dời sang thứ Bảy " * 30
    cut = announcements.summary(long, 50)
    assert len(cut) <= 50 and cut.endswith("…") and long.startswith(cut[:-1])


@pytest.mark.parametrize(("title", "body"), [("", "x"), ("x", ""), ("x" * 161, "x"),
                                             ("x", "y" * 2001), ("   ", "x")])
async def test_bad_text_is_refused(world: World, title: str, body: str) -> None:
    with pytest.raises(ConfigInvalid):
        await announcements.publish(world.ctx, 1, Draft(title, body), "t")


async def test_round_of_another_contest_is_refused(world: World) -> None:
    with pytest.raises(ConfigInvalid):
        await announcements.publish(world.ctx, 1, Draft("T", "B", round_id=999), "t")


async def test_contest_page_shows_published_newest_first(world: World) -> None:
    w = world
    first = await announcements.publish(w.ctx, 1, Draft("Đã công bố kết quả", "Xem tại trang."),
                                        "staff:organiser")
    w.clock.advance(3600)
    second = await announcements.publish(
        w.ctx, 1, Draft("Đính chính câu 3", "Đáp án đúng là B.\nĐiểm đã tính lại.",
                        round_id=w.round_id), "staff:organiser")
    got = (await w.make_client().get("/api/v1/contests/thu")).json()["announcements"]
    assert [a["id"] for a in got] == [str(second), str(first)]
    assert got[0]["body"] == "Đáp án đúng là B.\nĐiểm đã tính lại."
    assert got[0]["round"]["id"] == str(w.round_id) and got[1]["round"] is None
    await announcements.set_published(w.ctx, 1, second, False, "staff:organiser")
    got = (await w.make_client().get("/api/v1/contests/thu")).json()["announcements"]
    assert [a["id"] for a in got] == [str(first)]
    with pytest.raises(Exception, match="not_found"):
        await announcements.set_published(w.ctx, 2, first, False, "x")  # another contest's


async def test_messages_go_once_to_opted_in_people(world: World, receiver: Receiver,
                                                   smtp: Mailbox) -> None:
    w = world
    ids = await people(w)  # A (phone) and B (e-mail) opted in; C did not; D is purged
    aid = await announcements.publish(w.ctx, 1, Draft("Đợt 2 dời lịch", "Đợt 2 mở ngày 10/12."
                                                      + " Chi tiết" * 100, notify=True), "t")
    quiet = await announcements.publish(w.ctx, 1, Draft("Không gửi", "Chỉ trên trang."), "t")
    counts = await asyncio.gather(*(announcements.schedule(w.ctx) for _ in range(3)))
    assert sum(counts) == 2
    assert await announcements.schedule(w.ctx) == 0
    rows = await outbox_rows(w)
    assert [(m.template, m.channel, m.participant_id, m.dedupe_key) for m in rows] == [
        ("announcement", "sms", ids["A"], f"announce:{aid}:{ids['A']}"),
        ("announcement", "email", ids["B"], f"announce:{aid}:{ids['B']}")]
    assert not any(str(quiet) in m.dedupe_key for m in rows)
    assert await outbox.deliver_due(w.ctx) == {"sent": 2}
    sms = receiver.accepted[0]["text"]
    assert "Đợt 2 dời lịch" in sms and "Đợt 2 mở ngày 10/12." in sms and sms.endswith("…")
    assert len(sms) < 450
    assert "Đợt 2 dời lịch" in str(smtp.messages[0]["Subject"])


async def test_hiding_withdraws_messages_not_sent_yet(world: World) -> None:
    w = world
    await people(w)
    aid = await announcements.publish(w.ctx, 1, Draft("Nhầm", "Sẽ ẩn", notify=True), "t")
    assert await announcements.schedule(w.ctx) == 2
    await announcements.set_published(w.ctx, 1, aid, False, "staff:organiser")
    assert {m.state for m in await outbox_rows(w)} == {"failed"}
    assert await outbox.deliver_due(w.ctx) == {}
    hidden = await announcements.publish(w.ctx, 1, Draft("Ẩn trước khi gửi", "x", notify=True),
                                         "t")
    await announcements.set_published(w.ctx, 1, hidden, False, "t")
    assert await announcements.schedule(w.ctx) == 0  # a hidden one is never sent
    async with w.ctx.sm() as s:
        acts = (await s.scalars(select(AuditEvent.action).where(
            col(AuditEvent.action).startswith("announcement.")))).all()
    assert sorted(acts) == ["announcement.publish"] * 2 + ["announcement.unpublish"] * 2
