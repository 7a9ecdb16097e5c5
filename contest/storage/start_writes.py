"""A participant's first start in a round on PostgreSQL, straight through asyncpg.

The round-open herd is thousands of first starts a minute. Through the ORM a start cost
several milliseconds of CPU, most of it SQLAlchemy's per-statement machinery; here it is two
statements on asyncpg: one read of everything the start decides on (the round, the contest's
age limit, the participant, the qualification list, whether any attempt exists), and one
statement that inserts the attempt, its paper and its integrity note (data-modifying CTEs:
one implicit transaction, committed when it returns). Everything else (later attempts,
resumes, races, refusals that need more reads) stays on the general path in
contest.attempts.attempts; SQLite, the embedded default, always takes that path.
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
# paper and the note hang off the attempt the first CTE returns (their foreign keys are
# checked at the statement's end, when the attempt is there). A concurrent first start of the
# same participant loses on the unique (participant, round, number) and inserts nothing.
_INSERT = """
WITH a AS (
  INSERT INTO attempts (id, round_id, participant_id, number, status, started_at, deadline,
                        auto_submitted, user_agent)
  VALUES ($1, $2, $3, 1, 'running', $4, $5, false, $6)
  RETURNING id
), q AS (
  INSERT INTO attempt_questions (attempt_id, position, question_id, public_id, options)
  SELECT a.id, p.position, p.question_id, p.public_id, CAST(p.options AS json)
  FROM a, unnest($7::integer[], $8::integer[], $9::text[], $10::text[])
       AS p(position, question_id, public_id, options)
)
INSERT INTO attempt_signals (attempt_id, round_id, participant_id, ip, device, user_agent,
                             started_at, hidden_changes)
SELECT a.id, $2, $3, $11, $12, $6, $4, 0 FROM a
"""


@dataclass(frozen=True)
class StartFacts:
    """What a first start decides on, read in one statement."""

    round: Round
    min_age: int | None
    birth_date: date | None  # None: the participant is not registered in the round's contest
    qualified: bool
    attempted: bool  # the participant has an attempt in the round already
    running: Attempt | None  # and this one is running


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


class PostgresStarter:
    """The two statements of a first start, on a small asyncpg pool of their own (so that a
    herd of starts never makes answer saves wait for a connection)."""

    def __init__(self, url: str, max_size: int = 6) -> None:
        self.pool = DirectPool(url, max_size)

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
        ra = row[n + 4:]
        running = Attempt(**dict(zip(_ATTEMPT_COLUMNS, ra, strict=True))) if ra[0] else None
        return StartFacts(Round(**values), row[n], row[n + 1], row[n + 2], row[n + 3], running)

    async def paper(self, attempt_id: str
                    ) -> list[tuple[int, str, list[list[Any]], list[str] | None]]:
        """A running attempt's paper rows (question id, public id, [[option id, public option
        id], ...], chosen public option ids or None) in order. Raises ServiceUnavailable."""
        rows = await self.pool.run("fetch", _PAPER, attempt_id)
        return [(r[0], r[1], orjson.loads(r[2]), orjson.loads(r[3]) if r[3] else None)
                for r in rows]

    async def insert(self, first: FirstAttempt) -> bool:
        """Insert the attempt with its paper and note, committed on return; False when the
        participant has an attempt numbered 1 already (a concurrent start won).

        Raises ServiceUnavailable."""
        import asyncpg

        try:
            # A retry after a dropped connection is safe: if the first try committed, the
            # second finds attempt number 1 taken and reports the lost race.
            await self.pool.run(
                "execute", _INSERT, first.attempt_id, first.round_id, first.participant_id,
                first.started_at, first.deadline, first.user_agent,
                list(range(len(first.paper))), [qid for qid, _, _ in first.paper],
                [pub for _, pub, _ in first.paper],
                [orjson.dumps(options).decode() for _, _, options in first.paper],
                first.ip, first.device)
        except asyncpg.UniqueViolationError:
            return False
        return True

    async def close(self) -> None:
        """Close the pool."""
        await self.pool.close()


def make_starter(engine: AsyncEngine) -> PostgresStarter | None:
    """The first-start statements for PostgreSQL; None on SQLite (the general path)."""
    if engine.dialect.name == "postgresql":
        return PostgresStarter(engine.url.render_as_string(hide_password=False))
    return None
