"""Answer saves as one guarded statement: the hot path's only database work.

One `INSERT … SELECT … ON CONFLICT DO UPDATE … RETURNING` writes one or many answers of an
attempt, and only while that attempt is the caller's, running, not past its deadline plus
grace, and only for questions on its paper. It runs as its own transaction, so when it returns
the answers are committed: an acknowledgement means the row is on disk. On PostgreSQL it goes
straight through asyncpg (a prepared statement on a small pool of its own: SQLAlchemy's
per-execute cost was most of a save's CPU), with group commit; on SQLite, the embedded
default, through SQLAlchemy Core on the engine, with the same shape (json_each, not unnest).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import orjson
from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine

from contest.storage.group_commit import GroupCommit
from contest.storage.pg_direct import DirectPool
from contest.storage.types import UTCDateTime


@dataclass(frozen=True)
class AnswerWrite:
    """One answer to write: the question's public id and the chosen public option ids."""

    question_public_id: str
    option_ids: tuple[str, ...]


class AnswerWriter(Protocol):
    """Writes answers in one statement; returns the public question ids it wrote."""

    async def upsert(self, attempt_id: str, participant_id: str, earliest_deadline: datetime,
                     now: datetime, answers: Sequence[AnswerWrite]) -> list[str]:
        """Upsert answers if the attempt is the caller's, running and deadline ≥ the given."""
        ...  # pragma: no cover - protocol

    async def close(self) -> None:
        """Release the writer's connections."""
        ...  # pragma: no cover - protocol


# Saves of many requests in one statement and one commit (group commit): each row carries its
# own attempt, owner, deadline bound and time, and is written only if its attempt passes.
_PG_UPSERT = """
INSERT INTO answers (attempt_id, question_public_id, option_ids, saved_at, first_saved_at, saves)
SELECT a.id, q.qid, q.opts::json, q.at, q.at, 1
FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[],
            $6::text[]) AS q(aid, pid, earliest, at, qid, opts)
CROSS JOIN LATERAL (SELECT id FROM attempts
                    WHERE id = q.aid AND participant_id = q.pid AND status = 'running'
                      AND deadline >= q.earliest
                    LIMIT 1) AS a
WHERE EXISTS (SELECT 1 FROM attempt_questions aq
              WHERE aq.attempt_id = a.id AND aq.public_id = q.qid)
ON CONFLICT (attempt_id, question_public_id) DO UPDATE
SET option_ids = EXCLUDED.option_ids, saved_at = EXCLUDED.saved_at, saves = answers.saves + 1
RETURNING attempt_id, question_public_id
"""

_SQLITE_UPSERT = text("""
INSERT INTO answers (attempt_id, question_public_id, option_ids, saved_at, first_saved_at, saves)
SELECT a.id, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), :now, :now, 1
FROM attempts a, json_each(:rows) AS j
WHERE a.id = :aid AND a.participant_id = :pid AND a.status = 'running'
  AND a.deadline >= :earliest
  AND EXISTS (SELECT 1 FROM attempt_questions aq
              WHERE aq.attempt_id = a.id AND aq.public_id = json_extract(j.value, '$[0]'))
ON CONFLICT (attempt_id, question_public_id) DO UPDATE
SET option_ids = excluded.option_ids, saved_at = excluded.saved_at, saves = answers.saves + 1
RETURNING question_public_id
""").bindparams(bindparam("now", type_=UTCDateTime()),
                bindparam("earliest", type_=UTCDateTime()))


# The statement's shape makes one plan right for every batch (per row: the attempt by index,
# the paper row by index); a custom plan per execution cost more to plan (~0.5 ms of
# PostgreSQL CPU) than to run. These connections run nothing else.
_SERVER_SETTINGS = {"plan_cache_mode": "force_generic_plan"}


def _options_json(ids: Sequence[str]) -> str:
    return orjson.dumps(list(ids)).decode()


