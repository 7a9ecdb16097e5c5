"""Migration 0016: rounds keep the draw their papers were made with. A round that existed
before it draws (and re-derives) with version 1; a round created after it with the latest."""

from __future__ import annotations

from sqlalchemy import text

from contest.domain.draw import LATEST_DRAW
from contest.integrity.paper_audit import rederive_paper
from contest.storage.db import migrate
from tests.conftest import World
from tests.storage_setup import downgrade


async def _papers_ids(world: World, phone: str) -> tuple[str, list[str]]:
    client = world.make_client()
    await world.register(client, phone=phone)
    resp = await client.post(f"/api/v1/rounds/{world.round_id}/attempts")
    assert resp.status_code == 201, resp.text
    paper = resp.json()
    return paper["attempt_id"], [q["id"] for q in paper["questions"]]


async def test_rounds_from_before_keep_version_1_and_new_rounds_draw_the_latest(
        world: World) -> None:
    async with world.ctx.sm() as s:
        assert (await s.execute(text("SELECT draw_version FROM rounds WHERE id = :r"),
                                {"r": world.round_id})).scalar_one() == LATEST_DRAW == 2
    new_attempt, new_ids = await _papers_ids(world, "0911111111")
    assert (await rederive_paper(world.ctx, new_attempt))["matches"] is True
    # as the round had been created before the migration: down to 0015 and up again
    engine = world.ctx.sm.kw["bind"]
    await downgrade(engine, "0015")
    await migrate(engine)
    async with world.ctx.sm() as s:
        assert (await s.execute(text("SELECT draw_version FROM rounds WHERE id = :r"),
                                {"r": world.round_id})).scalar_one() == 1
    old_attempt, old_ids = await _papers_ids(world, "0922222222")
    # version 1 ids are 16 base32 digits, version 2's 20 hex digits
    assert all(len(i) == 16 for i in old_ids) and all(len(i) == 20 for i in new_ids)
    assert (await rederive_paper(world.ctx, old_attempt))["matches"] is True
    # the column is what picks the draw: the version 2 paper no longer re-derives under 1
    assert (await rederive_paper(world.ctx, new_attempt))["matches"] is False
