"""Reminders for participants who opted in: a round opens, closes in 24 h, results are out.

Idempotent: each reminder's dedupe key is per participant, round and kind, so any number of
workers may run a pass at once; a finished pass is recorded so it is not scanned again.
"""

from __future__ import annotations

from sqlalchemy import and_, exists, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select

from contest.core.context import Services
from contest.domain.notify import RESULTS_WINDOW, due_reminders, reminder_key
from contest.domain.vocabulary import RoundKind
from contest.notify.outbox import NewMessage, enqueue
from contest.notify.recipients import reach
from contest.storage.db import transaction
from contest.storage.notify_tables import ReminderRun
from contest.storage.tables import Attempt, Contest, Participant, Round, RoundEntry

BATCH = 500


async def schedule(ctx: Services) -> int:
    """Enqueue every reminder due now; how many messages were new."""
    now = ctx.now()
    async with ctx.sm() as s:
        rows = (await s.execute(
            select(Round, Contest.title)
            .join(Contest, col(Contest.id) == col(Round.contest_id))
            .where(col(Round.kind) != RoundKind.PRACTICE, col(Round.opens_at) <= now,
                   or_(col(Round.closes_at) > now,
                       col(Round.finalised_at) > now - RESULTS_WINDOW)))).all()
        done = {(r, k) for r, k in (await s.execute(
            select(col(ReminderRun.round_id), col(ReminderRun.kind)))).all()}
    total = 0
    for rnd, title in rows:
        assert rnd.id is not None
        for kind in due_reminders(rnd.opens_at, rnd.closes_at, rnd.finalised_at, now):
            if (rnd.id, kind) not in done:
                total += await _pass(ctx, rnd, title, kind)
    return total


async def _pass(ctx: Services, rnd: Round, title: str, kind: str) -> int:
    """Enqueue one kind of reminder of one round for every opted-in participant."""
    assert rnd.id is not None
    tz = ctx.settings.tz
    params = {"contest": title, "round": rnd.title,
              "opens": rnd.opens_at.astimezone(tz).strftime("%H:%M %d/%m/%Y"),
              "closes": rnd.closes_at.astimezone(tz).strftime("%H:%M %d/%m/%Y")}
    query = select(Participant).where(col(Participant.contest_id) == rnd.contest_id,
                                      col(Participant.reminders),
                                      col(Participant.purged_at).is_(None))
    if kind == "round_closing":  # only people who have not taken the round yet
        query = query.where(~exists().where(and_(col(Attempt.participant_id) == Participant.id,
                                                 col(Attempt.round_id) == rnd.id)))
    elif kind == "results":  # only people who took part
        query = query.where(exists().where(and_(col(RoundEntry.participant_id) ==
                                                Participant.id,
                                                col(RoundEntry.round_id) == rnd.id)))
    total, after = 0, ""
    while True:
        async with ctx.sm() as s:
            batch = (await s.scalars(query.where(col(Participant.id) > after)
                                     .order_by(col(Participant.id)).limit(BATCH))).all()
        if not batch:
            break
        after = batch[-1].id
        messages = []
        for p in batch:
            found = reach(ctx.settings, p, prefer_email=True)
            if found is not None:
                messages.append(NewMessage(found[0], found[1], kind, params,
                                           reminder_key(kind, rnd.id, p.id), p.id, p.unit_code))
        async with transaction(ctx.sm) as s:
            total += await enqueue(s, ctx, messages)
    async with transaction(ctx.sm) as s:
        dialect = s.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = ReminderRun.__table__  # type: ignore[attr-defined]
        await s.execute(insert(table).values(round_id=rnd.id, kind=kind, done_at=ctx.now())
                        .on_conflict_do_nothing())
    return total
