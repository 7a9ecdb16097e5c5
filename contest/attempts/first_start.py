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
    remember,
)
from contest.core.context import Services
from contest.domain import policy
from contest.domain.vocabulary import AttemptStatus
from contest.errors import NotFound
from contest.people.accounts import new_id
from contest.setup.papers import draw_from, render_paper
from contest.storage.start_writes import FirstAttempt
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
        return await _resume(ctx, facts.running, r, now)
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
    paper = draw_from(questions, r, participant_id, 1)
    rows = [(pq.question_id, pq.public_id, [(o.option_id, o.public_id) for o in pq.options])
            for pq in paper]
    att = Attempt(
        id=new_id(), round_id=round_id, participant_id=participant_id, number=1,
        status=AttemptStatus.RUNNING, started_at=now,
        deadline=policy.deadline(now, r.time_limit_s, r.closes_at),
        user_agent=(note.user_agent or "")[:255] or None)
    if not await ctx.starter.insert(FirstAttempt(
            att.id, round_id, participant_id, now, att.deadline, att.user_agent, rows,
            note.ip, note.device)):
        return None  # a concurrent start of the same participant won
    remember(ctx, att, r, rows, texts)
    return PaperView(att, r, render_paper(rows, texts), {}), True


async def _resume(ctx: Services, att: Attempt, r: Round, now: datetime
                  ) -> tuple[PaperView, bool] | None:
    """The running attempt as its participant left it (one more read); None when it is past
    its time (the general path submits it first) or the bank's texts are not cached.

    Raises ServiceUnavailable."""
    texts = ctx.text_cache.get(r.bank_version_id)
    if expired(att, r, now) or texts is None or ctx.starter is None:
        return None
    rows = await ctx.starter.paper(att.id)
    paper = [(qid, pub, options) for qid, pub, options, _ in rows]
    remember(ctx, att, r, paper, texts)
    answers = {pub: list(chosen) for _, pub, _, chosen in rows if chosen is not None}
    return PaperView(att, r, render_paper(paper, texts), answers), False
