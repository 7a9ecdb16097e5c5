"""A participant's first start in a round on PostgreSQL, straight through asyncpg.

The round-open herd is thousands of first starts a minute. Through the ORM a start cost
several milliseconds of CPU, most of it SQLAlchemy's per-statement machinery; here it is one
statement on asyncpg once the worker knows the round, shared by the first starts that arrive
while the previous one is in flight (group commit, contest.storage.group_commit): an insert
of each attempt, its paper and its integrity note (data-modifying CTEs: one implicit
transaction, committed when it returns) guarded by everything the start decides on (the
round row unchanged since this worker read it, the contest's age limit, the participant, the
qualification list, no attempt yet), which also returns the participant's running attempt
when it inserted nothing. The first start of a round in a worker, and a start the guard
refused, first read those facts (one more statement). Everything else (later attempts,
races, refusals that need more reads) stays on the general path in contest.attempts.attempts;
SQLite, the embedded default, always takes that path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import JSON
from sqlalchemy.ext.asyncio import AsyncEngine

from contest.storage.group_commit import GroupCommit
from contest.storage.pg_direct import DirectPool
from contest.storage.tables import Attempt, Round

_ROUND_COLUMNS = [c.name for c in Round.__table__.columns]  # type: ignore[attr-defined]
_JSON_COLUMNS = frozenset(c.name for c in Round.__table__.columns  # type: ignore[attr-defined]
                          if isinstance(c.type, JSON))
_ATTEMPT_COLUMNS = [c.name for c in Attempt.__table__.columns]  # type: ignore[attr-defined]

# The participant's running attempt comes along (a retried start, a reload of the start page,
# a double tap during the herd): then the start is a resume, one more read.
_READ = f"""
SELECT {", ".join(f"r.{c}" for c in _ROUND_COLUMNS)},
       c.min_age, p.birth_date,
       EXISTS (SELECT 1 FROM round_qualifiers q
               WHERE q.round_id = r.id AND q.participant_id = $2) AS qualified,
       EXISTS (SELECT 1 FROM attempts a
               WHERE a.participant_id = $2 AND a.round_id = r.id) AS attempted,
       md5(r::text) AS fingerprint,
       {", ".join(f"ra.{c}" for c in _ATTEMPT_COLUMNS)}
FROM rounds r
JOIN contests c ON c.id = r.contest_id
LEFT JOIN participants p ON p.id = $2 AND p.contest_id = r.contest_id
LEFT JOIN LATERAL (SELECT * FROM attempts a
                   WHERE a.participant_id = $2 AND a.round_id = r.id
                     AND a.status = 'running' LIMIT 1) ra ON true
