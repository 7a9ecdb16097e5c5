"""Integrity signals end to end: scripted and honest participants through the HTTP API."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import select

from contest.attempts import attempts
from contest.domain import integrity as rules
from contest.integrity import review
from contest.integrity import signals as integrity
from contest.settings import Settings
from contest.storage.integrity_tables import AttemptSignals, IntegrityFlag
from tests.conftest import World
from tests.web.bots import human_gaps, join, sit


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The test client connects from 127.0.0.1: treat it as our proxy so X-Forwarded-For counts.
    return replace(settings, trusted_proxies="127.0.0.1")


async def _flags(w: World, pid: str) -> dict[str, IntegrityFlag]:
    async with w.ctx.sm() as s:
        rows = (await s.scalars(select(IntegrityFlag).where(
            IntegrityFlag.participant_id == pid))).all()
    return {f.reason: f for f in rows}


async def test_a_bot_answering_every_200_ms_is_flagged_and_a_person_is_not(world: World) -> None:
    bot = await join(world, "0912000001")
    person = await join(world, "0912000002")
    b = await sit(world, bot, 0.2)
    h = await sit(world, person, human_gaps(5, seed=3))

    bot_flags = await _flags(world, await _participant(world, b["attempt_id"]))
    assert bot_flags[rules.FAST_ANSWERS].strength == "strong"
    assert bot_flags[rules.FAST_ANSWERS].details["fast"] == 5
    assert bot_flags[rules.FAST_ATTEMPT].strength == "strong"
    assert await _flags(world, await _participant(world, h["attempt_id"])) == {}

    # the server's clock, not the browser's, measured the pace
    async with world.ctx.sm() as s:
        sig = await s.get(AttemptSignals, b["attempt_id"])
    assert sig is not None and [ms for _, _, ms in sig.answers or []] == [200] * 5

    # flags never touch a score or a live rank: both stay on the board, review decides
    assert b["result"]["rank"] is not None and b["result"]["score"] > 0
    board = (await person.get(f"/api/v1/rounds/{world.round_id}/leaderboard")).json()
    assert board["total"] == 2


async def _participant(w: World, attempt_id: str) -> str:
    from contest.storage.tables import Attempt

    async with w.ctx.sm() as s:
        att = await s.get(Attempt, attempt_id)
    assert att is not None
    return att.participant_id


async def test_three_accounts_replaying_one_answer_list_are_clustered(world: World) -> None:
    world.round_id = await world.add_round(questions_per_attempt=12, quotas=[])
    gaps = [3.0 + 0.5 * i for i in range(12)]
    clones = [await sit(world, await join(world, f"09130000{i:02d}"), gaps) for i in range(3)]
    # people who know the same answers, at their own pace
    others = [await sit(world, await join(world, f"09140000{i:02d}"), human_gaps(12, seed=i))
              for i in range(3)]
    report = await integrity.scan_round(world.ctx, world.round_id)
    assert report.flagged_participants == 3
    clone_ids = {await _participant(world, p["attempt_id"]) for p in clones}
    for pid in clone_ids:
        flag = (await _flags(world, pid))[rules.IDENTICAL_ANSWERS]
        assert flag.strength == "strong"
        assert set(flag.details["others"]) == clone_ids - {pid}
    for p in others:
        assert await _flags(world, await _participant(world, p["attempt_id"])) == {}


async def test_ten_accounts_predicting_100_to_109_from_one_ip_are_flagged(world: World) -> None:
    spread = []
    for i in range(10):
        c = await join(world, f"09150000{i:02d}", **{"X-Forwarded-For": "203.0.113.7"})
        spread.append(await sit(world, c, human_gaps(5, seed=i), prediction=100 + i))
    # a class behind another NAT guessing for themselves
    honest = []
    for i in range(10):
        c = await join(world, f"09160000{i:02d}", **{"X-Forwarded-For": "198.51.100.9"})
        honest.append(await sit(world, c, human_gaps(5, seed=50 + i),
                                prediction=[5000, 12000, 800, 20000, 3500, 10000, 7777, 15000,
                                            9000, 11111][i]))
    items = await review.review_list(world.ctx, world.round_id)
    flagged = {i.participant_id for i in items
               if any(f.reason == rules.PREDICTION_SPREAD for f in i.flags)}
    assert flagged == {await _participant(world, p["attempt_id"]) for p in spread}
    assert all(i.strength == "strong" and i.excluded for i in items
               if i.participant_id in flagged)
    async with world.ctx.sm() as s:
        sig = await s.get(AttemptSignals, spread[0]["attempt_id"])
    assert sig is not None and sig.ip == "203.0.113.7" and sig.device


async def test_an_attempt_submitted_by_the_clock_gets_its_signals_at_close(
        world: World) -> None:
    c = await join(world, "0917000001")
    r = await c.post(f"/api/v1/rounds/{world.round_id}/attempts")
    paper = r.json()
    for q in paper["questions"]:
        world.clock.advance(0.2)
        await c.put(f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}",
                    json={"option_ids": [q["options"][0]["id"]]})
    world.clock.advance(3600)  # never submitted: the sweep finishes it at its deadline
    assert await attempts.expire_due(world.ctx) == 1
    # the close computed them in its transaction: the flags are there before any scan
    flags = await _flags(world, await _participant(world, paper["attempt_id"]))
    assert flags[rules.FAST_ANSWERS].strength == "strong"
    report = await integrity.scan_round(world.ctx, world.round_id)
    assert report.computed == 0  # nothing left for the scan's catch-up
    assert flags[rules.FAST_ANSWERS].strength == "strong"
    assert rules.FAST_ATTEMPT not in flags  # its duration is the clock's, not the bot's


async def test_hidden_page_reports_are_a_weak_flag_and_only_for_ones_own_attempt(
        world: World) -> None:
    c = await join(world, "0918000001")
    other = await join(world, "0918000002")
    r = await c.post(f"/api/v1/rounds/{world.round_id}/attempts")
    attempt_id = r.json()["attempt_id"]
    for _ in range(4):
        ok = await c.post(f"/api/v1/attempts/{attempt_id}/visibility", json={"state": "hidden"})
        assert ok.status_code == 200
    assert (await other.post(f"/api/v1/attempts/{attempt_id}/visibility",
                             json={"state": "hidden"})).status_code == 404
    bad = await c.post(f"/api/v1/attempts/{attempt_id}/visibility", json={"state": "gone"})
    assert bad.status_code == 422
    world.clock.advance(300)
    await c.post(f"/api/v1/attempts/{attempt_id}/submit", json={"prediction": 5})
    flags = await _flags(world, await _participant(world, attempt_id))
    assert flags[rules.TAB_HIDDEN].strength == "weak"
    assert flags[rules.TAB_HIDDEN].details == {"changes": 4, "client_reported": True}
