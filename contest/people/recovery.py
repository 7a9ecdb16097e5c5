"""Account recovery: one-time reset codes sent through the outbox or issued by an officer.

Codes are 6 digits, stored only as a keyed hash (HMAC with CONTEST_LOOKUP_KEY and the
code's own id), expire, allow a few wrong tries, and work once. A new code supersedes the
older ones. A reset bumps the participant's session_version, which ends other sessions.
"""

from __future__ import annotations

import hmac
import math
import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col, select
from starlette.concurrency import run_in_threadpool

from contest.core import audit_log
from contest.core.context import Services, log
from contest.core.crypto import cipher
from contest.core.scope import require_participant
from contest.domain import people
from contest.domain.phrase import Phrase
from contest.domain.rates import parse_rate
from contest.errors import ConfigInvalid, RateLimited, ResetCodeInvalid, ValidationFailed
from contest.integrity import throttle
from contest.notify.outbox import NewMessage, enqueue
from contest.notify.recipients import reach
from contest.people import accounts
from contest.storage import keys
from contest.storage.db import transaction
from contest.storage.notify_tables import PasswordReset
from contest.storage.tables import Contest, Participant, Staff

CODE_DIGITS = 6


def new_code() -> str:
    """A uniformly random 6-digit code (leading zeros kept)."""
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def code_hash(ctx: Services, reset_id: str, code: str) -> str:
    """The keyed hash stored for a code (a stolen table alone cannot be brute-forced)."""
    return cipher(ctx.settings).lookup("reset", f"{reset_id}:{code}")


async def _limit(ctx: Services, action: str, ident: str, rate_text: str) -> None:
    """Count one request against a reset throttle; raises RateLimited."""
    wait = await throttle.limiter(ctx).hit(action, ident, parse_rate(rate_text),
                                           throttle.now_ms(ctx))
    if wait:
        raise RateLimited(retry_after=max(1, math.ceil(wait / 1000)))


async def _find(ctx: Services, contest_id: int, phone: str) -> Participant | None:
    async with ctx.sm() as s:
        found: Participant | None = await s.scalar(select(Participant).where(
            Participant.contest_id == contest_id,
            Participant.phone_hash == cipher(ctx.settings).lookup("phone", phone),
            col(Participant.purged_at).is_(None)))
    return found


async def _issue(ctx: Services, p: Participant, issued_by: str, ttl_s: int,
                 message: NewMessage | None = None, ip: str | None = None,
                 document: str | None = None) -> str:
    """Store a new code for p (superseding older ones) with its message or, for an officer,
    its audit event, in one transaction; the code."""
    now = ctx.now()
    code = new_code()
    reset = PasswordReset(id=accounts.new_id(), participant_id=p.id, code_hash="",
                          issued_by=issued_by, created_at=now,
                          expires_at=now + timedelta(seconds=ttl_s))
    reset.code_hash = code_hash(ctx, reset.id, code)
    async with transaction(ctx.sm) as s:
        await s.execute(update(PasswordReset)
                        .where(col(PasswordReset.participant_id) == p.id,
                               col(PasswordReset.used_at).is_(None))
                        .values(used_at=now))
        s.add(reset)
        if message is not None:
            await enqueue(s, ctx, [NewMessage(
                message.channel, message.recipient, "password_reset",
                {**message.params, "code": code}, f"reset:{reset.id}", p.id, p.unit_code)])
        if document is not None:
            audit_log.record(s, now, issued_by, "participant.reset_code_issued",
                             f"participant:{p.id}", ip=ip, document=document[:100],
                             reset=reset.id)
    return code