WHERE r.id = $1
"""

# A running attempt's paper with its saved answers, in paper order.
_PAPER = """
SELECT aq.question_id, aq.public_id, aq.options::text, an.option_ids::text
FROM attempt_questions aq
LEFT JOIN answers an ON an.attempt_id = aq.attempt_id AND an.question_public_id = aq.public_id
WHERE aq.attempt_id = $1
ORDER BY aq.position
"""

# The first starts of a group commit (contest.storage.group_commit) in one statement: per
# start, the attempt, its paper (one multi-row insert for all papers) and its integrity note
# (data-modifying CTEs: one implicit transaction, committed when it returns). A start is
# inserted only if its round row is the one this worker read (`fp`: md5 of its text, so its
# hours, draw rules and secret are what the draw and the deadline used), the contest's age
# limit is unchanged, the participant is registered in the contest and old enough (`born_by`:
# the latest birth date allowed), on the qualification list when the round has one (`qual`)
# and has no attempt in the round. A concurrent first start of the same participant (in
# another statement or in this one) loses on the unique (participant, round, number) and
# inserts nothing. The statement then reports, per start, whether it inserted, whether the
# round row is still the one given, and the participant's running attempt as it was before.
_INSERT = f"""
WITH s AS (
  SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::timestamptz[],
                       $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[],
                       $10::integer[], $11::date[], $12::boolean[])
         AS s(aid, rid, pid, at, deadline, ua, ip, device, fp, min_age, born_by, qual)
), ok AS (
  SELECT s.* FROM s
  JOIN rounds r ON r.id = s.rid
  JOIN contests c ON c.id = r.contest_id
  JOIN participants p ON p.id = s.pid AND p.contest_id = r.contest_id
  WHERE md5(r::text) = s.fp AND c.min_age IS NOT DISTINCT FROM s.min_age
    AND (s.born_by IS NULL OR p.birth_date <= s.born_by)
    AND (NOT s.qual OR EXISTS (SELECT 1 FROM round_qualifiers q
                               WHERE q.round_id = s.rid AND q.participant_id = s.pid))
    AND NOT EXISTS (SELECT 1 FROM attempts x WHERE x.participant_id = s.pid
                                               AND x.round_id = s.rid)
), a AS (
  INSERT INTO attempts (id, round_id, participant_id, number, status, started_at, deadline,
                        auto_submitted, user_agent)
  SELECT aid, rid, pid, 1, 'running', at, deadline, false, ua FROM ok
  ON CONFLICT DO NOTHING
  RETURNING id
), q AS (
  INSERT INTO attempt_questions (attempt_id, position, question_id, public_id, options)
  SELECT p.aid, p.position, p.question_id, p.public_id, CAST(p.options AS json)
  FROM unnest($13::text[], $14::integer[], $15::integer[], $16::text[], $17::text[])
       AS p(aid, position, question_id, public_id, options)
  JOIN a ON a.id = p.aid
), g AS (
  INSERT INTO attempt_signals (attempt_id, round_id, participant_id, ip, device, user_agent,
                               started_at, hidden_changes)
  SELECT ok.aid, ok.rid, ok.pid, ok.ip, ok.device, ok.ua, ok.at, 0 FROM ok JOIN a ON a.id = ok.aid
  RETURNING attempt_id
)
SELECT s.aid, s.aid IN (SELECT attempt_id FROM g) AS inserted,
       md5(r::text) IS NOT DISTINCT FROM s.fp AS fresh,
       {", ".join(f"ra.{c}" for c in _ATTEMPT_COLUMNS)}
FROM s
LEFT JOIN rounds r ON r.id = s.rid
LEFT JOIN LATERAL (SELECT * FROM attempts x
                   WHERE x.participant_id = s.pid AND x.round_id = s.rid
                     AND x.status = 'running' LIMIT 1) ra ON true
"""


@dataclass(frozen=True)
class RoundFacts:
    """What a worker keeps of a round for its first starts, with the row's fingerprint."""

    round: Round
    min_age: int | None  # the contest's age limit
    fingerprint: str  # md5 of the round row's text: the insert's guard that it is unchanged


@dataclass(frozen=True)
class StartFacts:
    """What a first start decides on, read in one statement."""

    facts: RoundFacts
    birth_date: date | None  # None: the participant is not registered in the round's contest
    qualified: bool
    attempted: bool  # the participant has an attempt in the round already
    running: Attempt | None  # and this one is running


@dataclass(frozen=True)
class Inserted:
    """What the guarded insert did: inserted or not, and if not, the participant's running
    attempt (None: none) and whether the round row was still the one the guard was given."""

    inserted: bool
    running: Attempt | None
    fresh: bool


@dataclass(frozen=True)
class FirstAttempt:
    """A first attempt to insert: its identity, times, paper rows and integrity note."""

    attempt_id: str
    round_id: int
    participant_id: str
    started_at: datetime
    deadline: datetime
    user_agent: str | None
    # (question id, public id, [[option id, public option id], ...]) in paper order
    paper: Sequence[tuple[int, str, Sequence[Sequence[Any]]]]
    ip: str | None
    device: str | None
    # the guard: the round as read, the latest birth date its age limit allows (None: no
    # limit), and whether the round admits only its qualification list
    facts: RoundFacts
    born_by: date | None
    qualification: bool


_ROUNDS_KEPT = 256  # rounds open at once in one deployment: a few per contest


