"""The e2e suite's server: the demo contest plus a practice round, on a given port and database.

Run as ``python -m tests.e2e.server PORT DATABASE_URL``; the suite starts it in a subprocess.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
from datetime import timedelta

from sqlalchemy import select
from sqlmodel import col

from contest.core.context import Services
from contest.settings import Settings
from contest.setup.bank_versions import import_bank
from contest.setup.demo import bank_dir, ensure_demo, load_demo_bank
from contest.storage.db import make_engine, migrate, transaction
from contest.storage.tables import Round

PRACTICE_BANK = "pho-bien-giao-duc-phap-luat.yaml"


async def add_practice(ctx: Services) -> None:
    """Add a practice round beside the demo round (once), on another bank: a practice round
    shows its key, so it never shares the bank of a ranked round that has not closed."""
    ranked = await ensure_demo(ctx)
    version, _ = await import_bank(ctx, load_demo_bank(bank_dir() / PRACTICE_BANK))
    async with transaction(ctx.sm) as s:
        if await s.scalar(select(Round).where(col(Round.kind) == "practice")) is not None:
            return
        demo = await s.get(Round, ranked.id)
        assert demo is not None
        demo.score_shown = "submit"  # the journeys read the score and rank at once
        now = ctx.now()
        s.add(Round(
            contest_id=ranked.contest_id, title="Ôn tập Luật Phổ biến, giáo dục pháp luật",
            kind="practice",
            opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=30),
            bank_version_id=version.id, questions_per_attempt=5, time_limit_s=600,
            grace_s=5, max_attempts=None, counting="best", secret=secrets.token_bytes(32),
        ))


# A finalised round for the in-browser draw check (issue 16 item 12): three entrants tied on the
# whole chain (the draw orders them), prizes for two of them; E2E_FINALISED=1 adds it.
FINALISED_TITLE = "Đợt đã tổng kết"
FINALISED_PEOPLE = [("E1", 5000, 50_000), ("E2", 4000, 60_000), ("E3", 4000, 60_000),
                    ("E4", 4000, 60_000), ("E5", 3000, 70_000)]


async def add_finalised(ctx: Services) -> None:
    """A closed ranked round with a commitment, entrants and prizes, finalised (once)."""
    from contest.results.finalise import commit_draw, finalise
    from tests.services.results_helpers import Person, seed_entries

    ranked = await ensure_demo(ctx)
    now = ctx.now()
    async with transaction(ctx.sm) as s:
        if await s.scalar(select(Round).where(col(Round.title) == FINALISED_TITLE)) is not None:
            return
        r = Round(contest_id=ranked.contest_id, title=FINALISED_TITLE, kind="ranked",
                  opens_at=now - timedelta(days=3), closes_at=now + timedelta(days=2),
                  bank_version_id=ranked.bank_version_id, questions_per_attempt=5,
                  secret=secrets.token_bytes(32), prediction_prompt="Bao nhiêu người?",
                  prediction_kind="participants",
                  prizes={"tiers": [{"code": "nhat", "name": "Giải Nhất", "count": 1},
                                    {"code": "nhi", "name": "Giải Nhì", "count": 2}]})
        s.add(r)
    assert r.id is not None
    await commit_draw(ctx, r.id)
    await seed_entries(ctx, r.id, [
        Person(pid, score, duration_ms=ms, prediction=5, unit="BP-BUDANG", phone=f"09770000{i}")
        for i, (pid, score, ms) in enumerate(FINALISED_PEOPLE)])
    async with transaction(ctx.sm) as s:
        found = await s.get(Round, r.id)
        assert found is not None
        found.closes_at = now - timedelta(days=1)
    await finalise(ctx, r.id)


async def prepare(settings: Settings) -> None:
    """Migrate and load the demo data."""
    from contest.cli.runtime import with_services

    engine = make_engine(settings.database_url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()
    await with_services(settings, add_practice)
    if os.environ.get("E2E_FINALISED") == "1":
        await with_services(settings, add_finalised)


def main() -> None:
    import uvicorn

    from contest.app import create_app

    port, url = int(sys.argv[1]), sys.argv[2]
    settings = Settings.from_env(database_url=url, dev_mode=True, redis_url=None)
    asyncio.run(prepare(settings))
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
