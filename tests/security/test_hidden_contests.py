"""Item 13: a hidden contest serves neither results, answer key nor boards by direct URL."""

from __future__ import annotations

from sqlalchemy import update

from contest.results import finalise
from contest.storage.db import transaction
from contest.storage.tables import Contest
from tests.conftest import World
from tests.services.results_helpers import Person, seed_entries, set_round


async def test_hidden_contests_do_not_serve_results_or_the_key(world: World) -> None:
    rid = world.round_id
    await set_round(world.ctx, rid,
                    prizes={"tiers": [{"code": "nhat", "name": "Giải Nhất", "count": 1}]})
    await seed_entries(world.ctx, rid, [Person("P1", 5000)])
    world.clock.advance(24 * 3600 + 10)
    await finalise.finalise(world.ctx, rid)
    urls = [f"/api/v1/rounds/{rid}/results", f"/api/v1/rounds/{rid}/results/eligible.csv",
            f"/api/v1/rounds/{rid}/draw-commitment", f"/results/{rid}", f"/answer-key/{rid}",
            f"/api/v1/rounds/{rid}/leaderboard", f"/api/v1/rounds/{rid}/stats"]
    for url in urls:
        assert (await world.client.get(url)).status_code == 200, url
    async with transaction(world.ctx.sm) as s:
        await s.execute(update(Contest).values(visible=False))
    for url in urls:
        assert (await world.client.get(url)).status_code == 404, url
