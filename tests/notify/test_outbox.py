"""The outbox end to end against a real SMTP server and a real HTTP provider: delivery,
dedupe, retries with back-off, permanent failures, rate limits, leases, no double sends."""

from __future__ import annotations

import asyncio
import json

from sqlmodel import col, select

from contest.core.context import Services
from contest.core.crypto import cipher
from contest.notify import outbox
from contest.notify.outbox import NewMessage
from contest.storage.db import transaction
from contest.storage.notify_tables import OutboxMessage
from tests.conftest import Clock
from tests.notify.conftest import Mailbox, Receiver

PARAMS = {"contest": "Cuộc thi thử", "round": "Đợt 1", "opens": "10:00 20/11/2026",
          "closes": "09:00 27/11/2026"}


def sms(n: int, template: str = "round_open") -> NewMessage:
    return NewMessage("sms", f"09123456{n:02d}", template, PARAMS, f"test:{template}:{n}")


async def put(ctx: Services, *messages: NewMessage) -> int:
    async with transaction(ctx.sm) as s:
        return await outbox.enqueue(s, ctx, messages)


async def rows(ctx: Services) -> list[OutboxMessage]:
    async with ctx.sm() as s:
        return list((await s.scalars(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all())


async def test_email_reaches_the_smtp_server_once(services: Services, smtp: Mailbox) -> None:
    msg = NewMessage("email", "ngoc@example.vn", "password_reset",
                     {"contest": "Cuộc thi thử", "code": "123456", "minutes": "10"}, "test:r1")
    assert await put(services, msg) == 1
    assert await put(services, msg) == 0  # the same dedupe key is stored once
    assert await outbox.deliver_due(services) == {"sent": 1}
    assert await outbox.deliver_due(services) == {}
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["To"] == "ngoc@example.vn" and "test.r1" in mail["Message-ID"]
    assert mail["Subject"] == "Cuộc thi thử: mã đặt lại mật khẩu"
    assert "123456" in smtp.texts()[0] and "10 phút" in smtp.texts()[0]
    [row] = await rows(services)
    assert (row.state, row.attempts, row.sent_at) == ("sent", 1, services.now())
    data = cipher(services.settings)
    assert "ngoc" not in row.recipient_enc and data.decrypt(row.recipient_enc) == "ngoc@example.vn"
    # once sent, the code is not kept, not even encrypted
    assert "123456" not in (data.decrypt(row.params_enc) or "")


async def test_smtp_temporary_refusal_is_retried(services: Services, smtp: Mailbox,
                                                 clock: Clock) -> None:
    smtp.refuse = ["451 4.3.0 thử lại sau"]
    await put(services, NewMessage("email", "a@example.vn", "results", PARAMS, "test:e"))
    assert await outbox.deliver_due(services) == {"pending": 1}
    [row] = await rows(services)
    assert row.last_error and "451" in row.last_error
    clock.advance(services.settings.notify_retry_s)
    assert await outbox.deliver_due(services) == {"sent": 1}
    assert len(smtp.messages) == 1


async def test_failing_provider_loses_nothing_and_sends_nothing_twice(
        services: Services, receiver: Receiver, clock: Clock) -> None:
    receiver.plan = [503, 503, 503, 500]  # the provider is down for four requests
    await put(services, sms(1), sms(2), sms(3))
    assert await outbox.deliver_due(services) == {"pending": 3}
    clock.advance(services.settings.notify_retry_s - 1)
    assert await outbox.deliver_due(services) == {}  # backing off: nothing is due yet
    clock.advance(1)
    assert await outbox.deliver_due(services) == {"pending": 1, "sent": 2}
    clock.advance(services.settings.notify_retry_s * 2)
    assert await outbox.deliver_due(services) == {"sent": 1}
    clock.advance(3600)
    assert await outbox.deliver_due(services) == {}
    assert len(receiver.seen) == 7  # 4 refused + 3 accepted
    assert sorted(b["id"] for b in receiver.accepted) == ["test:round_open:1",
                                                         "test:round_open:2",
                                                         "test:round_open:3"]
    assert [(r.state, r.attempts) for r in await rows(services)] == [
        ("sent", 3), ("sent", 2), ("sent", 2)]
    path, headers, body = receiver.seen[-1]
    assert path == "/sms" and headers["Authorization"] == "Bearer bi-mat"
    assert headers["Idempotency-Key"] == body["id"]
    assert body["to"] == "0912345601" and "Đợt 1" in body["text"]


async def test_permanent_refusal_and_exhausted_tries_fail(services: Services, receiver: Receiver,
                                                          clock: Clock) -> None:
    receiver.plan = [400]
    await put(services, sms(1))
    assert await outbox.deliver_due(services) == {"failed": 1}
    clock.advance(7200)
    assert await outbox.deliver_due(services) == {}  # never retried
    receiver.plan = [503] * 20
    await put(services, sms(2))
    for _ in range(services.settings.notify_max_attempts):
        await outbox.deliver_due(services)
        clock.advance(3600)
    states = [(r.state, r.attempts) for r in await rows(services)]
    assert states == [("failed", 1), ("failed", services.settings.notify_max_attempts)]
    assert len(receiver.accepted) == 0


async def test_channel_rate_limit(services: Services, receiver: Receiver, clock: Clock) -> None:
    from dataclasses import replace

    services.settings = replace(services.settings, notify_channels=(
        f"sms={receiver.base}/sms?rate=2/60"))
    await put(services, *(sms(n) for n in range(5)))
    assert await outbox.deliver_due(services) == {"sent": 2, "throttled": 1}
    clock.advance(30)
    assert (await outbox.deliver_due(services))["sent"] == 1
    clock.advance(60)
    assert (await outbox.deliver_due(services))["sent"] == 2
    assert len(receiver.accepted) == 5


async def test_concurrent_senders_send_each_message_once(services: Services,
                                                         receiver: Receiver) -> None:
    await put(services, *(sms(n) for n in range(10)))
    results = await asyncio.gather(outbox.deliver_due(services), outbox.deliver_due(services),
                                   outbox.deliver_due(services))
    assert sum(r.get("sent", 0) for r in results) == 10
    assert sorted(b["id"] for b in receiver.accepted) == sorted(f"test:round_open:{n}"
                                                               for n in range(10))


async def test_a_lost_sender_is_retried_after_its_lease(services: Services, receiver: Receiver,
                                                        clock: Clock) -> None:
    await put(services, sms(1))
    [row] = await rows(services)
    assert row.id is not None and await outbox._claim(services, row.id)  # a worker that died
    assert await outbox.deliver_due(services) == {}
    clock.advance(outbox.LEASE.total_seconds())
    assert await outbox.deliver_due(services) == {"sent": 1}
    assert [(r.state, r.attempts) for r in await rows(services)] == [("sent", 2)]


async def test_zalo_zns_body(services: Services, receiver: Receiver) -> None:
    await put(services, NewMessage("zalo", "0912345678", "password_reset",
                                   {"contest": "C", "code": "000123", "minutes": "10"}, "test:z"))
    assert await outbox.deliver_due(services) == {"sent": 1}
    path, headers, body = receiver.seen[0]
    assert path == "/zns" and headers["access_token"] == "zt"
    assert body == {"phone": "84912345678", "template_id": "9001",
                    "template_data": {"contest": "C", "code": "000123", "minutes": "10"},
                    "tracking_id": "test:z"}


async def test_unconfigured_channel_fails_visibly(services: Services) -> None:
    await put(services, NewMessage("fax", "1", "results", PARAMS, "test:f"))
    assert await outbox.deliver_due(services) == {"failed": 1}
    [row] = await rows(services)
    assert row.last_error == "channel fax is not configured"


async def test_log_channel_writes_the_server_log(services: Services, caplog: object) -> None:
    import logging

    assert isinstance(caplog, __import__("_pytest").logging.LogCaptureFixture)
    caplog.set_level(logging.INFO, "contest.notify")
    await put(services, NewMessage("log", "0912345678", "round_open", PARAMS, "test:l"))
    assert await outbox.deliver_due(services) == {"sent": 1}
    assert "091****678" in caplog.text and "Đợt 1 đã mở" in caplog.text
    [row] = await rows(services)
    assert json.loads(cipher(services.settings).decrypt(row.params_enc) or "") == PARAMS


async def test_reset_codes_go_first_and_channels_do_not_wait_for_each_other(
        services: Services, receiver: Receiver, smtp: Mailbox) -> None:
    from dataclasses import replace

    services.settings = replace(services.settings, notify_channels=(
        f"sms={receiver.base}/sms?rate=1/60,"
        f"email=smtp://127.0.0.1:{smtp.port}?from=cuocthi@example.vn&tls=none"))
    await put(services, *(sms(n) for n in range(5)))  # a queue of reminders
    await put(services, NewMessage("sms", "0912345699", "password_reset",
                                   {"contest": "C", "code": "123456", "minutes": "10"}, "reset:x"))
    await put(services, NewMessage("email", "a@example.vn", "results", PARAMS, "test:e1"))
    assert await outbox.deliver_due(services) == {"sent": 2, "throttled": 1}
    assert [b["id"] for b in receiver.accepted] == ["reset:x"]
    assert len(smtp.messages) == 1