async def request_code(ctx: Services, slug: str, phone_raw: str, ip: str | None,
                       prefer_email: bool = False) -> None:
    """Send a reset code to the account of this phone, if there is one (the caller cannot
    tell). Raises NotFound (contest), RateLimited (per phone or per address)."""
    contest_id = await throttle.contest_of_slug(ctx, slug)
    phone = people.normalise_phone(phone_raw) or phone_raw.strip()[:32]
    if ip:
        await _limit(ctx, "reset_ip", f"{contest_id}:{ip}", ctx.settings.limit_reset_ip)
    await _limit(ctx, "reset_phone", f"{contest_id}:{phone}", ctx.settings.limit_reset_phone)
    p = await _find(ctx, contest_id, phone)
    if p is None:
        return
    target = reach(ctx.settings, p, prefer_email)
    if target is None:
        log.warning("password reset for participant %s: no channel reaches them", p.id)
        return
    async with ctx.sm() as s:
        title = await s.scalar(select(Contest.title).where(Contest.id == contest_id)) or ""
    params = {"contest": title, "minutes": str(ctx.settings.reset_code_ttl_s // 60)}
    await _issue(ctx, p, "self", ctx.settings.reset_code_ttl_s,
                 NewMessage(target[0], target[1], "password_reset", params, ""))


async def confirm(ctx: Services, slug: str, phone_raw: str, code: str, new_password: str,
                  ip: str | None) -> Participant:
    """Set a new password with a valid code, ending other sessions; the participant.

    Raises ValidationFailed (password), ResetCodeInvalid, RateLimited, NotFound (contest).
    """
    if len(new_password) < 8:
        raise ValidationFailed(fields={"new_password": "field.password"})
    if len(new_password) > 128:
        raise ValidationFailed(fields={"new_password": "field.password_long"})
    contest_id = await throttle.contest_of_slug(ctx, slug)
    if ip:
        await _limit(ctx, "reset_ip", f"{contest_id}:{ip}", ctx.settings.limit_reset_ip)
    phone = people.normalise_phone(phone_raw)
    p = await _find(ctx, contest_id, phone) if phone else None
    p_phone = phone or ""
    if p is None or not (len(code) == CODE_DIGITS and code.isdigit()):
        raise ResetCodeInvalid()
    now = ctx.now()
    max_tries = ctx.settings.reset_max_tries
    async with ctx.sm() as s:
        reset = await s.scalar(select(PasswordReset)
                               .where(col(PasswordReset.participant_id) == p.id,
                                      col(PasswordReset.used_at).is_(None))
                               .order_by(col(PasswordReset.created_at).desc()).limit(1))
    if reset is None or reset.expires_at <= now or reset.tries >= max_tries:
        raise ResetCodeInvalid()
    if not hmac.compare_digest(reset.code_hash, code_hash(ctx, reset.id, code)):
        async with transaction(ctx.sm) as s:
            await s.execute(update(PasswordReset).where(col(PasswordReset.id) == reset.id)
                            .values(tries=col(PasswordReset.tries) + 1))
        raise ResetCodeInvalid()
    password_hash = await run_in_threadpool(accounts.hash_password, new_password)
    async with transaction(ctx.sm) as s:
        used = await s.execute(update(PasswordReset)
                               .where(col(PasswordReset.id) == reset.id,
                                      col(PasswordReset.used_at).is_(None),
                                      col(PasswordReset.tries) < max_tries)
                               .values(used_at=now))
        if not used.rowcount:  # type: ignore[attr-defined]  # a concurrent confirm won
            raise ResetCodeInvalid()
        await s.execute(update(Participant).where(col(Participant.id) == p.id)
                        .values(password_hash=password_hash,
                                session_version=col(Participant.session_version) + 1))
        audit_log.record(s, now, f"participant:{p.id}", "participant.password_reset",
                         f"participant:{p.id}", ip=ip, issued_by=reset.issued_by)
    # Other sessions end now: the Redis copy of the version is refilled from SQL on next use.
    await ctx.redis.delete(keys.session_version(p.id))
    # A person who forgot the password has often locked the phone's logins: lift that.
    await throttle.limiter(ctx).login_succeeded(contest_id, p_phone)
    async with ctx.sm() as s:
        fresh = await s.get(Participant, p.id)
    assert fresh is not None
    return fresh


async def issue_by_staff(ctx: Services, staff: Staff, participant_id: str, identity_checked: bool,
                         document: str, ip: str | None) -> str:
    """A reset code for a participant of staff's scope, shown to the officer; audited.

    Raises NotFound (out of scope), ConfigInvalid (identity not confirmed).
    """
    p = await require_participant(ctx, staff, participant_id)
    if p.purged_at is not None:
        raise ConfigInvalid(detail=Phrase("detail.recovery.purged"))
    if not identity_checked or not document.strip():
        raise ConfigInvalid(detail=Phrase("detail.recovery.identity_unchecked"))
    return await _issue(ctx, p, f"staff:{staff.username}", ctx.settings.reset_officer_ttl_s,
                        ip=ip, document=document.strip())
