"""A participant's first start in a round: on PostgreSQL the one-statement fast path
(contest.attempts.first_start), elsewhere the general path; both must give the same attempt,
paper and note, and hand every case they cannot settle to the general path."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from contest.attempts import attempts
from contest.attempts.views import StartNote
from contest.errors import NotEligible, RoundNotOpen
from contest.setup.papers import derive_paper
from contest.storage.db import transaction
from contest.storage.tables import Attempt
from tests.conftest import World


async def _participant(world: World, phone: str) -> str:
    r = await world.register(world.make_client(), phone=phone)
    assert r.status_code == 201
    return str(r.json()["participant_id"])


async def _warm(world: World) -> None:
    """One start fills this worker's bank caches (the fast path draws from them)."""
    await attempts.start(world.ctx, await _participant(world, "0913000000"), world.round_id)


async def test_first_start_stores_the_paper_the_draw_gives_and_its_note(world: World) -> None:
    await _warm(world)
    pid = await _participant(world, "0913000001")
    view, created = await attempts.start(world.ctx, pid, world.round_id,
                                         StartNote("203.0.113.9", "dev-1", "Firefox/Android"))
    assert created and view.attempt.number == 1 and view.attempt.status == "running"
    async with transaction(world.ctx.sm) as s:
        r = await attempts.round_of(s, world.round_id)
        drawn = await derive_paper(world.ctx, s, r, pid, 1)
        stored = (await s.execute(text(
            "SELECT question_id, public_id FROM attempt_questions WHERE attempt_id = :a "
            "ORDER BY position"), {"a": view.attempt.id})).all()
        note = (await s.execute(text(
            "SELECT ip, device, user_agent, started_at FROM attempt_signals "
            "WHERE attempt_id = :a"), {"a": view.attempt.id})).one()
        stored_attempt = await s.get(Attempt, view.attempt.id)
    assert [(q.question_id, q.public_id) for q in drawn] == [tuple(x) for x in stored]
    assert [q["id"] for q in view.questions] == [q.public_id for q in drawn]
    assert [[o["id"] for o in q["options"]] for q in view.questions] == \
        [[o.public_id for o in q.options] for q in drawn]
    assert tuple(note[:3]) == ("203.0.113.9", "dev-1", "Firefox/Android")
    assert stored_attempt is not None
    assert stored_attempt.deadline == view.attempt.deadline
    assert stored_attempt.started_at == view.attempt.started_at
    assert world.ctx.papers.get(view.attempt.id) is not None  # ready for the saves


async def test_concurrent_first_starts_make_one_attempt(world: World) -> None:
    await _warm(world)
    pid = await _participant(world, "0913000002")
    results: list[Any] = await asyncio.gather(
        *[attempts.start(world.ctx, pid, world.round_id) for _ in range(6)])
    ids = {view.attempt.id for view, _ in results}
    assert len(ids) == 1
    assert sum(created for _, created in results) == 1
    async with world.ctx.sm() as s:
        n = (await s.execute(text("SELECT count(*) FROM attempts WHERE participant_id = :p"),
                             {"p": pid})).scalar_one()
        # paper rows carry no foreign key (migration 0015): the losers left none behind
        orphans = (await s.execute(text(
            "SELECT count(*) FROM attempt_questions q WHERE NOT EXISTS "
            "(SELECT 1 FROM attempts a WHERE a.id = q.attempt_id)"))).scalar_one()
        rows = (await s.execute(text(
            "SELECT count(*) FROM attempt_questions WHERE attempt_id = :a"),
            {"a": results[0][0].attempt.id})).scalar_one()
    assert n == 1
    assert orphans == 0
    assert rows == len(results[0][0].questions) > 0


async def test_a_second_attempt_goes_the_general_path_and_avoids_seen_questions(
        world: World) -> None:
    await _warm(world)
    pid = await _participant(world, "0913000003")
    first, _ = await attempts.start(world.ctx, pid, world.round_id)
    assert await attempts.finish(world.ctx, first.attempt.id, world.clock.now(), None, True)
    second, created = await attempts.start(world.ctx, pid, world.round_id)
    assert created and second.attempt.number == 2
    seen = {q["id"] for q in first.questions}
    assert second.attempt.id != first.attempt.id
    # the round's 12-question bank and 5 questions a paper: a second paper has no repeat
    async with world.ctx.sm() as s:
        qids = [set((await s.execute(text(
            "SELECT question_id FROM attempt_questions WHERE attempt_id = :a"),
            {"a": a})).scalars().all()) for a in (first.attempt.id, second.attempt.id)]
    assert not qids[0] & qids[1]
    assert seen  # the first paper was shown


async def test_a_resumed_start_returns_the_running_attempt_with_its_answers(
        world: World) -> None:
    await _warm(world)
    client = world.make_client()
    r = await world.register(client, phone="0913000005")
    assert r.status_code == 201
    first = await client.post(f"/api/v1/rounds/{world.round_id}/attempts")
    assert first.status_code == 201
    paper = first.json()
    q = paper["questions"][2]
    chosen = [q["options"][1]["id"]]
    saved = await client.put(f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}",
                             json={"option_ids": chosen})
    assert saved.status_code == 200
    world.ctx.papers.drop(paper["attempt_id"])  # as on another worker
    again = await client.post(f"/api/v1/rounds/{world.round_id}/attempts")
    assert again.status_code == 200  # not created: the running attempt
    body = again.json()
    assert body["attempt_id"] == paper["attempt_id"]
    assert body["questions"] == paper["questions"]
    assert body["answers"] == {q["id"]: chosen}
    assert body["deadline"] == paper["deadline"] and body["status"] == "running"
    assert world.ctx.papers.get(paper["attempt_id"]) is not None


