"""Staff accounts: creation, password and TOTP checks, login throttling, server-side sessions."""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass

import pyotp
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from contest.core import audit_log
from contest.core.context import Services
from contest.domain.phrase import Phrase
from contest.domain.vocabulary import StaffRole
from contest.errors import (
    ConfigInvalid,
    Forbidden,
    NotFound,
    NotLoggedIn,
    RateLimited,
    StaffLoginFailed,
)
from contest.integrity import throttle
from contest.people import passwords
from contest.storage import keys
from contest.storage.db import transaction
from contest.storage.tables import Staff, Unit

ROLES = tuple(StaffRole)
TOTP_ROLES = (StaffRole.ADMIN, StaffRole.ORGANISER)
# Failed logins tolerated per window before the account / the address is refused for a while.
MAX_FAILS_PER_USER = 5
MAX_FAILS_PER_IP = 30
FAIL_WINDOW_S = 15 * 60

# Verified against when the username is unknown, so both answers take the same time.
_DUMMY_HASH = passwords.hash_now("not-a-real-staff-password")
# KEYS[1] the account's last used TOTP time step; ARGV the step, ttl s. 1 when the step is
# newer than the last one used (and is now the last), 0 for a replay.
_TOTP_STEP = """
local last = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) <= last then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
return 1
"""
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


@dataclass(frozen=True)
class NewStaff:
    """A created account and, when TOTP was asked for, its provisioning URI (shown once)."""

    staff: Staff
    totp_uri: str | None


async def create_staff(ctx: Services, username: str, password: str, role: str,
                       unit_code: str | None = None, full_name: str = "",
                       totp: bool = False, actor: str = "cli",
                       ip: str | None = None) -> NewStaff:
    """Create a staff account; raises ConfigInvalid for a bad role, unit, name or password."""
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise ConfigInvalid(detail=Phrase("detail.staff.username_format"))
    if role not in ROLES:
        raise ConfigInvalid(detail=Phrase("detail.staff.role_unknown", roles=", ".join(ROLES)))
    if role == StaffRole.UNIT_OFFICER and not unit_code:
        raise ConfigInvalid(detail=Phrase("detail.staff.unit_needed_cli"))
    if not 10 <= len(password) <= 128:
        raise ConfigInvalid(detail=Phrase("detail.staff.password_length", min=10, max=128))
    secret = pyotp.random_base32() if totp else None
    password_hash = await passwords.hash_password(ctx, password)
    try:
        async with transaction(ctx.sm) as s:
            found = await s.scalar(select(Unit.id).where(col(Unit.code) == unit_code))
            if unit_code and found is None:
                raise ConfigInvalid(detail=Phrase("detail.staff.unit_unknown", unit=unit_code))
            staff = Staff(username=username, password_hash=password_hash, full_name=full_name,
                          role=role, unit_code=unit_code or None, totp_secret=secret,
                          created_at=ctx.now())
            s.add(staff)
            audit_log.record(s, ctx.now(), actor, "staff.create", f"staff:{username}", ip=ip,
                             role=role, unit_code=unit_code, totp=totp)
    except IntegrityError as exc:
        raise ConfigInvalid(detail=Phrase("detail.staff.username_taken",
                                            username=username)) from exc
    uri = (pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="Contest")
           if secret else None)
    return NewStaff(staff, uri)


def _counters(username: str, ip: str) -> list[tuple[str, int]]:
    return [(keys.staff_login_failures("user", username), MAX_FAILS_PER_USER),
            (keys.staff_login_failures("ip", ip), MAX_FAILS_PER_IP)]


async def _fresh_totp(ctx: Services, staff: Staff, code: str) -> bool:
    """True when code is the account's TOTP for now (one step of drift either way) and its
    time step is newer than the last one used: a code works once, even inside its window."""
    assert staff.totp_secret is not None and staff.id is not None
    otp = pyotp.TOTP(staff.totp_secret)
    now = ctx.now()
    step = otp.timecode(now)
    matched = [step + d for d in (-1, 0, 1)
               if secrets.compare_digest(otp.at(now, counter_offset=d), code.strip())]
    if not matched:
        return False
    fresh = await ctx.redis.register_script(_TOTP_STEP)(
        keys=[keys.staff_totp_last_step(staff.id)], args=[max(matched), 3 * otp.interval])
    return bool(fresh)


