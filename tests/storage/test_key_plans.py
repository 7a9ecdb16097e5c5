"""The hot statements find their rows by key even when planned on empty tables.

A deployment's first round opening starts with `attempts` empty. The direct pools' plans are
made once per connection, so a plan made then must not scan `attempts` (it grows by 10,000
rows in the herd). The pools price sequential scans out (contest.storage.pg_direct); the
control shows the planner does choose one there without that setting.
"""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]
import pytest

from contest.storage.answer_writes import _PG_UPSERT, PostgresAnswerWriter
from contest.storage.start_writes import _INSERT, _READ
from tests.conftest import REAL_DB, World

pytestmark = pytest.mark.skipif(not REAL_DB, reason="PostgreSQL plans (DATABASE_URL)")

T = "'2026-11-20T20:00:00Z'"
# (statement, literal arguments of EXECUTE) as the pools run them
STATEMENTS = {
    "first start": (_INSERT, ["'{a}'", "'{1}'", "'{p}'", f"'{{{T[1:-1]}}}'",
                              f"'{{{T[1:-1]}}}'", "'{ua}'", "'{NULL}'", "'{NULL}'", "'{f}'",
                              "'{NULL}'", "'{NULL}'", "'{f}'", "'{a}'", "'{0}'", "'{1}'",
                              "'{q}'", "'{\"[]\"}'"]),
    "start read": (_READ, ["'1'", "'p'"]),
    "answer save": (_PG_UPSERT, ["'{a}'", "'{p}'", f"'{{{T[1:-1]}}}'", f"'{{{T[1:-1]}}}'",
                                 "'{q}'", "'{\"[]\"}'"]),
}


async def _generic_plan(world: World, statement: str, args: list[str],
                        settings: dict[str, str]) -> str:
    """The plan PostgreSQL keeps for the statement on a connection with these settings."""
    pool = world.ctx.starter
    assert pool is not None
    conn = await asyncpg.connect(pool.pool.dsn, server_settings={
        **settings, "plan_cache_mode": "force_generic_plan"})
    try:
        # as autovacuum leaves them a minute into a new deployment's first round: analysed
        # while (nearly) empty (never analysed, the planner assumes ten pages and uses keys)
        await conn.execute("ANALYZE attempts, attempt_questions, answers, attempt_signals")
        stmt = await conn.prepare(statement)
        rows = await conn.fetch(f"EXPLAIN EXECUTE {stmt.get_name()}({', '.join(args)})")
    finally:
        await conn.close()
    return "\n".join(r[0] for r in rows)


@pytest.mark.parametrize("name", sorted(STATEMENTS))
async def test_plans_on_empty_tables_use_keys(world: World, name: str) -> None:
    starter, writer = world.ctx.starter, world.ctx.answer_writer
    assert starter is not None and isinstance(writer, PostgresAnswerWriter)
    statement, args = STATEMENTS[name]
    # each statement with the settings of the pool that runs it
    pool = writer.pool if name == "answer save" else starter.pool
    plan = await _generic_plan(world, statement, args, pool.server_settings)
    assert "Seq Scan on attempts" not in plan, plan
    assert "Seq Scan on attempt_questions" not in plan, plan


async def test_without_the_setting_an_empty_table_is_scanned(world: World) -> None:
    statement, args = STATEMENTS["first start"]
    plan = await _generic_plan(world, statement, args, {})
    assert "Seq Scan on attempts" in plan
