"""The durable outbox: enqueue in the caller's transaction, deliver from a background task.

A message is claimed with a guarded UPDATE (state pending, or sending whose lease ran out,
and due), so two workers never send the same row at once; once marked sent it is never
sent again. A worker that dies mid-send leaves a lease that expires, and the message is
retried: delivery is at least once, with the dedupe key passed to the provider (HTTP
Idempotency-Key, tracking_id, Message-ID) so it can drop the repeat.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from contest.core.context import Services
from contest.core.crypto import DataKeyError, cipher
from contest.domain.notify import backoff_s, retry_or_fail
from contest.domain.vocabulary import OutboxState
from contest.notify import templates
from contest.notify.channels import (
    Channel,
    Outgoing,
    PermanentFailure,
    TemporaryFailure,
    channels,
    log,
)
from contest.storage.db import transaction
from contest.storage.limiter import Limiter
from contest.storage.notify_tables import OutboxMessage

LEASE = timedelta(seconds=60)  # longer than any transport's timeout
BATCH = 100
DUE_STATES = (OutboxState.PENDING, OutboxState.SENDING)


@dataclass(frozen=True)
class NewMessage:
    """A message to enqueue (clear text; encrypted on the way in)."""

    channel: str
    recipient: str
    template: str
    params: dict[str, str]
    dedupe_key: str
    participant_id: str | None = None
    unit_code: str | None = None


def _row(ctx: Services, m: NewMessage, now: datetime) -> dict[str, Any]:
    if m.template not in templates.TEMPLATES:
        raise KeyError(f"unknown message template {m.template}")
    data = cipher(ctx.settings)
    return {"channel": m.channel, "recipient_enc": data.encrypt(m.recipient),
            "template": m.template, "params_enc": data.encrypt(json.dumps(m.params)),
            "state": OutboxState.PENDING, "attempts": 0, "next_try_at": now,
            "dedupe_key": m.dedupe_key,
            "participant_id": m.participant_id, "unit_code": m.unit_code, "created_at": now}


async def enqueue(s: AsyncSession, ctx: Services, messages: Sequence[NewMessage]) -> int:
    """Add messages in s's transaction, skipping dedupe keys already there; how many were new.

    Raises KeyError for an unknown template (a programming error).
    """
    if not messages:
        return 0
    now = ctx.now()
    rows = [_row(ctx, m, now) for m in messages]
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    dialect = s.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(rows).on_conflict_do_nothing(index_elements=["dedupe_key"])
    result = await s.execute(stmt)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _limiter(ctx: Services) -> Limiter:
    lim: Limiter | None = getattr(ctx, "_notify_limiter", None)
    if lim is None or lim.redis is not ctx.redis:
        lim = Limiter(ctx.redis)
        setattr(ctx, "_notify_limiter", lim)  # noqa: B010 - Services is the lead's dataclass
    return lim


async def _claim(ctx: Services, message_id: int) -> bool:
    """Take a due message for sending (one worker wins); True when this one did."""
    now = ctx.now()
    async with transaction(ctx.sm) as s:
        result = await s.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.state).in_(DUE_STATES),
                   col(OutboxMessage.next_try_at) <= now)
            .values(state=OutboxState.SENDING, attempts=col(OutboxMessage.attempts) + 1,
                    next_try_at=now + LEASE))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def _finish(ctx: Services, msg: OutboxMessage, error: Exception | None,
                  params: dict[str, str]) -> str:
    """Record a try's outcome on a claimed message; the new state."""
    now = ctx.now()
    values: dict[str, Any]
    if error is None:
        # Once sent, secrets (a reset code) are not kept, not even encrypted.
        values = {"state": OutboxState.SENT, "sent_at": now, "last_error": None,
                  "params_enc": cipher(ctx.settings).encrypt(
                      json.dumps(templates.redacted(msg.template, params)))}
    else:
        state = retry_or_fail(msg.attempts, ctx.settings.notify_max_attempts,
                              isinstance(error, PermanentFailure))
        values = {"state": state, "last_error": str(error)[:500] or type(error).__name__,
                  "next_try_at": now + timedelta(
                      seconds=backoff_s(msg.attempts, ctx.settings.notify_retry_s))}
        if state == OutboxState.FAILED:
            values["params_enc"] = cipher(ctx.settings).encrypt(
                json.dumps(templates.redacted(msg.template, params)))
    async with transaction(ctx.sm) as s:
        await s.execute(update(OutboxMessage)
                        .where(col(OutboxMessage.id) == msg.id,
                               col(OutboxMessage.state) == OutboxState.SENDING)
                        .values(**values))
    return str(values["state"])


