"""The fast path of a start: a participant's first attempt in a round, on PostgreSQL.

At a round's opening nearly every start is a first one. It is decided and written in two
statements (contest.storage.start_writes) with the draw done in memory from the worker's bank
cache; a retried start (a reload, a double tap) finds the running attempt in the same read
and returns it with one more. Whatever the fast path cannot settle alone returns None and
goes to the general path (contest.attempts.attempts), which re-reads everything: a second
attempt, a concurrent start, a running attempt past its time, a qualification refusal (its
reason needs more reads), a cold bank cache, SQLite.
"""

from __future__ import annotations

from datetime import datetime

from contest.attempts.views import (
    PaperView,
    StartNote,
    check_attempts_left,
    check_open_and_age,
    expired,
    new_attempt,
    paper_rows,
    remember,
    view_of,
)
from contest.core.context import Services
from contest.errors import NotFound
from contest.setup.papers import draw_from, render_paper
from contest.storage.start_writes import FirstAttempt, PostgresStarter
from contest.storage.tables import Attempt, Round


async def first_start(
    ctx: Services, participant_id: str, round_id: int, note: StartNote
) -> tuple[PaperView, bool] | None:
    """Start the participant's first attempt in the round, or return their running one
    (created flag); None: take the general path.

    Raises NotFound, RoundNotOpen, NotEligible, AttemptsExhausted, DrawError,
    ServiceUnavailable.
    """
    if ctx.starter is None:
        return None
    now = ctx.now()
    facts = await ctx.starter.read(round_id, participant_id)
    if facts is None or facts.birth_date is None:
        raise NotFound()
    r = facts.round
    if facts.running is not None:
        return await _resume(ctx, ctx.starter, facts.running, r, now)
    if facts.attempted:
        return None
    check_open_and_age(r, now, facts.min_age, facts.birth_date)
    if r.qualify is not None and not facts.qualified:
        return None
    check_attempts_left(r, 0)
    questions = ctx.bank_cache.get((r.bank_version_id, r.question_set))
    texts = ctx.text_cache.get(r.bank_version_id)
    if questions is None or texts is None:
        return None  # the general path reads the bank once for this worker
    rows = paper_rows(draw_from(questions, r, participant_id, 1))
    att = new_attempt(r, participant_id, 1, now, note)
    if not await ctx.starter.insert(FirstAttempt(
            att.id, round_id, participant_id, now, att.deadline, att.user_agent, rows,
            note.ip, note.device)):
        return None  # a concurrent start of the same participant won
    remember(ctx, att, r, rows, texts)
    return PaperView(att, r, render_paper(rows, texts), {}), True


async def _resume(ctx: Services, starter: PostgresStarter, att: Attempt, r: Round,
                  now: datetime) -> tuple[PaperView, bool] | None:
    """The running attempt as its participant left it (one more read); None when it is past
    its time (the general path submits it first) or the bank's texts are not cached.

    Raises ServiceUnavailable."""
    texts = ctx.text_cache.get(r.bank_version_id)
    if expired(att, r, now) or texts is None:
        return None
    return view_of(ctx, att, r, await starter.paper(att.id), texts), False
