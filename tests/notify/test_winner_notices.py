"""Winner notices (issue 16 item 9): one message per winner and round, never twice (also
under two concurrent presses), the prize and the configured way to receive it, delivered
for real to the local SMS and SMTP receivers; unreachable people counted."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import col, select

from contest.core.crypto import cipher
from contest.domain import documents
from contest.errors import RoundNotFinalised
from contest.notify import outbox
from contest.results import finalise, winner_notices
from contest.storage.db import transaction
from contest.storage.notify_tables import OutboxMessage
from contest.storage.tables import AuditEvent, Contest, Participant
from tests.conftest import World
from tests.notify.conftest import Mailbox, Receiver
from tests.services.results_helpers import Person, seed_entries, set_round

PEOPLE = [
    Person("W1", 5000, name="Nguyễn Thị Bích Ngọc", phone="0912000001"),
    Person("W2", 4500, name="Trần Văn Đức", unit="BP-DONGXOAI", phone="0912000002"),
    Person("W3", 4000, name="Lê Hoàng Yến", phone="0912000003"),
    Person("W4", 1000, name="Phạm Quốc Việt", phone="0912000004"),  # no prize
]
TIERS = {"tiers": [{"code": "nhat", "name": "Giải Nhất", "count": 1},
                   {"code": "nhi", "name": "Giải Nhì", "count": 1},
                   {"code": "ba", "name": "Giải Ba", "count": 1}]}


async def finalised_round(w: World, claim_units: bool = True) -> int:
    """Three winners: W1 by phone, W2 with an e-mail too (phone still first), W3 whose
    contact data was purged (unreachable); BP-DONGXOAI has its own way to receive prizes."""
    await set_round(w.ctx, w.round_id, prizes=TIERS)
    await seed_entries(w.ctx, w.round_id, PEOPLE)
    async with transaction(w.ctx.sm) as s:
        w2 = await s.get(Participant, "W2")
        w3 = await s.get(Participant, "W3")
        c = await s.get(Contest, 1)
        assert w2 is not None and w3 is not None and c is not None
        w2.email_enc = cipher(w.ctx.settings).encrypt("duc@example.vn")
        w3.phone_enc = None
        if claim_units:
            c.documents = {"prize_claim": "Nhận giải tại Sở Tư pháp, 8 giờ sáng thứ Hai.",
                           "units": {"BP-DONGXOAI": {
                               "prize_claim": "Nhận giải tại Phòng Tư pháp Đồng Xoài."}}}
    w.clock.advance(24 * 3600 + 10)
    await finalise.finalise(w.ctx, w.round_id, actor="test")
    return w.round_id


async def outbox_rows(w: World) -> list[OutboxMessage]:
    async with w.ctx.sm() as s:
        return list((await s.scalars(select(OutboxMessage)
                                     .order_by(col(OutboxMessage.id)))).all())


async def test_notices_are_queued_once_with_the_prize_and_how_to_receive_it(
        world: World, receiver: Receiver, smtp: Mailbox) -> None:
    w = world
    rid = await finalised_round(w)
    first = await winner_notices.send(w.ctx, rid, "staff:organiser")
    assert first == winner_notices.Sent(queued=2, already=0, unreachable=1)
    again = await winner_notices.send(w.ctx, rid, "staff:organiser")
    assert again == winner_notices.Sent(queued=0, already=2, unreachable=1)
    rows = await outbox_rows(w)
    assert [(m.template, m.channel, m.participant_id, m.dedupe_key) for m in rows] == [
        ("winner", "sms", "W1", f"winner:{rid}:W1"), ("winner", "sms", "W2", f"winner:{rid}:W2")]

    assert await outbox.deliver_due(w.ctx) == {"sent": 2}
    texts = {b["to"]: b["text"] for b in receiver.accepted}
    assert "chúc mừng bạn đạt Giải Nhất" in texts["0912000001"]
    assert "Nhận giải tại Sở Tư pháp, 8 giờ sáng thứ Hai." in texts["0912000001"]
    assert "Giải Nhì" in texts["0912000002"]
    assert "Phòng Tư pháp Đồng Xoài" in texts["0912000002"]  # the unit's own text wins
    assert smtp.messages == []

    shown = await winner_notices.states(w.ctx, rid, ["W1", "W2", "W3", "W4"])
    assert {pid: st.state for pid, st in shown.items()} == {"W1": "sent", "W2": "sent"}
    assert await winner_notices.send(w.ctx, rid, "x") == winner_notices.Sent(0, 2, 1)
    assert len(receiver.accepted) == 2 and await outbox.deliver_due(w.ctx) == {}
    async with w.ctx.sm() as s:
        events = (await s.scalars(select(AuditEvent).where(
            col(AuditEvent.action) == "results.notify"))).all()
    assert [(e.actor, e.details["queued"]) for e in events] == [
        ("staff:organiser", 2), ("staff:organiser", 0), ("x", 0)]


async def test_default_claim_text_when_the_contest_gives_none(world: World,
                                                              receiver: Receiver) -> None:
    rid = await finalised_round(world, claim_units=False)
    await winner_notices.send(world.ctx, rid, "t")
    await outbox.deliver_due(world.ctx)
    assert all(documents.DEFAULT_CLAIM in b["text"] for b in receiver.accepted)


async def test_two_concurrent_presses_queue_each_notice_once(world: World) -> None:
    rid = await finalised_round(world)
    results = await asyncio.gather(*(winner_notices.send(world.ctx, rid, f"staff:o{i}")
                                     for i in range(4)))
    assert sum(r.queued for r in results) == 2
    assert all(r.queued + r.already == 2 for r in results)
    rows = await outbox_rows(world)
    assert sorted(m.participant_id or "" for m in rows) == ["W1", "W2"]


async def test_no_notice_before_finalisation(world: World) -> None:
    await set_round(world.ctx, world.round_id, prizes=TIERS)
    with pytest.raises(RoundNotFinalised):
        await winner_notices.send(world.ctx, world.round_id, "t")
    assert await outbox_rows(world) == []


async def test_claim_text_is_validated_and_audited(world: World) -> None:
    from contest.errors import ConfigInvalid

    with pytest.raises(ConfigInvalid):
        await winner_notices.set_claim(world.ctx, 1, "x" * 401, "staff:o")
    await winner_notices.set_claim(world.ctx, 1, "  Nhận tại\n UBND xã ", "staff:o")
    async with world.ctx.sm() as s:
        c = await s.get(Contest, 1)
        assert c is not None and c.documents["prize_claim"] == "Nhận tại UBND xã"
    await winner_notices.set_claim(world.ctx, 1, "", "staff:o")
    async with world.ctx.sm() as s:
        c = await s.get(Contest, 1)
        assert c is not None and "prize_claim" not in c.documents
        actions = (await s.scalars(select(AuditEvent.action).where(
            col(AuditEvent.action) == "contest.prize_claim"))).all()
    assert len(actions) == 2
