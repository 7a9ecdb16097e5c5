"""Finalisation on real SQL: ranking, prizes, exclusions, the draw, streaming in batches."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from contest.core.context import Services
from contest.domain import final_ranking as fr
from contest.domain.verifiable_draw import commitment, seed_from_hex
from contest.errors import ConfigInvalid, DrawCommitted, RoundFinalised, RoundNotClosed
from contest.results import finalise
from contest.storage.db import transaction
from contest.storage.results_tables import FinalRanking, PrizeAward, RoundResult
from contest.storage.tables import AuditEvent, Round, Unit
from tests.conftest import World
from tests.services.results_helpers import Person, seed_entries, set_round

TIERS = {"tiers": [{"code": "nhat", "name": "Giải Nhất", "count": 1},
                   {"code": "nhi", "name": "Giải Nhì", "count": 2}]}


def close(w: World) -> None:
    w.clock.advance(24 * 3600 + 10)


async def ranking(ctx: Services, round_id: int) -> list[FinalRanking]:
    async with ctx.sm() as s:
        return list((await s.scalars(select(FinalRanking).where(
            FinalRanking.round_id == round_id).order_by(FinalRanking.position))).all())


async def awards(ctx: Services, round_id: int) -> list[tuple[str | None, str]]:
    async with ctx.sm() as s:
        rows = (await s.scalars(select(PrizeAward).where(PrizeAward.round_id == round_id)
                                .order_by(PrizeAward.kind, PrizeAward.position))).all()
    return [(a.participant_id or a.unit_code, a.tier_code) for a in rows]


async def test_finalise_ranks_by_the_chain_and_awards_tiers(world: World) -> None:
    ctx, rid = world.ctx, world.round_id
    await set_round(ctx, rid, prizes=TIERS)
    await seed_entries(ctx, rid, [
        Person("P1", 4000, prediction=5), Person("P2", 5000, prediction=100),
        Person("P3", 4000, prediction=6),  # exact: 6 entrants
        Person("P4", 4000, prediction=6, duration_ms=50_000),
        Person("P5", 3000), Person("P6", 2000, prediction=None)])
    with pytest.raises(RoundNotClosed):
        await finalise.finalise(ctx, rid)
    close(world)
    summary = await finalise.finalise(ctx, rid, actor="staff:bantochuc")
    assert (summary.entrants, summary.eligible, summary.actual_figure) == (6, 6, 6)
    rows = await ranking(ctx, rid)
    assert [r.participant_id for r in rows] == ["P2", "P4", "P3", "P1", "P5", "P6"]
    assert [r.distance for r in rows] == [94, 0, 0, 1, 5, None]
    assert await awards(ctx, rid) == [("P2", "nhat"), ("P4", "nhi"), ("P3", "nhi")]
    async with ctx.sm() as s:
        result = await s.get(RoundResult, rid)
        r = await s.get(Round, rid)
        audit = (await s.scalars(select(AuditEvent).where(
            AuditEvent.action == "round.finalise"))).one()
    assert r is not None and r.finalised_at == world.clock.now()
    assert result is not None and result.commitment == commitment(seed_from_hex(result.seed_hex))
    assert not result.committed_before_open  # no commitment was published in advance
    assert audit.actor == "staff:bantochuc" and audit.details["awards"] == 3
    with pytest.raises(RoundFinalised):
        await finalise.finalise(ctx, rid)


async def test_configured_chain_puts_duration_before_prediction(world: World) -> None:
    ctx, rid = world.ctx, world.round_id
    await set_round(ctx, rid, tie_breaks=["score", "duration", "prediction", "submitted"])
    await seed_entries(ctx, rid, [Person("P1", 4000, prediction=2, duration_ms=9000),
                                  Person("P2", 4000, prediction=50, duration_ms=8000)])
    close(world)
    await finalise.finalise(ctx, rid)
    assert [r.participant_id for r in await ranking(ctx, rid)] == ["P2", "P1"]


async def test_perfect_score_prediction(world: World) -> None:
    ctx, rid = world.ctx, world.round_id
    await set_round(ctx, rid, prediction_kind="perfect")
    await seed_entries(ctx, rid, [Person("P1", 5000), Person("P2", 5000), Person("P3", 100)])
    close(world)
    assert (await finalise.finalise(ctx, rid)).actual_figure == 2


async def test_bad_prize_structure_is_refused_before_anything_changes(world: World) -> None:
    ctx, rid = world.ctx, world.round_id
    await set_round(ctx, rid, prizes={"split": "district"})
    close(world)
    with pytest.raises(ConfigInvalid):
        await finalise.finalise(ctx, rid)
    assert await ranking(ctx, rid) == []


async def test_one_prize_per_person_across_rounds(world: World) -> None:
    ctx = world.ctx
    first = world.round_id
    second = await world.add_round(title="Đợt 2")
    one = {"tiers": [{"code": "nhat", "name": "Giải Nhất", "count": 1}]}
    await set_round(ctx, first, prizes=one)
    await set_round(ctx, second, prizes=one)
    await seed_entries(ctx, first, [Person("P1", 5000), Person("P2", 4000)])
    await seed_entries(ctx, second, [Person("P1", 5000), Person("P2", 4000)])
    close(world)
    await finalise.finalise(ctx, first)
    await finalise.finalise(ctx, second)
    assert await awards(ctx, first) == [("P1", "nhat")]
    assert await awards(ctx, second) == [("P2", "nhat")]
    assert [r.exclusion for r in await ranking(ctx, second)] == ["prior_prize", None]


async def test_exclusions_review_age_staff_units_and_share_cap(world: World) -> None:
    ctx, rid = world.ctx, world.round_id
    await set_round(ctx, rid, prizes={
        "tiers": [{"code": "kk", "name": "Khuyến khích", "count": 10}], "min_age": 18,
        "excluded_units": ["BP-DONGXOAI"], "excluded_groups": ["btc"], "max_share": 0.5})
    await seed_entries(ctx, rid, [
        Person("P1", 5000), Person("FLAG", 4900), Person("KID", 4800, birth=date(2015, 1, 1)),
        Person("STAFF", 4700, group="btc"), Person("SOTP", 4600, unit="BP-DONGXOAI"),
        Person("P2", 4000), Person("P3", 3000), Person("P4", 2000), Person("P5", 1000),
        Person("P6", 500)])

    async def flagged(_ctx: Services, _round: int) -> Collection[str]:
        return {"FLAG"}

    close(world)
    summary = await finalise.finalise(ctx, rid, exclusions=flagged)
    rows = await ranking(ctx, rid)
    assert [r.exclusion for r in rows[:5]] == [None, "review", "under_age", "excluded_group",
                                                "excluded_unit"]
    assert summary.eligible == 6
    # 10 entrants, at most half win: 5 prizes, the excluded ones skipped
    assert [a for a, _ in await awards(ctx, rid)] == ["P1", "P2", "P3", "P4", "P5"]


async def test_group_quotas_and_collective_prizes(world: World) -> None:
    ctx, rid = world.ctx, world.round_id
    await set_round(ctx, rid, prizes={
        "split": "group", "tiers": [{"code": "nhat", "name": "Giải Nhất", "count": 1}],
        "collective": {"count": 1, "level": 2, "min_participation_rate": 0.1}})
    async with transaction(ctx.sm) as s:
        await s.execute(update(Unit).where(Unit.code == "BP-BUDANG").values(headcount=10))
        await s.execute(update(Unit).where(Unit.code == "BP-DONGXOAI").values(headcount=100))
    await seed_entries(ctx, rid, [
        Person("T1", 5000), Person("T2", 4000), Person("H1", 3000, group="hssv"),
        Person("H2", 2000, group="hssv", unit="BP-DONGXOAI"),
        Person("H3", 1000, group="hssv", unit="BP-DONGXOAI")])
    close(world)
    await finalise.finalise(ctx, rid)
    # Bù Đăng: 3 of 10 take part (30%), Đồng Xoài: 2 of 100 (2%, below the 10% threshold)
    assert await awards(ctx, rid) == [("BP-BUDANG", "tap_the"), ("T1", "nhat"), ("H1", "nhat")]


async def test_committed_draw_orders_the_ties(world: World) -> None:
    ctx, rid = world.ctx, world.round_id
    world.clock.current -= timedelta(minutes=10)  # commit before the round opened
    draw = await finalise.commit_draw(ctx, rid, randbytes=lambda n: bytes(range(n)))
    with pytest.raises(DrawCommitted):
        await finalise.commit_draw(ctx, rid)
    world.clock.advance(600)
    await set_round(ctx, rid, prizes=TIERS)
    people = [Person(f"P{i:02d}", 1000 * (i % 3), prediction=i % 2, duration_ms=1000 * (i % 2))
              for i in range(23)]
    await seed_entries(ctx, rid, people)
    close(world)
    summary = await finalise.finalise(ctx, rid)
    rows = await ranking(ctx, rid)
    entries = [fr.Entry(p.pid, p.score, p.duration_ms, 100_000, p.prediction) for p in people]
    expected = fr.final_order(entries, fr.DEFAULT_CHAIN, 23, draw.seed)
    assert [(r.participant_id, r.chain_rank, r.tied, r.draw_key) for r in rows] == \
        [(x.entry.entry_id, x.chain_rank, x.tied, x.draw_key) for x in expected]
    assert summary.tied_entries == sum(x.tied for x in expected) > 0
    assert summary.commitment == draw.commitment and summary.seed_hex == draw.seed.hex()
    async with ctx.sm() as s:
        result = await s.get(RoundResult, rid)
    assert result is not None and result.committed_before_open
