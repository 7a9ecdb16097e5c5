"""A participant's first start in a round on PostgreSQL, straight through asyncpg.

The round-open herd is thousands of first starts a minute. Through the ORM a start cost
several milliseconds of CPU, most of it SQLAlchemy's per-statement machinery; here it is one
statement on asyncpg once the worker knows the round: an insert of the attempt, its paper and
its integrity note (data-modifying CTEs: one implicit transaction, committed when it returns)
guarded by everything the start decides on (the round row unchanged since this worker read it,
the contest's age limit, the participant, the qualification list, no attempt yet), which also
returns the participant's running attempt when it inserted nothing. The first start of a round
in a worker, and a start the guard refused, first read those facts (one more statement).
Everything else (later attempts, races, refusals that need more reads) stays on the general
path in contest.attempts.attempts; SQLite, the embedded default, always takes that path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import JSON
from sqlalchemy.ext.asyncio import AsyncEngine

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

# The attempt, its paper (one multi-row insert) and its integrity note in one statement: the
# paper and the note hang off the attempt the `a` CTE returns. Nothing is inserted unless the
# round row is the one this worker read ($13: md5 of its text, so its hours, draw rules and
# secret are what the draw and the deadline used), the contest's age limit is unchanged ($14),
# the participant is registered in the contest and old enough ($15: the latest birth date
# allowed), on the qualification list when the round has one ($16) and has no attempt in the
# round. A concurrent first start of the same participant loses on the unique (participant,
# round, number) and raises. The statement then reports whether it inserted, whether the
# round row is still the one given, and the participant's running attempt as it was before.
_INSERT = f"""
WITH ok AS (
  SELECT 1 FROM rounds r
  JOIN contests c ON c.id = r.contest_id
  JOIN participants p ON p.id = $3 AND p.contest_id = r.contest_id
  WHERE r.id = $2 AND md5(r::text) = $13 AND c.min_age IS NOT DISTINCT FROM $14
    AND ($15::date IS NULL OR p.birth_date <= $15)
    AND (NOT $16 OR EXISTS (SELECT 1 FROM round_qualifiers q
                            WHERE q.round_id = $2 AND q.participant_id = $3))
    AND NOT EXISTS (SELECT 1 FROM attempts x WHERE x.participant_id = $3 AND x.round_id = $2)
), a AS (
  INSERT INTO attempts (id, round_id, participant_id, number, status, started_at, deadline,
                        auto_submitted, user_agent)
  SELECT $1, $2, $3, 1, 'running', $4, $5, false, $6 FROM ok
  RETURNING id
), q AS (
  INSERT INTO attempt_questions (attempt_id, position, question_id, public_id, options)
  SELECT a.id, p.position, p.question_id, p.public_id, CAST(p.options AS json)
  FROM a, unnest($7::integer[], $8::integer[], $9::text[], $10::text[])
       AS p(position, question_id, public_id, options)
), s AS (
  INSERT INTO attempt_signals (attempt_id, round_id, participant_id, ip, device, user_agent,
                               started_at, hidden_changes)
  SELECT a.id, $2, $3, $11, $12, $6, $4, 0 FROM a
  RETURNING attempt_id
)
SELECT (SELECT count(*) FROM s) AS inserted, md5(r::text) = $13 AS fresh,
       {", ".join(f"ra.{c}" for c in _ATTEMPT_COLUMNS)}
FROM rounds r
LEFT JOIN LATERAL (SELECT * FROM attempts x
                   WHERE x.participant_id = $3 AND x.round_id = r.id
                     AND x.status = 'running' LIMIT 1) ra ON true
WHERE r.id = $2
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
    running: Attempt | None = None
    fresh: bool = False


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
        return; a concurrent start of the same participant that won makes it insert nothing.

        Raises ServiceUnavailable."""
        import asyncpg

        try:
            # A retry after a dropped connection is safe: if the first try committed, the
            # second finds the attempt there and inserts nothing.
            row = await self.pool.run(
                "fetchrow", _INSERT, first.attempt_id, first.round_id, first.participant_id,
                first.started_at, first.deadline, first.user_agent,
                list(range(len(first.paper))), [qid for qid, _, _ in first.paper],
                [pub for _, pub, _ in first.paper],
                [orjson.dumps(options).decode() for _, _, options in first.paper],
                first.ip, first.device, first.facts.fingerprint, first.facts.min_age,
                first.born_by, first.qualification)
        except asyncpg.UniqueViolationError:
            return Inserted(False)
        if row is None:  # the round is gone
            return Inserted(False)
        return Inserted(row[0] == 1, _attempt(row[2:]), bool(row[1]))

    async def close(self) -> None:
        """Close the pool."""
        await self.pool.close()


def _attempt(values: Sequence[Any]) -> Attempt | None:
    """An attempt from its columns in table order (None when the first, its id, is NULL)."""
    return Attempt(**dict(zip(_ATTEMPT_COLUMNS, values, strict=True))) if values[0] else None


def make_starter(engine: AsyncEngine) -> PostgresStarter | None:
    """The first-start statements for PostgreSQL; None on SQLite (the general path)."""
    if engine.dialect.name == "postgresql":
        return PostgresStarter(engine.url.render_as_string(hide_password=False))
    return None
