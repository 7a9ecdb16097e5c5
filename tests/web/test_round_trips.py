"""What each hot-path request costs in database statements, transactions and Redis round
trips, counted on the real drivers (SQLite or PostgreSQL, embedded or real Redis).

The counts are the contract of issue 13: a regression (an extra read, a second transaction,
a second Redis call) fails here, on both storage set-ups.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from redis.asyncio.client import Pipeline
from sqlalchemy import event, text

from contest.storage.answer_writes import PostgresAnswerWriter
from tests.conftest import World


@dataclass
class Counts:
    """Statements (SQL text), transactions begun, and Redis round trips seen until the
    response started (work after it, such as the integrity signals, is not the request's)."""

    sql: list[str] = field(default_factory=list)
    transactions: int = 0
    redis: int = 0
    answered: bool = False

    def reset(self) -> None:
        self.sql.clear()
        self.transactions = 0
        self.redis = 0
        self.answered = False

    def add_sql(self, statement: str) -> None:
        if not self.answered:
            self.sql.append(statement)

    def add_transaction(self) -> None:
        if not self.answered:
            self.transactions += 1

    def add_redis(self) -> None:
        if not self.answered:
            self.redis += 1

    @property
    def statements(self) -> list[str]:
        """SQL statements, without the transaction control a driver may route through here."""
        return [q for q in self.sql
                if q.split()[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK")]


@pytest.fixture
def counts(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Counts]:
    c = Counts()
    engine = world.ctx.sm.kw["bind"].sync_engine

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        c.add_sql(statement)

    def on_begin(conn: Any) -> None:
        c.add_transaction()

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "begin", on_begin)
    writer = world.ctx.answer_writer
    if isinstance(writer, PostgresAnswerWriter):
        # asyncpg statements of the save path (autocommit: each is its own transaction)
        def on_query(record: Any) -> None:
            c.add_sql(record.query)
            c.add_transaction()

        writer.pool.query_logger = on_query
    starter = world.ctx.starter
    if starter is not None:
        # asyncpg statements of a first start: a read, then one insert statement (its own
        # transaction, committed when it returns)
        def on_start_query(record: Any) -> None:
            c.add_sql(record.query)
            if "INSERT" in record.query:
                c.add_transaction()

        starter.pool.query_logger = on_start_query
    redis = world.ctx.redis
    original = redis.execute_command

    async def counted(*args: Any, **kwargs: Any) -> Any:
        c.add_redis()
        return await original(*args, **kwargs)

    original_pipe = Pipeline.execute

    async def counted_pipe(self: Pipeline, *args: Any, **kwargs: Any) -> Any:
        c.add_redis()
        return await original_pipe(self, *args, **kwargs)

    app = world.app

    async def until_answered(scope: Any, receive: Any, send: Any) -> None:
        c.answered = False  # counts accumulate over requests until reset()

        async def noting(message: Any) -> None:
            if message["type"] == "http.response.start":
                c.answered = True
            await send(message)

        await app(scope, receive, noting)

    world.make_client = lambda: httpx.AsyncClient(  # type: ignore[method-assign]
        transport=httpx.ASGITransport(app=until_answered), base_url="http://test")

    monkeypatch.setattr(redis, "execute_command", counted)
    monkeypatch.setattr(Pipeline, "execute", counted_pipe)
    yield c
    event.remove(engine, "before_cursor_execute", on_execute)
    event.remove(engine, "begin", on_begin)


async def _started(world: World, phone: str) -> tuple[Any, dict[str, Any]]:
    client = world.make_client()
    assert (await world.register(client, phone=phone)).status_code == 201
    r = await client.post(f"/api/v1/rounds/{world.round_id}/attempts")
    assert r.status_code == 201
    return client, r.json()


async def _save(client: Any, paper: dict[str, Any], k: int, choice: int = 0) -> None:
    """Save answer k (its first save also opens this worker's save connection)."""
    q = paper["questions"][k]
    r = await client.put(f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}",
                         json={"option_ids": [q["options"][choice]["id"]]})
    assert r.status_code == 200, r.text


async def test_answer_save_is_one_statement_and_one_redis_round_trip(
        world: World, counts: Counts) -> None:
    client, paper = await _started(world, "0912000001")
    await _save(client, paper, 1)
    q = paper["questions"][0]
    url = f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}"
    counts.reset()
    r = await client.put(url, json={"option_ids": [q["options"][0]["id"]]})
    assert r.status_code == 200
    assert len(counts.statements) == 1, counts.sql
    assert "INSERT INTO answers" in counts.statements[0]
    assert counts.transactions == 1  # the upsert commits before the 200
    assert counts.redis == 1  # the throttle; the answer-time note is a column now
    assert "set-cookie" not in r.headers  # the session cookie is not re-signed


async def test_answer_save_on_a_cold_worker_reads_the_paper_once(
        world: World, counts: Counts) -> None:
    """Another worker (empty cache) reads the paper in one statement, then caches it."""
    client, paper = await _started(world, "0912000002")
    await _save(client, paper, 4)
    world.ctx.papers.drop(paper["attempt_id"])
    qs = paper["questions"]
    counts.reset()
    for q in qs[:2]:
        r = await client.put(f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}",
                             json={"option_ids": [q["options"][1]["id"]]})
        assert r.status_code == 200
    assert len(counts.statements) == 3, counts.sql  # paper read + two upserts
    assert counts.redis == 2