async def authenticate(ctx: Services, username: str, password: str, totp: str | None,
                       ip: str) -> Staff:
    """The active staff member with these credentials; every outcome is audited.

    The try is counted on the account and on the address BEFORE the password is verified,
    so parallel guesses cannot all pass the check; a wrong password, a missing or a used
    TOTP code get the same answer, so the answer never tells that the password was right.
    Raises RateLimited (too many tries), StaffLoginFailed, ServerBusy (hashing saturated).
    """
    username = username.strip().lower()[:64]
    lim = throttle.limiter(ctx)
    counters = _counters(username, ip)
    wait = await lim.reserve_counted(counters, FAIL_WINDOW_S)
    if wait:
        raise RateLimited(retry_after=max(1, math.ceil(wait / 1000)))
    try:
        async with ctx.sm() as s:
            staff = await s.scalar(select(Staff).where(col(Staff.username) == username))
        stored = staff.password_hash if staff is not None else _DUMMY_HASH
        ok = await passwords.verify(ctx, stored, password)
    except Exception:  # never judged (busy, storage down): the try is given back
        await lim.refund_counted([k for k, _ in counters])
        raise
    if ok and staff is not None and staff.active and staff.totp_secret:
        ok = bool(totp) and await _fresh_totp(ctx, staff, totp or "")
    good = ok and staff is not None and staff.active
    async with transaction(ctx.sm) as s:
        audit_log.record(s, ctx.now(), f"staff:{username}",
                         "staff.login" if good else "staff.login_failed", f"staff:{username}",
                         ip=ip)
    if not good or staff is None:
        raise StaffLoginFailed()
    await ctx.redis.delete(counters[0][0])  # a success forgets the account's failures
    await lim.refund_counted([counters[1][0]])  # and does not use the address's budget
    return staff


async def open_session(ctx: Services, staff: Staff) -> str:
    """Record a new server-side session for staff; returns its nonce (kept in the cookie)."""
    assert staff.id is not None
    nonce = secrets.token_urlsafe(24)
    async with ctx.redis.pipeline(transaction=True) as pipe:
        pipe.set(keys.staff_session(nonce), str(staff.id),
                 ex=ctx.settings.staff_idle_timeout_s)
        pipe.sadd(keys.staff_sessions_of(staff.id), nonce)
        pipe.expire(keys.staff_sessions_of(staff.id), ctx.settings.staff_session_max_age_s)
        await pipe.execute()
    return nonce


async def resume_session(ctx: Services, nonce: str) -> Staff:
    """The active staff member of a live session, extending its idle timeout.

    Raises NotLoggedIn when the session ended (logout, idle timeout) or the account was disabled.
    """
    key = keys.staff_session(nonce)
    raw = await ctx.redis.get(key)
    if raw is None:
        raise NotLoggedIn()
    await ctx.redis.expire(key, ctx.settings.staff_idle_timeout_s)
    async with ctx.sm() as s:
        staff: Staff | None = await s.get(Staff, int(raw))
    if staff is None or not staff.active:
        await ctx.redis.delete(key)
        raise NotLoggedIn()
    return staff


async def close_session(ctx: Services, nonce: str, staff: Staff, ip: str | None) -> None:
    """End a session server-side so its cookie can never be replayed; audited."""
    await ctx.redis.delete(keys.staff_session(nonce))
    if staff.id is not None:
        await ctx.redis.srem(keys.staff_sessions_of(staff.id), nonce)
    async with transaction(ctx.sm) as s:
        audit_log.record(s, ctx.now(), f"staff:{staff.username}", "staff.logout",
                         f"staff:{staff.username}", ip=ip)


async def close_all_sessions(ctx: Services, staff_id: int) -> None:
    """End every session of a staff member (deactivation, password change)."""
    members = await ctx.redis.smembers(keys.staff_sessions_of(staff_id))
    names = [keys.staff_session(m.decode() if isinstance(m, bytes) else m) for m in members]
    if names:
        await ctx.redis.delete(*names)
    await ctx.redis.delete(keys.staff_sessions_of(staff_id))


TOTP_PENDING_TTL_S = 10 * 60


async def list_staff(ctx: Services) -> list[Staff]:
    """Every staff account, active first, by username."""
    async with ctx.sm() as s:
        return list((await s.scalars(select(Staff).order_by(col(Staff.active).desc(),
                                                            col(Staff.username)))).all())


