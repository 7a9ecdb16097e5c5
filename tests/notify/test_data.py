"""The outbox holds addresses: key rotation re-encrypts them and the retention purge removes
them with the person's reset codes."""

from __future__ import annotations

import dataclasses

from cryptography.fernet import Fernet
from sqlmodel import select

from contest.core import crypto
from contest.core.context import Services
from contest.notify.outbox import NewMessage, enqueue
from contest.people import recovery, rekey, retention
from contest.storage.db import transaction
from contest.storage.notify_tables import OutboxMessage, PasswordReset
from contest.storage.tables import Participant
from tests.conftest import World


def _with_keys(ctx: Services, keys: str) -> Services:
    settings = dataclasses.replace(ctx.settings, data_keys=keys, lookup_key="l" * 32)
    return dataclasses.replace(ctx, settings=settings)


async def test_rotation_covers_the_outbox(world: World) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = _with_keys(world.ctx, old)
    async with transaction(before.sm) as s:
        await enqueue(s, before, [NewMessage("sms", f"091234567{i}", "results",
                                             {"contest": "C", "round": "R"}, f"k{i}")
                                  for i in range(3)])
    report = await rekey.rotate(_with_keys(world.ctx, f"{new},{old}"), batch=2)
    assert (report.rows, report.values) == (3, 6)
    only_new = crypto.cipher(_with_keys(world.ctx, new).settings)
    async with world.ctx.sm() as s:
        rows = (await s.scalars(select(OutboxMessage))).all()
    assert sorted(only_new.decrypt(m.recipient_enc) or "" for m in rows) == [
        f"091234567{i}" for i in range(3)]


async def test_purge_removes_messages_and_codes(world: World) -> None:
    await world.register()
    await world.client.post("/api/v1/contests/thu/password-reset/request",
                            json={"phone": "0912345678"})
    async with world.ctx.sm() as s:
        assert len((await s.scalars(select(OutboxMessage))).all()) == 1
        assert len((await s.scalars(select(PasswordReset))).all()) == 1
        p = (await s.scalars(select(Participant))).one()
    assert await retention._purge_batch(world.ctx, p.contest_id) == 1
    async with world.ctx.sm() as s:
        assert (await s.scalars(select(OutboxMessage))).all() == []
        assert (await s.scalars(select(PasswordReset))).all() == []
    # a purged person cannot ask for a code any more (nothing is queued)
    await recovery.request_code(world.ctx, "thu", "0912345678", None)
    async with world.ctx.sm() as s:
        assert (await s.scalars(select(OutboxMessage))).all() == []
