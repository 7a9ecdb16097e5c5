"""A final round for the best N of each week, on real SQL and Redis (issue 17 item 8): the
list drawn up from finalised official rankings, refused starts, the page's answer."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from contest.errors import ConfigInvalid
from contest.i18n import t
from contest.results import finalise
from contest.setup import qualification
from contest.storage.results_tables import RoundQualifier
from contest.storage.tables import AuditEvent
from tests.conftest import World
from tests.services.results_helpers import Person, seed_entries, set_round

ONE = {"tiers": [{"code": "nhat", "name": "Giải Nhất", "count": 1}], "min_age": 18}


async def final_round(w: World, **rule: object) -> int:
    now = w.clock.now()
    return await w.add_round(title="Chung kết", opens_at=now + timedelta(days=2),
                             closes_at=now + timedelta(days=3), max_attempts=1,
                             qualify={"best_per_round": 2, **rule})


async def listed(w: World, rid: int) -> dict[str, tuple[int, int]]:
    async with w.ctx.sm() as s:
        rows = (await s.scalars(select(RoundQualifier)
                                .where(RoundQualifier.round_id == rid))).all()
    return {q.participant_id: (q.source_round_id, q.position) for q in rows}


async def test_list_is_drawn_up_when_the_last_week_is_finalised(world: World) -> None:
    ctx, week1 = world.ctx, world.round_id
    week2 = await world.add_round(title="Tuần 2")
    final = await final_round(world)
    for rid in (week1, week2):
        await set_round(ctx, rid, prizes=ONE)
    await seed_entries(ctx, week1, [
        Person("KID", 5000, birth=world.clock.now().date().replace(year=2015)),  # under 18
        Person("P1", 4900), Person("P2", 4000), Person("P3", 3000)])
    await seed_entries(ctx, week2, [
        Person("P1", 5000),  # won week 1: prior_prize here, still qualifies
        Person("P4", 4000, phone="0988000004"), Person("P5", 3000, phone="0988000005")])
    st = await qualification.status(ctx, final)
    assert st is not None and [x.title for x in st.sources] == ["Đợt thử", "Tuần 2"]
    assert not st.ready and st.opened_at is None
    with pytest.raises(ConfigInvalid):
        await qualification.open_list(ctx, final, "staff:btc")

    world.clock.advance(24 * 3600 + 10)
    await finalise.finalise(ctx, week1)
    assert await listed(world, final) == {}  # week 2 is not final yet
    await finalise.finalise(ctx, week2)
    assert await listed(world, final) == {"P1": (week1, 2), "P2": (week1, 3),
                                          "P4": (week2, 2)}
    st = await qualification.status(ctx, final)
    assert st is not None and st.ready and st.total == 3
    assert [(x.title, x.qualified) for x in st.sources] == [("Đợt thử", 2), ("Tuần 2", 1)]
    async with ctx.sm() as s:
        audit = (await s.scalars(select(AuditEvent).where(
            AuditEvent.action == "round.qualify"))).one()
    assert audit.actor == "system" and audit.details["per_round"] == {"Đợt thử": 2, "Tuần 2": 1}

    # the organiser may draw it up again (same list) until someone takes the final
    world.clock.advance(24 * 3600)  # the final is open
    assert (await qualification.open_list(ctx, final, "staff:btc")).total == 3
    await seed_entries(ctx, final, [Person("P1", 5000)])
    with pytest.raises(ConfigInvalid) as caught:
        await qualification.open_list(ctx, final, "staff:btc")
    assert "đã có người thi" in t("error.config_invalid", detail=caught.value.params["detail"])


async def test_named_sources_and_ties_included(world: World) -> None:
    ctx, week1 = world.ctx, world.round_id
    await world.add_round(title="Tuần 2")  # not named: ignored
    final = await final_round(world, **{"from": ["Đợt thử"], "ties": "include"})
    await seed_entries(ctx, week1, [Person("P1", 5000), Person("P2", 4000, duration_ms=9000),
                                    Person("P3", 4000, duration_ms=9000),
                                    Person("P4", 4000, duration_ms=9001)])
    world.clock.advance(24 * 3600 + 10)
    await finalise.finalise(ctx, week1)  # the only source: the list follows at once
    assert set(await listed(world, final)) == {"P1", "P2", "P3"}


async def two_citizens(world: World) -> tuple[int, httpx.AsyncClient, httpx.AsyncClient]:
    """A final for the best 2 of the world's round, where one registered citizen came first
    and another last (P3 second); returns the final and the two citizens' clients."""
    final = await final_round(world)
    winner, other = world.client, world.make_client()
    a = (await world.register(winner, phone="0912000001")).json()["participant_id"]
    b = (await world.register(other, phone="0912000002")).json()["participant_id"]
    await seed_entries(world.ctx, world.round_id,
                       [Person(a, 5000), Person("P3", 4000), Person(b, 1000)])
    return final, winner, other


async def test_start_is_refused_off_the_list_with_a_vietnamese_403(world: World) -> None:
    ctx, week1 = world.ctx, world.round_id
    final, _, other = await two_citizens(world)

    world.clock.advance(2 * 24 * 3600 + 60)  # the final is open, no list yet
    pending = await other.post(f"/api/v1/rounds/{final}/attempts")
    assert pending.status_code == 403
    assert pending.json()["error"] == "qualification_pending"
    assert "chưa công bố danh sách" in pending.json()["detail"]
    me = (await other.get(f"/api/v1/rounds/{final}/me")).json()
    assert me["qualification"] == {"qualified": False, "list_ready": False}
    # the week finalised late, after the final opened: nobody took it yet, so the list is
    # drawn up all the same, and the same person is now told they are not on it
    await finalise.finalise(ctx, week1)
    assert len(await listed(world, final)) == 2
    refused = await other.post(f"/api/v1/rounds/{final}/attempts")
    assert refused.json()["error"] == "not_qualified"


async def test_qualified_person_starts_and_the_other_is_told_why(world: World) -> None:
    ctx, week1 = world.ctx, world.round_id
    final, winner, other = await two_citizens(world)
    world.clock.advance(24 * 3600 + 10)
    await finalise.finalise(ctx, week1)
    assert len(await listed(world, final)) == 2 and "P3" in await listed(world, final)

    world.clock.advance(24 * 3600)  # the final opens
    refused = await other.post(f"/api/v1/rounds/{final}/attempts")
    assert refused.status_code == 403 and refused.json()["error"] == "not_qualified"
    assert refused.json()["detail"] == (
        "Vòng này chỉ dành cho 2 người đứng đầu mỗi đợt thi trước (Đợt thử). "
        "Bạn không có tên trong danh sách dự thi vòng này.")
    assert (await other.get(f"/api/v1/rounds/{final}/me")).json()["qualification"] == {
        "qualified": False, "list_ready": True}
    started = await winner.post(f"/api/v1/rounds/{final}/attempts")
    assert started.status_code == 201, started.text
    assert (await winner.get(f"/api/v1/rounds/{final}/me")).json()["qualification"] == {
        "qualified": True, "list_ready": True}
    # a round open to everyone says nothing, and the public page states the rule
    assert (await winner.get(f"/api/v1/rounds/{week1}/me")).json()["qualification"] is None
    rounds = (await winner.get("/api/v1/contests/thu")).json()["rounds"]
    assert [r["qualify"] for r in rounds] == [
        None, {"best_per_round": 2, "ties": "draw", "from": []}]
