"""The answer writer: group commit splits a batch into rounds that keep arrival order, and on
PostgreSQL many concurrent saves share statements while every one of them is stored."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import select

from contest.attempts import answers
from contest.storage.answer_writes import (
    _PG_UPSERT,
    AnswerWrite,
    PostgresAnswerWriter,
    _Job,
    _rounds,
)
from contest.storage.tables import Answer
from tests.conftest import REAL_DB, World

T = datetime(2026, 11, 20, tzinfo=UTC)


def _job(attempt: str, questions: list[str]) -> _Job:
    return _Job(attempt, "p", T, T, [AnswerWrite(q, ()) for q in questions])


@pytest.mark.parametrize(("jobs", "expected"), [
    ([], []),
    ([("a", ["q1"]), ("a", ["q2"]), ("b", ["q1"])], [[0, 1, 2]]),
    ([("a", ["q1"]), ("a", ["q1"]), ("a", ["q1"])], [[0], [1], [2]]),
    ([("a", ["q1", "q2"]), ("b", ["q1"]), ("a", ["q2"]), ("a", ["q3"])], [[0, 1, 3], [2]]),
])
def test_rounds_table(jobs: list[tuple[str, list[str]]], expected: list[list[int]]) -> None:
    made = [_job(a, qs) for a, qs in jobs]
    got = [[next(i for i, m in enumerate(made) if m is j) for j in r] for r in _rounds(made)]
    assert got == expected


@given(st.lists(st.tuples(st.sampled_from("abc"),
                          st.lists(st.sampled_from(["q1", "q2", "q3"]), min_size=1,
                                   max_size=3, unique=True)), max_size=30))
def test_rounds_keep_every_save_once_and_in_order(jobs: list[tuple[str, list[str]]]) -> None:
    made = [_job(a, qs) for a, qs in jobs]
    rounds = _rounds(made)
    placed = [j for r in rounds for j in r]
    assert sorted(map(id, placed)) == sorted(map(id, made))  # each job exactly once
    where = {id(j): k for k, r in enumerate(rounds) for j in r}
    for r in rounds:  # no answer twice in one statement
        keys = [(j.attempt_id, a.question_public_id) for j in r for a in j.answers]
        assert len(keys) == len(set(keys))
    for i, earlier in enumerate(made):  # a later save of the same answer goes later
        for later in made[i + 1:]:
            shared = {a.question_public_id for a in earlier.answers} & \
                {a.question_public_id for a in later.answers}
            if earlier.attempt_id == later.attempt_id and shared:
                assert where[id(earlier)] < where[id(later)]


@pytest.mark.skipif(not REAL_DB, reason="group commit is the PostgreSQL writer (DATABASE_URL)")
async def test_concurrent_saves_share_commits_and_none_is_lost(world: World) -> None:
    papers = []
    for k in range(8):
        client = world.make_client()
        pid = (await world.register(client, phone=f"09130000{k:02d}")).json()["participant_id"]
        paper = (await client.post(f"/api/v1/rounds/{world.round_id}/attempts")).json()
        papers.append((pid, paper))
    writer = world.ctx.answer_writer
    assert isinstance(writer, PostgresAnswerWriter)
    statements: list[str] = []
    writer.pool.query_logger = lambda record: statements.append(record.query)
    saves = []
    for pid, paper in papers:
        for q in paper["questions"]:
            for choice in (0, 1):  # a double tap: both stored, one of them last
                saves.append((pid, paper["attempt_id"], q["id"], q["options"][choice]["id"]))
    done = await asyncio.gather(*(answers.save(world.ctx, pid, aid, [(qid, [opt])])
                                  for pid, aid, qid, opt in saves))
    assert all(len(d) == 1 for d in done)
    upserts = [s for s in statements if "INSERT INTO answers" in s]
    assert len(upserts) < len(saves) / 4, len(upserts)  # grouped: far fewer commits
    async with world.ctx.sm() as s:
        rows = {(a.attempt_id, a.question_public_id): a for a in (await s.scalars(
            select(Answer))).all()}
    assert len(rows) == len(saves) // 2
    for (_, aid, qid, first), (_, _, _, second) in zip(saves[::2], saves[1::2], strict=True):
        assert rows[(aid, qid)].option_ids in ([first], [second])
        assert rows[(aid, qid)].saves == 2


@pytest.mark.skipif(not REAL_DB, reason="the PostgreSQL writer's plan (DATABASE_URL)")
async def test_the_save_plan_looks_each_attempt_up_by_key(world: World) -> None:
    # Many running attempts: a plan that joins the batch against "every running attempt" (as
    # the first version did when the statistics were stale) costs a scan of all of them on
    # every save; the statement must reach each row's attempt through an index instead.
    client = world.make_client()
    await world.register(client, phone="0913000099")
    assert (await client.post(f"/api/v1/rounds/{world.round_id}/attempts")).status_code == 201
    async with world.ctx.sm() as s:  # 3,000 more like them, each with a running attempt
        for table, changed in (("participants", "'phone_hash', NULL"),
                               ("attempts", "'participant_id', 'bulk' || g")):
            await s.execute(text(
                f"INSERT INTO {table} SELECT (jsonb_populate_record(t, jsonb_build_object("
                f"'id', 'bulk' || g, {changed}))).* FROM {table} t, generate_series(1, 3000) g"))
        await s.execute(text("ANALYZE attempts"))
        await s.commit()
    writer = world.ctx.answer_writer
    assert isinstance(writer, PostgresAnswerWriter)
    pool = await writer.pool._get_pool()
    async with pool.acquire() as conn:
        assert await conn.fetchval("SHOW plan_cache_mode") == "force_generic_plan"
        await conn.execute(f"PREPARE save_plan AS {_PG_UPSERT}")
        plan = "\n".join(r[0] for r in await conn.fetch(
            "EXPLAIN EXECUTE save_plan('{a}', '{p}', '{2026-01-01}', '{2026-01-01}', '{q}', "
            "'{[]}')"))
        await conn.execute("DEALLOCATE save_plan")
    scans = [line for line in plan.splitlines() if " on attempts" in line]
    assert scans and all("Index Scan" in line for line in scans), plan
    assert "Limit" in plan, plan
