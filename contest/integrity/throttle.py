"""Throttles: per participant on starts, saves and submits; per phone on login failures;
per IP only a generous ceiling on registrations and logins. Limits are per contest.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields, replace
from typing import Any

from sqlmodel import select

from contest.core import sessions
from contest.core.context import Services, log
from contest.domain import people
from contest.domain.rates import Rate, parse_rate
from contest.errors import BadCredentials, LoginLocked, NotFound, RateLimited
from contest.storage import keys
from contest.storage.integrity_tables import ContestLimits
from contest.storage.limiter import Limiter
from contest.storage.tables import Contest, Participant, Round

_LIMITS_TTL_S = 30.0  # how long a worker trusts its copy of a contest's limits
_CACHE_MAX = 50_000  # participant -> contest entries kept per worker
_LOGIN_MEMORY_MS = 24 * 3600 * 1000  # consecutive failures are remembered for a day
_EVENTS = Rate(60, 60)  # client-reported page events per participant


@dataclass(frozen=True)
class Limits:
    """The throttle and gate settings in force for one contest."""

    start: Rate
    answer: Rate
    submit: Rate
    ip_register: Rate
    ip_login: Rate
    event: Rate = _EVENTS
    login_free_failures: int = 5
    login_lock_s: int = 30
    login_lock_max_s: int = 900
    pow_threshold_per_min: int = 120
    pow_bits: int = 16

    def override(self, values: dict[str, Any]) -> Limits:
        """These limits with a contest's overrides applied; raises ValueError if malformed."""
        changes: dict[str, Any] = {}
        for f in fields(self):
            if f.name in values:
                raw = values[f.name]
                changes[f.name] = parse_rate(str(raw)) if isinstance(getattr(self, f.name), Rate) \
                    else int(raw)
        unknown = set(values) - {f.name for f in fields(self)}
        if unknown:
            raise ValueError(f"unknown limits: {', '.join(sorted(unknown))}")
        return replace(self, **changes)


def default_limits(ctx: Services) -> Limits:
    """The limits from Settings (every contest's defaults)."""
    st = ctx.settings
    return Limits(start=parse_rate(st.limit_start), answer=parse_rate(st.limit_answer),
                  submit=parse_rate(st.limit_submit), ip_register=parse_rate(st.limit_ip_register),
                  ip_login=parse_rate(st.limit_ip_login),
                  login_free_failures=st.login_free_failures, login_lock_s=st.login_lock_s,
                  login_lock_max_s=st.login_lock_max_s,
                  pow_threshold_per_min=st.pow_threshold_per_min, pow_bits=st.pow_bits)


class _State:
    """Per-worker throttle state hung on the Services object: the script handle and caches."""

    def __init__(self, ctx: Services) -> None:
        self.limiter = Limiter(ctx.redis)
        self.defaults = default_limits(ctx)
        self.limits: dict[int, tuple[float, Limits]] = {}
        self.contest_of: OrderedDict[str, int] = OrderedDict()  # participant -> contest (fixed)
        self.slugs: dict[str, tuple[float, int]] = {}
        self.round_contest: dict[int, int] = {}  # round -> contest (fixed)


def _state(ctx: Services) -> _State:
    st: _State | None = getattr(ctx, "_throttle_state", None)
    if st is None or st.limiter.redis is not ctx.redis:
        st = _State(ctx)
        setattr(ctx, "_throttle_state", st)  # noqa: B010 - Services is the lead's dataclass
    return st


def limiter(ctx: Services) -> Limiter:
    """This worker's Limiter over the shared Redis."""
    return _state(ctx).limiter


def now_ms(ctx: Services) -> int:
    """The server clock in epoch milliseconds."""
    return int(ctx.now().timestamp() * 1000)


async def limits_for(ctx: Services, contest_id: int) -> Limits:
    """The limits of a contest (defaults with its overrides), cached for a few seconds."""
    st = _state(ctx)
    hit = st.limits.get(contest_id)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    async with ctx.sm() as s:
        row = await s.get(ContestLimits, contest_id)
    limits = st.defaults
    if row and row.values:
        try:
            limits = st.defaults.override(row.values)
        except ValueError:  # a bad override must not take the contest down: keep defaults
            log.exception("contest %s has malformed limits; using defaults", contest_id)
    st.limits[contest_id] = (time.monotonic() + _LIMITS_TTL_S, limits)
    return limits


async def set_limits(ctx: Services, contest_id: int, values: dict[str, Any]) -> Limits:
    """Store a contest's overrides (validated); raises ValueError for unknown or bad values."""
    from contest.storage.db import transaction

    limits = default_limits(ctx).override(values)
    async with transaction(ctx.sm) as s:
        row = await s.get(ContestLimits, contest_id)
        if row is None:
            s.add(ContestLimits(contest_id=contest_id, values=dict(values)))
        else:
            row.values = dict(values)
    _state(ctx).limits.pop(contest_id, None)
    return limits


