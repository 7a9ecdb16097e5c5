"""Participant sessions that can end: a version per participant, bumped at logout and at a
password reset; a signed cookie carrying an older version is refused.

The version lives in SQL (participants.session_version) with a copy in Redis that every
request checks in the round trip it already makes (the throttle script) or in one GET;
when Redis has lost the copy it is read back from SQL and set again.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlmodel import col

from contest.core.context import Services
from contest.errors import NotLoggedIn
from contest.storage import keys
from contest.storage.db import transaction
from contest.storage.tables import Participant

COPY_TTL_S = 40 * 24 * 3600  # outlives any session cookie; refilled from SQL when gone


async def _from_sql(ctx: Services, participant_id: str) -> int:
    """The version in SQL, copied into Redis; raises NotLoggedIn for an unknown participant."""
    async with ctx.sm() as s:
        version = await s.scalar(select(col(Participant.session_version))
                                 .where(col(Participant.id) == participant_id))
    if version is None:
        raise NotLoggedIn()
    await ctx.redis.set(keys.session_version(participant_id), int(version), ex=COPY_TTL_S)
    return int(version)


async def accept(ctx: Services, participant_id: str, cookie_version: int,
                 stored: int) -> None:
    """Judge a session given the version Redis returned (-1: none); raises NotLoggedIn."""
    if stored < 0:
        stored = await _from_sql(ctx, participant_id)
    if cookie_version < stored:
        raise NotLoggedIn()


async def check(ctx: Services, participant_id: str, cookie_version: int) -> None:
    """One GET: raises NotLoggedIn when the session has ended."""
    raw = await ctx.redis.get(keys.session_version(participant_id))
    await accept(ctx, participant_id, cookie_version, -1 if raw is None else int(raw))


async def remember(ctx: Services, participant_id: str, version: int) -> None:
    """Put the current version in Redis at login, so the first requests need no SQL."""
    await ctx.redis.set(keys.session_version(participant_id), version, ex=COPY_TTL_S)


async def end_all(ctx: Services, participant_id: str) -> None:
    """End every session of a participant (logout): bump the version in SQL, then Redis."""
    async with transaction(ctx.sm) as s:
        await s.execute(update(Participant).where(col(Participant.id) == participant_id)
                        .values(session_version=col(Participant.session_version) + 1))
    await ctx.redis.delete(keys.session_version(participant_id))  # refilled from SQL