async def test_batch_save_is_one_statement_for_many_answers(
        world: World, counts: Counts) -> None:
    client, paper = await _started(world, "0912000003")
    await _save(client, paper, 0)
    body = {"answers": [{"question_id": q["id"], "option_ids": [q["options"][0]["id"]]}
                        for q in paper["questions"]]}
    counts.reset()
    r = await client.put(f"/api/v1/attempts/{paper['attempt_id']}/answers", json=body)
    assert r.status_code == 200, r.text
    assert [a["question_id"] for a in r.json()["answers"]] == \
        [q["id"] for q in paper["questions"]]
    assert len(counts.statements) == 1, counts.sql
    assert counts.redis == 1


async def test_start_is_one_transaction_of_at_most_seven_statements(
        world: World, counts: Counts) -> None:
    await _started(world, "0912000004")  # warms the bank caches, as any earlier start does
    # and the fast path's connection (asyncpg reads the types of a statement's parameters
    # the first time a connection prepares it)
    await _started(world, "0912000009")
    client = world.make_client()
    assert (await world.register(client, phone="0912000005")).status_code == 201
    counts.reset()
    r = await client.post(f"/api/v1/rounds/{world.round_id}/attempts")
    assert r.status_code == 201
    assert counts.transactions == 1, counts.sql
    if world.ctx.starter is not None:
        # PostgreSQL's first start in a round this worker has read: one statement inserting
        # attempt, paper and note under the guard of what the start decides on
        assert len(counts.statements) == 1, [q[:60] for q in counts.statements]
        assert counts.statements[0].lstrip().startswith("WITH s AS"), counts.sql
    else:
        assert len(counts.statements) <= 7, counts.sql
    assert not any(q.lstrip().upper().startswith("SELECT") and "attempt_questions" in q
                   and "answers" in q for q in counts.statements)  # no read-back
    assert counts.redis == 1  # the throttle


async def test_resume_is_at_most_two_statements(world: World, counts: Counts) -> None:
    # another participant's start and retried start: the bank caches warm, and the fast
    # path's connection has prepared its statements (asyncpg reads the types of a
    # statement's parameters and columns the first time a connection prepares it)
    warm, _ = await _started(world, "0912000010")
    assert (await warm.post(f"/api/v1/rounds/{world.round_id}/attempts")).status_code == 200
    client, paper = await _started(world, "0912000006")
    counts.reset()
    r = await client.get(f"/api/v1/attempts/{paper['attempt_id']}")
    assert r.status_code == 200
    assert len(counts.statements) <= 2, counts.sql
    assert counts.redis == 1  # has the session ended (logout elsewhere)?
    counts.reset()  # a retried start returns the running attempt, writing nothing
    again = await client.post(f"/api/v1/rounds/{world.round_id}/attempts")
    assert again.status_code == 200
    if world.ctx.starter is not None:
        # PostgreSQL: the guarded insert finds the running attempt, inserts nothing and
        # returns it; its paper, one more
        assert len(counts.statements) == 2, [q[:60] for q in counts.statements]
        assert counts.statements[0].lstrip().startswith("WITH s AS"), counts.sql
    else:
        assert counts.transactions == 1
        assert len(counts.statements) <= 3, counts.sql
    assert not any(q.lstrip().upper().startswith(("INSERT", "UPDATE"))
                   for q in counts.statements)
    assert again.json()["attempt_id"] == paper["attempt_id"]
    async with world.ctx.sm() as s:
        n = (await s.execute(text(
            "SELECT count(*) FROM attempts WHERE participant_id = "
            "(SELECT participant_id FROM attempts WHERE id = :a)"),
            {"a": paper["attempt_id"]})).scalar_one()
    assert n == 1  # nothing written


async def test_submit_is_one_transaction(world: World, counts: Counts) -> None:
    # an earlier submit built the round's boards and cached the unit tree, as at any peak
    first, earlier = await _started(world, "0912000008")
    assert (await first.post(f"/api/v1/attempts/{earlier['attempt_id']}/submit",
                             json={"prediction": 40})).status_code == 200
    client, paper = await _started(world, "0912000007")
    q = paper["questions"][0]
    await client.put(f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}",
                     json={"option_ids": [q["options"][0]["id"]]})
    counts.reset()
    r = await client.post(f"/api/v1/attempts/{paper['attempt_id']}/submit",
                          json={"prediction": 40})
    assert r.status_code == 200, r.text
    assert r.json()["score"] is not None
    assert counts.transactions == 1, counts.sql
    # attempt+round+owner, paper+answers, key, close, submitted attempts, entry upsert, the
    # integrity signals; and one insert of its flags, as this attempt has some (it was
    # submitted a moment after its start)
    flags = [q for q in counts.statements if q.startswith("INSERT INTO integrity_flags")]
    assert len(flags) == 1, counts.sql
    assert len(counts.statements) - len(flags) <= 7, counts.sql
    # throttle, board upsert, board built?, rank
    assert counts.redis <= 4
    assert "set-cookie" not in r.headers
