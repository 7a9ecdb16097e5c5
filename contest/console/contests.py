"""Console operations on published contests: copy a round to a new date, download the
contest file (the wizard's drafts are in console/wizard.py)."""

from __future__ import annotations

import secrets

from sqlmodel import col, select

from contest.core import audit_log
from contest.core.context import Services
from contest.domain.phrase import Phrase
from contest.domain.series import shift
from contest.errors import ConfigInvalid, NotFound
from contest.setup import round_settings
from contest.storage.db import transaction
from contest.storage.tables import Contest, Round

_ROUND_COPY = ("kind", "bank_version_id", "questions_per_attempt", "quotas", "time_limit_s",
               "grace_s", "max_attempts", "counting", "partial_credit", "prediction_prompt",
               "prediction_kind", "prizes", "tie_breaks")


async def clone_round(ctx: Services, contest_id: int, round_id: int, days: int, title: str,
                      actor: str, ip: str | None = None) -> Round:
    """A new round of the same contest copying a round, its window shifted by `days` (next
    week's round), with a fresh secret; raises NotFound, ConfigInvalid."""
    if not -3660 <= days <= 3660:
        raise ConfigInvalid(detail=Phrase("detail.clone.days_range"))
    async with transaction(ctx.sm) as s:
        src = await s.get(Round, round_id)
        if src is None or src.contest_id != contest_id:
            raise NotFound()
        taken = set((await s.scalars(select(Round.title)
                                     .where(col(Round.contest_id) == contest_id))).all())
        name = title.strip() or f"{src.title} (bản sao)"
        if name in taken:
            raise ConfigInvalid(detail=Phrase("detail.clone.title_taken", name=name))
        values = {k: getattr(src, k) for k in _ROUND_COPY}
        r = Round(contest_id=contest_id, title=name, secret=secrets.token_bytes(32),
                  opens_at=shift(src.opens_at.astimezone(ctx.settings.tz), days),
                  closes_at=shift(src.closes_at.astimezone(ctx.settings.tz), days), **values)
        s.add(r)
        await s.flush()
        await round_settings.store_nulls(s, r, values)
        audit_log.record(s, ctx.now(), actor, "round.clone", f"round:{r.id}", ip=ip,
                         source=round_id, days=days)
    return r


async def contest_file(ctx: Services, contest_id: int) -> tuple[str, str]:
    """(slug, contest file) of a published contest; raises NotFound."""
    from contest.setup.contest_as_code import dump

    async with ctx.sm() as s:
        c = await s.get(Contest, contest_id)
    if c is None:
        raise NotFound()
    return c.slug, await dump(ctx, c.slug)
