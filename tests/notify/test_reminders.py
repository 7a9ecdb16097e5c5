"""Reminders for opted-in participants, enqueued idempotently, delivered for real; the
console's outbox page (unit scoped, addresses masked, codes never shown)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text
from sqlmodel import col, select

from contest.core.crypto import cipher
from contest.notify import outbox, reminders
from contest.storage.db import transaction
from contest.storage.notify_tables import OutboxMessage
from contest.storage.tables import Attempt, Participant, Round, RoundEntry
from tests.conftest import World
from tests.notify.conftest import Mailbox, Receiver


async def people(w: World) -> dict[str, str]:
    """A: opted in, phone only; B: opted in with e-mail; C: not opted in; D: purged."""
    data = cipher(w.ctx.settings)
    now = w.clock.now()
    spec = {"A": ("0911111111", None, True, "BP-BUDANG-THPT", None),
            "B": ("0922222222", "b@example.vn", True, "BP-DONGXOAI", None),
            "C": ("0933333333", None, False, "BP-BUDANG-THPT", None),
            "D": (None, None, True, "BP-BUDANG-THPT", now)}
    ids = {}
    async with transaction(w.ctx.sm) as s:
        for name, (phone, email, opted, unit, purged) in spec.items():
            pid = f"p{name.lower()}" + "0" * 20
            s.add(Participant(id=pid, contest_id=1,
                              phone_hash=phone and data.lookup("phone", phone),
                              phone_enc=data.encrypt(phone), password_hash="x",
                              full_name=f"Người {name}", birth_date=date(1990, 1, 1),
                              unit_code=unit, group_code="tudo", email_enc=data.encrypt(email),
                              consent_at=now, created_at=now, reminders=opted, purged_at=purged))
            ids[name] = pid
    return ids


async def queued(w: World) -> list[tuple[str, str, str | None]]:
    async with w.ctx.sm() as s:
        rows = (await s.scalars(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
    return [(m.template, m.channel, m.participant_id) for m in rows]


async def test_reminders_are_enqueued_once_and_delivered(world: World, receiver: Receiver,
                                                        smtp: Mailbox) -> None:
    w = world
    async with transaction(w.ctx.sm) as s:  # the fixture's round: practice, never reminded
        await s.execute(text("UPDATE rounds SET kind = 'practice'"))
    now = w.clock.now()
    rid = await w.add_round(title="Đợt 2", opens_at=now - timedelta(hours=1),
                            closes_at=now + timedelta(days=3))
    ids = await people(w)
    assert await reminders.schedule(w.ctx) == 2
    assert await reminders.schedule(w.ctx) == 0
    assert await queued(w) == [("round_open", "sms", ids["A"]), ("round_open", "email", ids["B"])]
    async with transaction(w.ctx.sm) as s:  # A takes the round
        s.add(Attempt(id="a" * 24, round_id=rid, participant_id=ids["A"], number=1,
                      status="submitted", started_at=now, deadline=now + timedelta(minutes=10),
                      submitted_at=now))
        s.add(RoundEntry(round_id=rid, participant_id=ids["A"], attempts_submitted=1))
    w.clock.advance(timedelta(days=2, hours=1).total_seconds())  # 23 h before the close
    assert await reminders.schedule(w.ctx) == 1
    assert (await queued(w))[-1] == ("round_closing", "email", ids["B"])
    w.clock.advance(timedelta(days=1).total_seconds())
    async with transaction(w.ctx.sm) as s:  # the round is finalised: results are out
        rnd = await s.get(Round, rid)
        assert rnd is not None
        rnd.finalised_at = w.clock.now()
    assert await reminders.schedule(w.ctx) == 1
    assert (await queued(w))[-1] == ("results", "sms", ids["A"])
    assert await reminders.schedule(w.ctx) == 0
    assert await outbox.deliver_due(w.ctx) == {"sent": 4}
    assert [b["to"] for b in receiver.accepted] == ["0911111111", "0911111111"]
    assert "Đợt 2 đã mở" in receiver.accepted[0]["text"]
    assert [m["To"] for m in smtp.messages] == ["b@example.vn", "b@example.vn"]
    assert "Đợt 2" in str(smtp.messages[1]["Subject"])


async def test_console_outbox_page(world: World) -> None:
    from contest.console.staff import create_staff
    from tests.console.conftest import ACCOUNTS, PASSWORD, Console

    w = world
    for username, (role, unit) in ACCOUNTS.items():
        await create_staff(w.ctx, username, PASSWORD, role, unit, f"Cán bộ {username}")
    console = Console(w)
    ids = await people(w)
    params = {"contest": "Cuộc thi thử", "code": "424242", "minutes": "10"}
    async with transaction(w.ctx.sm) as s:
        await outbox.enqueue(s, w.ctx, [
            outbox.NewMessage("sms", "0911111111", "password_reset", params, "k1", ids["A"],
                              "BP-BUDANG-THPT"),
            outbox.NewMessage("email", "b@example.vn", "password_reset", params, "k2", ids["B"],
                              "BP-DONGXOAI")])
    officer = await console.login("officer")
    page = await officer.get("/console/outbox")
    assert page.status_code == 200
    assert "091****111" in page.text and "b***@example.vn" not in page.text
    assert "424242" not in page.text and "Chờ gửi" in page.text
    viewer = await console.login("viewer")
    page = await viewer.get("/console/outbox?state=pending")
    assert "091****111" in page.text and "b***@example.vn" in page.text
    assert "424242" not in page.text
    assert (await viewer.get("/console/outbox?state=sent")).text.count("091****111") == 0
