"""Freezing the public board before the close (staff keep the live one) and revealing it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col

from contest.core.context import Services
from contest.errors import ValidationFailed
from contest.live.entries import ranked_round
from contest.storage import keys
from contest.storage.tables import Round


async def freeze(ctx: Services, round_id: int, at: datetime) -> Round:
    """Freeze the round's public board from `at` until reveal; raises NotFound, ValidationFailed."""
    r = await ranked_round(ctx, round_id)
    if at.tzinfo is None or at >= r.closes_at:
        raise ValidationFailed(fields={"at": "field.freeze_at"})
    async with ctx.sm() as s, s.begin():
        await s.execute(update(Round).where(col(Round.id) == round_id)
                        .values(board_frozen_at=at))
    await ctx.boards.drop_view(round_id, keys.FROZEN)
    await ctx.boards.bump(round_id)
    return await ranked_round(ctx, round_id)


async def freeze_before_close(ctx: Services, round_id: int, hours: float) -> Round:
    """Freeze the public board hours before the close; raises NotFound, ValidationFailed."""
    if hours <= 0:
        raise ValidationFailed(fields={"hours_before_close": "field.hours_before_close"})
    r = await ranked_round(ctx, round_id)
    return await freeze(ctx, round_id, r.closes_at - timedelta(hours=hours))


async def reveal(ctx: Services, round_id: int) -> Round:
    """Show the live board to the public again; raises NotFound."""
    await ranked_round(ctx, round_id)
    async with ctx.sm() as s, s.begin():
        await s.execute(update(Round).where(col(Round.id) == round_id)
                        .values(board_frozen_at=None))
    await ctx.boards.drop_view(round_id, keys.FROZEN)
    await ctx.boards.bump(round_id)
    return await ranked_round(ctx, round_id)