async def get_staff(ctx: Services, staff_id: int) -> Staff:
    """One staff account; raises NotFound."""
    async with ctx.sm() as s:
        staff = await s.get(Staff, staff_id)
    if staff is None:
        raise NotFound()
    return staff


async def update_staff(ctx: Services, staff_id: int, *, role: str, unit_code: str | None,
                       active: bool, reset_totp: bool, actor: str,
                       ip: str | None = None) -> Staff:
    """Change an account's role, unit, active flag, or remove its TOTP; audited.

    Deactivating ends the account's sessions at once. Raises NotFound, ConfigInvalid (bad role
    or unit, or a change that would leave no active admin).
    """
    unit_code = (unit_code or "").strip() or None
    if role not in ROLES:
        raise ConfigInvalid(detail=Phrase("detail.staff.role_unknown", roles=", ".join(ROLES)))
    if role == StaffRole.UNIT_OFFICER and not unit_code:
        raise ConfigInvalid(detail=Phrase("detail.staff.unit_needed"))
    async with transaction(ctx.sm) as s:
        staff = await s.get(Staff, staff_id)
        if staff is None:
            raise NotFound()
        if unit_code and await s.scalar(select(Unit.id).where(col(Unit.code) == unit_code)) \
                is None:
            raise ConfigInvalid(detail=Phrase("detail.staff.unit_unknown", unit=unit_code))
        if staff.role == StaffRole.ADMIN and staff.active and (
                role != StaffRole.ADMIN or not active):
            admins = await s.scalar(select(func.count()).select_from(Staff).where(
                col(Staff.role) == StaffRole.ADMIN, col(Staff.active)))
            if int(admins or 0) <= 1:
                raise ConfigInvalid(detail=Phrase("detail.staff.last_admin"))
        before = {"role": staff.role, "unit_code": staff.unit_code, "active": staff.active,
                  "totp": staff.totp_secret is not None}
        staff.role, staff.unit_code, staff.active = role, unit_code, active
        if reset_totp:
            staff.totp_secret = None
        s.add(staff)
        audit_log.record(s, ctx.now(), actor, "staff.update", f"staff:{staff.username}", ip=ip,
                         before=before, after={"role": role, "unit_code": unit_code,
                                               "active": active,
                                               "totp": staff.totp_secret is not None})
    if not active:
        await close_all_sessions(ctx, staff_id)
    return staff


async def begin_totp(ctx: Services, staff: Staff) -> tuple[str, str]:
    """A new TOTP secret for staff to scan, held until confirmed: (secret, otpauth URI).

    Raises Forbidden for roles without a second factor.
    """
    if staff.role not in TOTP_ROLES or staff.id is None:
        raise Forbidden()
    secret = pyotp.random_base32()
    await ctx.redis.set(keys.staff_totp_pending(staff.id), secret, ex=TOTP_PENDING_TTL_S)
    return secret, pyotp.TOTP(secret).provisioning_uri(name=staff.username,
                                                         issuer_name="Contest")


async def pending_totp(ctx: Services, staff: Staff) -> str | None:
    """The secret shown to staff and not yet confirmed (None when expired or none)."""
    if staff.id is None:
        return None
    raw = await ctx.redis.get(keys.staff_totp_pending(staff.id))
    return raw.decode() if isinstance(raw, bytes) else raw


async def confirm_totp(ctx: Services, staff: Staff, code: str, ip: str | None = None) -> None:
    """Turn on the pending TOTP secret once a code from it is right; audited.

    Raises Forbidden (role), ConfigInvalid (no pending secret, or a wrong code).
    """
    if staff.role not in TOTP_ROLES or staff.id is None:
        raise Forbidden()
    secret = await pending_totp(ctx, staff)
    if secret is None:
        raise ConfigInvalid(detail=Phrase("detail.staff.totp_expired"))
    if not pyotp.TOTP(secret).verify(code.strip(), for_time=ctx.now(), valid_window=1):
        raise ConfigInvalid(detail=Phrase("detail.staff.totp_wrong"))
    async with transaction(ctx.sm) as s:
        row = await s.get(Staff, staff.id)
        if row is None:
            raise NotFound()
        row.totp_secret = secret
        s.add(row)
        audit_log.record(s, ctx.now(), f"staff:{staff.username}", "staff.totp_enrol",
                         f"staff:{staff.username}", ip=ip)
    await ctx.redis.delete(keys.staff_totp_pending(staff.id))