async def contest_of_participant(ctx: Services, participant_id: str) -> int:
    """The contest a participant belongs to (never changes, so cached); raises NotFound."""
    st = _state(ctx)
    cid = st.contest_of.get(participant_id)
    if cid is not None:
        st.contest_of.move_to_end(participant_id)
        return cid
    async with ctx.sm() as s:
        cid = await s.scalar(select(Participant.contest_id).where(Participant.id == participant_id))
    if cid is None:
        raise NotFound()
    st.contest_of[participant_id] = cid
    if len(st.contest_of) > _CACHE_MAX:
        st.contest_of.popitem(last=False)
    return cid


async def contest_of_round(ctx: Services, round_id: int) -> int:
    """The contest a round belongs to (never changes, so cached); raises NotFound."""
    st = _state(ctx)
    cid = st.round_contest.get(round_id)
    if cid is not None:
        return cid
    async with ctx.sm() as s:
        cid = await s.scalar(select(Round.contest_id).where(Round.id == round_id))
    if cid is None:
        raise NotFound()
    st.round_contest[round_id] = cid
    return cid


async def contest_of_slug(ctx: Services, slug: str) -> int:
    """The id of a visible contest by slug, cached briefly; raises NotFound."""
    st = _state(ctx)
    hit = st.slugs.get(slug)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    async with ctx.sm() as s:
        found = await s.scalar(select(Contest.id).where(Contest.slug == slug, Contest.visible))
    if found is None:
        raise NotFound()
    st.slugs[slug] = (time.monotonic() + _LIMITS_TTL_S, int(found))
    return int(found)


def _refuse(wait_ms: int) -> RateLimited:
    return RateLimited(retry_after=max(1, math.ceil(wait_ms / 1000)))


async def participant(ctx: Services, participant_id: str, action: str,
                      session_version: int | None = None) -> None:
    """Count one participant request (start, answer, submit, event); raises RateLimited,
    NotLoggedIn (an ended session, when session_version is given)."""
    await participant_in(ctx, await contest_of_participant(ctx, participant_id), participant_id,
                         action, session_version=session_version)


async def participant_in(ctx: Services, contest_id: int, participant_id: str, action: str,
                         quantity: int = 1, session_version: int | None = None) -> None:
    """Count `quantity` requests of a participant of a known contest (one Redis round trip
    when the contest's limits are cached); with session_version, check in the same round
    trip that the session has not ended. Raises RateLimited, NotLoggedIn."""
    limits = await limits_for(ctx, contest_id)
    rate: Rate = getattr(limits, action)
    lim = _state(ctx).limiter
    if session_version is None:
        wait = await lim.hit(action, participant_id, rate, now_ms(ctx), quantity)
    else:
        wait, stored = await lim.hit_in_session(action, participant_id, rate, now_ms(ctx),
                                                quantity, keys.session_version(participant_id))
        await sessions.accept(ctx, participant_id, session_version, stored)
    if wait:
        raise _refuse(wait)


async def ip_ceiling(ctx: Services, contest_id: int, ip: str | None, action: str) -> Limits:
    """Count one request of an IP against its generous ceiling (ip_register, ip_login).

    Returns the contest's limits; raises RateLimited.
    """
    limits = await limits_for(ctx, contest_id)
    if ip:
        wait = await _state(ctx).limiter.hit(action, f"{contest_id}:{ip}", getattr(limits, action),
                                             now_ms(ctx))
        if wait:
            raise _refuse(wait)
    return limits


@asynccontextmanager
async def login_attempt(ctx: Services, slug: str, phone_raw: str, ip: str | None
                        ) -> AsyncIterator[None]:
    """Guard a login: reserve the try on the IP ceiling and on the phone BEFORE the password
    is verified (so parallel guesses cannot all pass the check), forget the phone's failures
    after a success, give the try back when it was never judged (server busy, storage down).

    Raises RateLimited (IP), LoginLocked (phone), NotFound (contest).
    """
    contest_id = await contest_of_slug(ctx, slug)
    limits = await ip_ceiling(ctx, contest_id, ip, "ip_login")
    phone = people.normalise_phone(phone_raw) or phone_raw[:32]
    lim = _state(ctx).limiter
    locked = await lim.reserve_login(contest_id, phone, now_ms(ctx), limits.login_free_failures,
                                     limits.login_lock_s * 1000, limits.login_lock_max_s * 1000,
                                     _LOGIN_MEMORY_MS)
    if locked:
        raise LoginLocked(retry_after=max(1, math.ceil(locked / 1000)))
    try:
        yield
    except BadCredentials:
        raise  # the reserved try stays counted as a failure
    except Exception:
        await lim.release_login(contest_id, phone, limits.login_free_failures)
        raise
    await lim.login_succeeded(contest_id, phone)