class PostgresStarter:
    """The statements of a first start, on a small asyncpg pool of their own (so that a herd
    of starts never makes answer saves wait for a connection), and the rounds this worker
    has read for them."""

    def __init__(self, url: str, max_size: int = 6) -> None:
        self.pool = DirectPool(url, max_size)
        self._rounds: dict[int, RoundFacts] = {}
        self._group: GroupCommit[FirstAttempt, Inserted] = GroupCommit(self._write)

    def known(self, round_id: int) -> RoundFacts | None:
        """The round as this worker last read it (the insert's guard checks it is current)."""
        return self._rounds.get(round_id)

    async def read(self, round_id: int, participant_id: str) -> StartFacts | None:
        """The round and the participant's standing in it; None for an unknown round.

        Raises ServiceUnavailable."""
        row = await self.pool.run("fetchrow", _READ, round_id, participant_id)
        if row is None:
            return None
        values = {c: row[i] for i, c in enumerate(_ROUND_COLUMNS)}
        for c in _JSON_COLUMNS:
            if values[c] is not None:
                values[c] = orjson.loads(values[c])
        n = len(_ROUND_COLUMNS)
        facts = RoundFacts(Round(**values), row[n], row[n + 4])
        if len(self._rounds) >= _ROUNDS_KEPT:
            self._rounds.clear()
        self._rounds[round_id] = facts
        return StartFacts(facts, row[n + 1], row[n + 2], row[n + 3], _attempt(row[n + 5:]))

    async def paper(self, attempt_id: str
                    ) -> list[tuple[int, str, list[list[Any]], list[str] | None]]:
        """A running attempt's paper rows (question id, public id, [[option id, public option
        id], ...], chosen public option ids or None) in order. Raises ServiceUnavailable."""
        rows = await self.pool.run("fetch", _PAPER, attempt_id)
        return [(r[0], r[1], orjson.loads(r[2]), orjson.loads(r[3]) if r[3] else None)
                for r in rows]

    async def insert(self, first: FirstAttempt) -> Inserted:
        """Insert the attempt with its paper and note if the guard holds, committed on
        return (with the other first starts of its group commit); a concurrent start of the
        same participant that won makes it insert nothing.

        Raises ServiceUnavailable."""
        return await self._group.submit(first)

    async def _write(self, batch: list[FirstAttempt]) -> list[Inserted]:
        """One statement for the batch: what it did for each start, in order (retried once
        on a dropped connection: a start that committed the first time finds its attempt the
        second time and inserts nothing). Raises ServiceUnavailable."""
        starts = [list(c) for c in zip(*(
            (f.attempt_id, f.round_id, f.participant_id, f.started_at, f.deadline, f.user_agent,
             f.ip, f.device, f.facts.fingerprint, f.facts.min_age, f.born_by, f.qualification)
            for f in batch), strict=True)]
        papers = [list(c) for c in zip(*(
            (f.attempt_id, position, qid, pub, orjson.dumps(options).decode())
            for f in batch for position, (qid, pub, options) in enumerate(f.paper)),
            strict=True)] or [[], [], [], [], []]
        # per start: its attempt id, inserted, fresh, the running attempt's columns
        rows = {r[0]: r[1:] for r in await self.pool.run("fetch", _INSERT, *starts, *papers)}
        return [Inserted(row[0], _attempt(row[2:]), bool(row[1]))
                for row in (rows[f.attempt_id] for f in batch)]

    async def close(self) -> None:
        """Finish the queued starts, then close the pool."""
        await self._group.close()
        await self.pool.close()


def _attempt(values: Sequence[Any]) -> Attempt | None:
    """An attempt from its columns in table order (None when the first, its id, is NULL)."""
    return Attempt(**dict(zip(_ATTEMPT_COLUMNS, values, strict=True))) if values[0] else None


def make_starter(engine: AsyncEngine) -> PostgresStarter | None:
    """The first-start statements for PostgreSQL; None on SQLite (the general path)."""
    if engine.dialect.name == "postgresql":
        return PostgresStarter(engine.url.render_as_string(hide_password=False))
    return None
