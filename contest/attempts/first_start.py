"""The fast path of a start: a participant's first attempt in a round, on PostgreSQL.

At a round's opening nearly every start is a first one. Once a worker has read the round,
a first start is one statement (contest.storage.start_writes; the first starts that arrive
while one is in flight share the next): the paper is drawn in memory from the worker's bank
cache and inserted with the attempt and its note under a guard that
the round is unchanged and the participant may start; when the guard finds a running
attempt (a retried start: a reload, a double tap), the same statement returns it and one
more read brings its paper and answers. The first start of a round in a worker, and one the
guard refused, read the facts first and decide as the general path would. Whatever the fast
path cannot settle alone returns None and goes to the general path
(contest.attempts.attempts), which re-reads everything: a second attempt, a concurrent
start, a running attempt past its time, a qualification refusal (its reason needs more
reads), a cold bank cache, SQLite.
"""

from __future__ import annotations

from datetime import datetime

from contest.attempts.views import (
    PaperView,
    StartNote,
    check_attempts_left,
    check_open_and_age,
    expired,
    has_attempts_left,
    is_open,
    new_attempt,
    paper_rows,
    remember,
    view_of,
)
from contest.core.context import Services
from contest.domain.people import age_cutoff
from contest.errors import NotFound
from contest.setup.papers import draw_from, render_paper
from contest.storage.start_writes import FirstAttempt, PostgresStarter, RoundFacts
from contest.storage.tables import Attempt, Round


async def first_start(
    ctx: Services, participant_id: str, round_id: int, note: StartNote
) -> tuple[PaperView, bool] | None:
    """Start the participant's first attempt in the round, or return their running one
    (created flag); None: take the general path.

    Raises NotFound, RoundNotOpen, NotEligible, AttemptsExhausted, DrawError,
    ServiceUnavailable.
    """
    starter = ctx.starter
    if starter is None:
        return None
    now = ctx.now()
    known = starter.known(round_id)
    if known is not None and _admits(known.round, now):
        # one statement: the guard re-checks in SQL what the worker's copy of the round says
        done = await _insert(ctx, starter, known, participant_id, now, note)
        if done is not None:
            return done
    facts = await starter.read(round_id, participant_id)
    if facts is None or facts.birth_date is None:
        raise NotFound()
    r = facts.facts.round
    if facts.running is not None:
        return await _resume(ctx, starter, facts.running, r, now)
    if facts.attempted:
        return None
    check_open_and_age(r, now, facts.facts.min_age, facts.birth_date)
    if r.qualify is not None and not facts.qualified:
        return None
    check_attempts_left(r, 0)
    # None when a concurrent start won or the round changed since the read: re-read it all
    return await _insert(ctx, starter, facts.facts, participant_id, now, note)


def _admits(r: Round, now: datetime) -> bool:
    """True when the worker's copy of the round lets a first attempt start now (otherwise
    the read decides, and says why not)."""
    return is_open(r, now) and has_attempts_left(r, 0)


async def _insert(ctx: Services, starter: PostgresStarter, known: RoundFacts,
                  participant_id: str, now: datetime, note: StartNote
                  ) -> tuple[PaperView, bool] | None:
    """Draw and insert the first attempt under the guard of the round as known; the view,
    the running attempt's view when the guard found one, or None (not inserted, or the bank
    is not cached yet).

    Raises DrawError, ServiceUnavailable."""
    r = known.round
    assert r.id is not None
    questions = ctx.bank_cache.get((r.bank_version_id, r.question_set))
    texts = ctx.text_cache.get(r.bank_version_id)
    if questions is None or texts is None:
        return None  # the general path reads the bank once for this worker
    rows = paper_rows(draw_from(questions, r, participant_id, 1))
    att = new_attempt(r, participant_id, 1, now, note)
    done = await starter.insert(FirstAttempt(
        att.id, r.id, participant_id, now, att.deadline, att.user_agent, rows, note.ip,
        note.device, known, age_cutoff(now.date(), known.min_age) if known.min_age else None,
        r.qualify is not None))
    if done.inserted:
        remember(ctx, att, r, rows, texts)
        return PaperView(att, r, render_paper(rows, texts), {}), True
    if done.running is not None and done.fresh:
        return await _resume(ctx, starter, done.running, r, now)
    return None


async def _resume(ctx: Services, starter: PostgresStarter, att: Attempt, r: Round,
                  now: datetime) -> tuple[PaperView, bool] | None:
    """The running attempt as its participant left it (one more read); None when it is past
    its time (the general path submits it first) or the bank's texts are not cached.

    Raises ServiceUnavailable."""
    texts = ctx.text_cache.get(r.bank_version_id)
    if expired(att, r, now) or texts is None:
        return None
    return view_of(ctx, att, r, await starter.paper(att.id), texts), False
