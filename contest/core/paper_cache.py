"""A per-worker cache of running attempts' papers, so an answer save needs no read.

A paper never changes after the start (the draw is persisted), nor does its owner, round,
contest or deadline: the cache holds exactly what a save validates against. It is bounded
(least recently used out) and filled from SQL on a miss, so any worker can serve any save.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select
from sqlmodel import col

from contest.storage.tables import Attempt, AttemptQuestion, Question, Round

if TYPE_CHECKING:  # the context holds this cache; it is only named here
    from contest.core.context import Services


@dataclass(frozen=True)
class CachedQuestion:
    """What a save checks of one question: single or multiple, and the options offered."""

    multiple: bool
    offered: frozenset[str]


@dataclass(frozen=True)
class CachedPaper:
    """An attempt's immutable facts and its paper, by public question id."""

    participant_id: str
    contest_id: int
    round_id: int
    deadline: datetime
    grace_s: int
    questions: dict[str, CachedQuestion]

    def earliest_deadline(self, now: datetime) -> datetime:
        """The deadline an attempt must have to accept an answer at `now` (grace included)."""
        return now - timedelta(seconds=self.grace_s)


class PaperCache:
    """A bounded LRU map attempt id -> CachedPaper."""

    def __init__(self, size: int = 50_000) -> None:
        self.size = size
        self._items: OrderedDict[str, CachedPaper] = OrderedDict()

    def get(self, attempt_id: str) -> CachedPaper | None:
        """The cached paper, marked as recently used; None on a miss."""
        hit = self._items.get(attempt_id)
        if hit is not None:
            self._items.move_to_end(attempt_id)
        return hit

    def put(self, attempt_id: str, paper: CachedPaper) -> None:
        """Remember a paper, evicting the least recently used past the bound."""
        self._items[attempt_id] = paper
        self._items.move_to_end(attempt_id)
        if len(self._items) > self.size:
            self._items.popitem(last=False)

    def drop(self, attempt_id: str) -> None:
        """Forget an attempt (it was submitted)."""
        self._items.pop(attempt_id, None)


def cached_paper(participant_id: str, contest_id: int, round_id: int, deadline: datetime,
                 grace_s: int, rows: Iterable[tuple[str, str, Sequence[Sequence[Any]]]]
                 ) -> CachedPaper:
    """A CachedPaper from (public id, kind, [[option id, public option id], ...]) rows."""
    return CachedPaper(participant_id, contest_id, round_id, deadline, grace_s, {
        pub: CachedQuestion(kind == "multiple", frozenset(str(o[1]) for o in options))
        for pub, kind, options in rows
    })


# Built once with a bound parameter: building the statement cost more CPU than running it,
# and a worker that did not serve an attempt's start meets this path once per attempt.
_PAPER_READ = (
    select(col(Attempt.participant_id), col(Round.contest_id), col(Attempt.round_id),
           col(Attempt.deadline), col(Round.grace_s), col(AttemptQuestion.public_id),
           col(Question.kind), col(AttemptQuestion.options))
    .join(Round, col(Round.id) == Attempt.round_id)
    .join(AttemptQuestion, col(AttemptQuestion.attempt_id) == Attempt.id)
    .join(Question, col(Question.id) == AttemptQuestion.question_id)
    .where(col(Attempt.id) == bindparam("aid"))
)


async def paper_of(ctx: Services, attempt_id: str) -> CachedPaper | None:
    """The attempt's cached paper, read from SQL (one statement) on a miss; None if unknown."""
    hit = ctx.papers.get(attempt_id)
    if hit is not None:
        return hit
    async with ctx.sm() as s:
        rows = (await s.execute(_PAPER_READ, {"aid": attempt_id})).all()
    if not rows:
        return None
    pid, contest_id, round_id, deadline, grace_s = rows[0][:5]
    paper = cached_paper(pid, contest_id, round_id, deadline, grace_s,
                         [(pub, kind, options) for *_, pub, kind, options in rows])
    ctx.papers.put(attempt_id, paper)
    return paper