async def test_a_start_after_the_running_attempt_ran_out_submits_it_and_starts_anew(
        world: World) -> None:
    await _warm(world)
    pid = await _participant(world, "0913000006")
    first, _ = await attempts.start(world.ctx, pid, world.round_id)
    world.clock.advance(600 + 5 + 1)  # the round's time limit and grace, and a second
    second, created = await attempts.start(world.ctx, pid, world.round_id)
    assert created and second.attempt.number == 2
    async with world.ctx.sm() as s:
        old = await s.get(Attempt, first.attempt.id)
    assert old is not None and old.status == "submitted" and old.auto_submitted


async def _known_round(world: World) -> None:
    """Two starts: the bank caches are warm and (on PostgreSQL) the worker has read the
    round, so the next first start is the one guarded statement."""
    await _warm(world)
    await attempts.start(world.ctx, await _participant(world, "0913000010"), world.round_id)
    if world.ctx.starter is not None:
        assert world.ctx.starter.known(world.round_id) is not None


async def _attempts_of(world: World, pid: str) -> int:
    async with world.ctx.sm() as s:
        return int((await s.execute(text(
            "SELECT count(*) FROM attempts WHERE participant_id = :p"), {"p": pid})
        ).scalar_one())


async def test_a_start_sees_the_round_as_it_is_now_not_as_the_worker_read_it(
        world: World) -> None:
    await _known_round(world)
    async with transaction(world.ctx.sm) as s:  # the organiser shortens the time limit
        await s.execute(text("UPDATE rounds SET time_limit_s = 60 WHERE id = :r"),
                        {"r": world.round_id})
    pid = await _participant(world, "0913000011")
    view, created = await attempts.start(world.ctx, pid, world.round_id)
    assert created
    assert view.attempt.deadline == view.attempt.started_at + timedelta(seconds=60)
    async with transaction(world.ctx.sm) as s:  # and then closes the round early
        await s.execute(text("UPDATE rounds SET closes_at = :t WHERE id = :r"),
                        {"t": world.clock.now() - timedelta(seconds=1), "r": world.round_id})
    late = await _participant(world, "0913000012")
    with pytest.raises(RoundNotOpen):
        await attempts.start(world.ctx, late, world.round_id)
    assert await _attempts_of(world, late) == 0


async def test_an_age_limit_raised_after_the_worker_read_the_round_refuses_the_start(
        world: World) -> None:
    await _known_round(world)
    pid = await _participant(world, "0913000013")  # born 1990
    async with transaction(world.ctx.sm) as s:
        await s.execute(text(
            "UPDATE contests SET min_age = 60 WHERE id = "
            "(SELECT contest_id FROM rounds WHERE id = :r)"), {"r": world.round_id})
    with pytest.raises(NotEligible):
        await attempts.start(world.ctx, pid, world.round_id)
    assert await _attempts_of(world, pid) == 0



async def test_concurrent_first_starts_of_many_share_statements_and_each_is_stored(
        world: World) -> None:
    starter = world.ctx.starter
    if starter is None:
        pytest.skip("group-committed first starts are PostgreSQL's fast path (DATABASE_URL)")
    await _warm(world)
    pids = [await _participant(world, f"09130001{k:02d}") for k in range(24)]
    statements: list[str] = []
    starter.pool.query_logger = lambda record: statements.append(record.query)
    # the last participant taps twice: one attempt for them, one for everyone else
    results: list[Any] = await asyncio.gather(
        *[attempts.start(world.ctx, pid, world.round_id) for pid in [*pids, pids[-1]]])
    inserts = [q for q in statements if "INSERT INTO attempts" in q]
    assert len(inserts) < len(pids) / 2, len(inserts)  # grouped: far fewer commits
    assert {v.attempt.participant_id for v, _ in results} == set(pids)
    assert sum(created for _, created in results) == len(pids)
    assert results[-1][0].attempt.id == results[-2][0].attempt.id
    async with world.ctx.sm() as s:
        rows = (await s.execute(text(
            "SELECT a.participant_id, count(DISTINCT a.id), count(q.public_id), "
            "count(DISTINCT g.attempt_id) FROM attempts a "
            "JOIN attempt_questions q ON q.attempt_id = a.id "
            "LEFT JOIN attempt_signals g ON g.attempt_id = a.id "
            "WHERE a.participant_id = ANY(:p) GROUP BY a.participant_id"),
            {"p": pids})).all()
        orphans = (await s.execute(text(
            "SELECT count(*) FROM attempt_questions q WHERE NOT EXISTS "
            "(SELECT 1 FROM attempts a WHERE a.id = q.attempt_id)"))).scalar_one()
    per_paper = len(results[0][0].questions)
    assert sorted(r[0] for r in rows) == sorted(pids)
    assert all(r[1:] == (1, per_paper, 1) for r in rows), rows
    assert orphans == 0
