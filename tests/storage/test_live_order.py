"""Property: for random attempts, Redis order and ranks == Python sorting == SQL ORDER BY.

Each example gets its own Redis keys (the embedded server, or REDIS_URL's) and its own SQL table
(in-memory SQLite, or DATABASE_URL's PostgreSQL) with the real timestamp column type.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import create_async_engine

from contest.domain.ranking import Standing, rank_all
from contest.storage import keys
from contest.storage.live import ALL, Entry, LiveBoards
from contest.storage.redis_client import make_redis
from contest.storage.types import UTCDateTime
from tests.conftest import REAL_DB

OPENS = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
_rounds = itertools.count(9_000_000 + os.getpid() % 1000 * 1000)

# Small ranges so that ties on every component, and exact ties, are common. Offsets step by
# 400 us: two submissions often share a millisecond but not a microsecond.
attempts = st.lists(
    st.tuples(st.integers(0, 4).map(lambda s: s * 1000), st.integers(0, 3),
              st.integers(0, 5).map(lambda o: o * 400)),
    min_size=1, max_size=40)


async def _redis_board(rows: list[Standing]) -> tuple[list[str], list[int], list[int]]:
    redis = make_redis(os.environ.get("REDIS_URL") or None)
    boards = LiveBoards(redis)
    round_id = next(_rounds)
    try:
        for s in reversed(rows):  # insertion order must not matter
            await boards.upsert(round_id, Entry(s, [keys.unit_scope("U")], 1, False))
        page = await boards.page(round_id, ALL, 0, 100)
        own = [(await boards.rank(round_id, s.participant_id)) for s in rows]
        unit = await boards.page(round_id, keys.unit_scope("U"), 0, 100)
        assert [e.rank for e in unit.entries] == [e.rank for e in page.entries]
        by_pid = {s.participant_id: r for s, r in zip(rows, own, strict=True)}
        return ([e.standing.participant_id for e in page.entries], [e.rank for e in page.entries],
                [by_pid[e.standing.participant_id][0] for e in page.entries])  # type: ignore[index]
    finally:
        await boards.drop_view(round_id, keys.LIVE)
        await redis.delete(keys.board_version(round_id))
        await redis.aclose()


async def _sql_board(rows: list[Standing]) -> tuple[list[str], list[int]]:
    url = os.environ["DATABASE_URL"] if REAL_DB else "sqlite+aiosqlite://"
    engine = create_async_engine(url)
    meta = sa.MetaData()
    table = sa.Table(f"lb_check_{uuid.uuid4().hex[:10]}", meta,
                     sa.Column("participant_id", sa.String(32), primary_key=True),
                     sa.Column("score_milli", sa.Integer), sa.Column("duration_ms", sa.Integer),
                     sa.Column("submitted_at", UTCDateTime()))
    try:
        async with engine.begin() as conn:
            await conn.run_sync(meta.create_all)
            await conn.execute(table.insert(), [
                {"participant_id": s.participant_id, "score_milli": s.score_milli,
                 "duration_ms": s.duration_ms,
                 "submitted_at": OPENS + timedelta(microseconds=s.submitted_offset_us)}
                for s in rows])
            c = table.c
            order = (c.score_milli.desc(), c.duration_ms, c.submitted_at)
            result = (await conn.execute(
                sa.select(c.participant_id, sa.func.rank().over(order_by=order))
                .order_by(*order, c.participant_id))).all()
            await conn.run_sync(meta.drop_all)
        return [r[0] for r in result], [int(r[1]) for r in result]
    finally:
        await engine.dispose()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attempts)
def test_redis_python_and_sql_agree_on_order_and_ranks(
        rows: list[tuple[int, int, int]]) -> None:
    standings = [Standing(score, dur, off, f"p{i:03d}") for i, (score, dur, off) in
                 enumerate(rows)]
    python = rank_all(standings)
    redis_order, redis_ranks, own_ranks = asyncio.run(_redis_board(standings))
    sql_order, sql_ranks = asyncio.run(_sql_board(standings))
    assert redis_order == [s.participant_id for _, s in python] == sql_order
    assert redis_ranks == [r for r, _ in python] == sql_ranks == own_ranks