async def _send_one(ctx: Services, channel: Channel, message_id: int) -> str | None:
    """Claim, render and send one message; its new state (None: another worker has it)."""
    if not await _claim(ctx, message_id):
        return None
    async with ctx.sm() as s:
        msg = await s.get(OutboxMessage, message_id)
    assert msg is not None
    params: dict[str, str] = {}
    error: Exception | None = None
    try:
        data = cipher(ctx.settings)
        params = json.loads(data.decrypt(msg.params_enc) or "{}")
        recipient = data.decrypt(msg.recipient_enc) or ""
        subject, text = templates.render(msg.template, params, ctx.settings.locale)
    except (DataKeyError, KeyError, ValueError) as exc:  # unreadable: retrying cannot help
        error = PermanentFailure(f"cannot prepare the message: {type(exc).__name__}")
    if error is None:
        try:
            await channel.transport.send(Outgoing(recipient, msg.template, params, subject,
                                                  text, msg.dedupe_key))
        except (TemporaryFailure, PermanentFailure) as exc:
            error = exc
        except Exception as exc:  # a transport bug must not lose the message: retry it
            log.exception("channel %s failed unexpectedly", channel.name)
            error = TemporaryFailure(f"{type(exc).__name__}: {exc}")
    state = await _finish(ctx, msg, error, params)
    if error is not None:
        log.warning("outbox message %s on %s: try %s failed (%s), now %s", msg.id,
                    channel.name, msg.attempts, error, state)
    return state


def _due(now: datetime, limit: int, *where: Any) -> Any:
    """The ids and channels of due messages, urgent templates (reset codes) first."""
    return (select(OutboxMessage.id, OutboxMessage.channel)
            .where(col(OutboxMessage.state).in_(DUE_STATES),
                   col(OutboxMessage.next_try_at) <= now, *where)
            .order_by(case((col(OutboxMessage.template).in_(templates.URGENT), 0), else_=1),
                      col(OutboxMessage.next_try_at), col(OutboxMessage.id))
            .limit(limit))


async def deliver_due(ctx: Services, limit: int = BATCH) -> dict[str, int]:
    """Send the messages due now, within each channel's rate; counts by resulting state.

    Each channel is read on its own, so a long queue on one (reminders by SMS) never holds
    up another (a reset code by e-mail); within a channel, reset codes go first.
    """
    now = ctx.now()
    configured = channels(ctx.settings)
    counts: dict[str, int] = {}
    async with ctx.sm() as s:
        stray = (await s.execute(_due(now, limit, col(OutboxMessage.channel).not_in(
            list(configured))))).all()
    for raw_id, name in stray:
        if await _unconfigured(ctx, int(raw_id), name):
            counts["failed"] = counts.get("failed", 0) + 1
    for name, channel in configured.items():
        async with ctx.sm() as s:
            due = (await s.execute(_due(now, limit, col(OutboxMessage.channel) == name))).all()
        for raw_id, _ in due:
            if channel.rate is not None:
                wait = await _limiter(ctx).hit("notify", name, channel.rate,
                                               int(ctx.now().timestamp() * 1000))
                if wait:  # this channel's budget is spent: the rest waits for the next pass
                    counts["throttled"] = counts.get("throttled", 0) + 1
                    break
            state = await _send_one(ctx, channel, int(raw_id))
            if state is not None:
                counts[state] = counts.get(state, 0) + 1
    return counts


async def _unconfigured(ctx: Services, message_id: int, name: str) -> bool:
    """Fail a message whose channel is no longer configured (kept for the console)."""
    async with transaction(ctx.sm) as s:
        result = await s.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.state).in_(DUE_STATES))
            .values(state=OutboxState.FAILED, last_error=f"channel {name} is not configured"))
    return bool(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Shown:
    """An outbox message as the console shows it: masked address, secrets redacted."""

    msg: OutboxMessage
    recipient: str
    text: str


async def listing(ctx: Services, codes: set[str] | None, state: str | None, offset: int,
                  limit: int = 50) -> list[Shown]:
    """The newest messages of the units in codes (None: all), for the console."""
    from contest.core.crypto import mask_email, mask_phone
    from contest.core.scope import in_scope

    q = (select(OutboxMessage).where(in_scope(col(OutboxMessage.unit_code), codes))
         .order_by(col(OutboxMessage.id).desc()).offset(offset).limit(limit))
    if state:
        q = q.where(col(OutboxMessage.state) == state)
    async with ctx.sm() as s:
        rows = (await s.scalars(q)).all()
    data = cipher(ctx.settings)
    out = []
    for m in rows:
        recipient = data.decrypt(m.recipient_enc) or ""
        params = json.loads(data.decrypt(m.params_enc) or "{}")
        _, text = templates.render(m.template, templates.redacted(m.template, params),
                                   ctx.settings.locale)
        out.append(Shown(m, mask_email(recipient) if "@" in recipient else mask_phone(recipient),
                         text))
    return out


async def rotate_keys(ctx: Services, batch: int = 500) -> tuple[int, int]:
    """Re-encrypt recipients and params under the newest data key; (rows, values) changed.

    Raises crypto.DataKeyError when a value matches no configured key.
    """
    data = cipher(ctx.settings)
    rows_seen = values = 0
    after = 0
    while True:
        async with transaction(ctx.sm) as s:
            rows = (await s.execute(
                select(OutboxMessage.id, OutboxMessage.recipient_enc, OutboxMessage.params_enc)
                .where(col(OutboxMessage.id) > after).order_by(col(OutboxMessage.id))
                .limit(batch))).all()
            for mid, recipient, params in rows:
                changed = {name: data.rotate(v) for name, v in
                           (("recipient_enc", recipient), ("params_enc", params))
                           if not data.is_current(v)}
                if changed:
                    await s.execute(update(OutboxMessage)
                                    .where(col(OutboxMessage.id) == mid).values(**changed))
                    values += len(changed)
            rows_seen += len(rows)
        if len(rows) < batch:
            return rows_seen, values
        after = int(rows[-1][0])