class SqliteAnswerWriter:
    """The statement on SQLite through SQLAlchemy Core (BEGIN IMMEDIATE, statement, COMMIT)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def upsert(self, attempt_id: str, participant_id: str, earliest_deadline: datetime,
                     now: datetime, answers: Sequence[AnswerWrite]) -> list[str]:
        """Upsert answers in one statement and commit; returns the ids written."""
        rows = orjson.dumps([[a.question_public_id, _options_json(a.option_ids)]
                             for a in answers]).decode()
        async with self.engine.begin() as conn:
            result = await conn.execute(_SQLITE_UPSERT, {
                "now": now, "earliest": earliest_deadline, "rows": rows, "aid": attempt_id,
                "pid": participant_id})
            return [r[0] for r in result.all()]

    async def close(self) -> None:
        """Nothing of its own: the engine is disposed by its owner."""


@dataclass(eq=False)
class _Job:
    """One request's answers waiting for the next group commit."""

    attempt_id: str
    participant_id: str
    earliest_deadline: datetime
    now: datetime
    answers: Sequence[AnswerWrite]


def _rounds(jobs: list[_Job]) -> list[list[_Job]]:
    """Split jobs so that no round writes the same answer twice (ON CONFLICT may touch a row
    once per statement), keeping each answer's saves in arrival order across rounds."""
    last_round: dict[tuple[str, str], int] = {}
    rounds: list[list[_Job]] = []
    for job in jobs:
        keys_ = [(job.attempt_id, a.question_public_id) for a in job.answers]
        k = max((last_round[key] + 1 for key in keys_ if key in last_round), default=0)
        if k == len(rounds):
            rounds.append([])
        rounds[k].append(job)
        for key in keys_:
            last_round[key] = k
    return rounds


class PostgresAnswerWriter:
    """The statement on PostgreSQL through asyncpg, with group commit
    (contest.storage.group_commit): the saves that arrive while a statement is in flight go
    together in the next, one commit (one WAL flush) for all. Each save is acknowledged only
    after the commit that holds it (autocommit statement).
    """

    def __init__(self, url: str, max_size: int = 4) -> None:
        self.pool = DirectPool(url, max_size, _SERVER_SETTINGS)
        self._group: GroupCommit[_Job, list[str]] = GroupCommit(self._write, _rounds)

    async def upsert(self, attempt_id: str, participant_id: str, earliest_deadline: datetime,
                     now: datetime, answers: Sequence[AnswerWrite]) -> list[str]:
        """Upsert answers with the next group commit; returns the ids written once committed.

        Raises ServiceUnavailable when the database does not answer.
        """
        return await self._group.submit(
            _Job(attempt_id, participant_id, earliest_deadline, now, answers))

    async def _write(self, batch: list[_Job]) -> list[list[str]]:
        """One statement for the batch; per job, the question ids written (retried once on
        a dropped connection: an upsert is safe to run twice). Raises ServiceUnavailable."""
        cols: tuple[list[Any], ...] = ([], [], [], [], [], [])
        for j in batch:
            for a in j.answers:
                for col_, value in zip(cols, (j.attempt_id, j.participant_id,
                                              j.earliest_deadline, j.now, a.question_public_id,
                                              _options_json(a.option_ids)), strict=True):
                    col_.append(value)
        rows = await self.pool.run("fetch", _PG_UPSERT, *cols)
        written = {(r[0], r[1]) for r in rows}
        return [[a.question_public_id for a in j.answers
                 if (j.attempt_id, a.question_public_id) in written] for j in batch]

    async def close(self) -> None:
        """Finish the queued saves, then close the pool."""
        await self._group.close()
        await self.pool.close()


def make_answer_writer(engine: AsyncEngine) -> AnswerWriter:
    """The writer for the engine's database."""
    if engine.dialect.name == "postgresql":
        return PostgresAnswerWriter(engine.url.render_as_string(hide_password=False))
    return SqliteAnswerWriter(engine)
