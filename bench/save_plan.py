"""PostgreSQL's CPU per group-commit statement of the answer save, by shape, plan mode and batch.

    .venv/bin/python -m bench.ratio --workers 1     # leaves 3,000 attempts in contest_bench
    .venv/bin/python bench/save_plan.py             # then this

Compares the save's upsert as it shipped first (the batch joined to `attempts` on the id,
which the planner may turn into a scan of every running attempt when its statistics are
stale, and a custom plan per execution) with the statement of `contest/storage/answer_writes.py`
(a LATERAL probe of each row's attempt by key, under `plan_cache_mode = force_generic_plan`),
at batches of 1, 10 and 26 answers. The CPU is the server backend's own, read from /proc
(PostgreSQL must run on this machine). Everything happens in one transaction that is rolled
back: the benchmark database is left as it was (the attempts are set running inside it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from datetime import UTC, datetime, timedelta

import asyncpg

from bench.ratio import _cpu_s
from contest.storage.answer_writes import _PG_UPSERT

# The first version's statement, kept here to measure against.
_JOINED = """
INSERT INTO answers (attempt_id, question_public_id, option_ids, saved_at, first_saved_at, saves)
SELECT a.id, q.qid, q.opts::json, q.at, q.at, 1
FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[],
            $6::text[]) AS q(aid, pid, earliest, at, qid, opts)
JOIN attempts a ON a.id = q.aid
WHERE a.participant_id = q.pid AND a.status = 'running' AND a.deadline >= q.earliest
  AND EXISTS (SELECT 1 FROM attempt_questions aq
              WHERE aq.attempt_id = a.id AND aq.public_id = q.qid)
ON CONFLICT (attempt_id, question_public_id) DO UPDATE
SET option_ids = EXCLUDED.option_ids, saved_at = EXCLUDED.saved_at, saves = answers.saves + 1
RETURNING attempt_id, question_public_id
"""


def _backend_cpu_s(pid: int) -> float:
    return _cpu_s([pid])


async def main(dsn: str, statements: int) -> None:
    """Print PostgreSQL CPU per statement and per answer for each shape, mode and batch."""
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            running = await conn.execute(
                "UPDATE attempts SET status = 'running', deadline = now() + interval '1 day'")
            rows = await conn.fetch(
                "SELECT a.id, a.participant_id, q.public_id, q.options FROM attempts a "
                "JOIN attempt_questions q ON q.attempt_id = a.id")
            if not rows:
                raise SystemExit("no attempts: run `python -m bench.ratio --workers 1` first")
            print(f"{running.split()[-1]} running attempts, {len(rows)} paper rows; "
                  f"{statements} statements per line")
            rng = random.Random(1)
            pid = await conn.fetchval("SELECT pg_backend_pid()")
            for name, stmt in (("joined (first version)", _JOINED),
                               ("LATERAL probe (now)", _PG_UPSERT)):
                for mode in ("auto", "force_generic_plan"):
                    await conn.execute(f"SET LOCAL plan_cache_mode = {mode}")
                    for batch in (1, 10, 26):
                        cpu0, t0 = _backend_cpu_s(pid), time.perf_counter()
                        for _ in range(statements):
                            pick = {(r[0], r[2]): r for r in rng.sample(rows, batch)}.values()
                            now = datetime.now(UTC)
                            opts = [json.loads(r[3]) if isinstance(r[3], str) else r[3]
                                    for r in pick]
                            await conn.fetch(
                                stmt, [r[0] for r in pick], [r[1] for r in pick],
                                [now - timedelta(minutes=5)] * len(pick), [now] * len(pick),
                                [r[2] for r in pick], [json.dumps([o[0][1]]) for o in opts])
                        cpu = (_backend_cpu_s(pid) - cpu0) * 1000 / statements
                        wall = (time.perf_counter() - t0) * 1000 / statements
                        print(f"  {name:<24} {mode:<19} batch {batch:>2}: {cpu:6.3f} ms "
                              f"PostgreSQL CPU per statement, {cpu / batch:6.3f} per answer; "
                              f"{wall:6.2f} ms wall", flush=True)
            raise _RollBack()
    except _RollBack:
        pass
    finally:
        await conn.close()


class _RollBack(Exception):
    """Leave the benchmark database as it was."""


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dsn", default="postgresql://postgres@127.0.0.1/contest_bench")
    p.add_argument("--statements", type=int, default=300)
    a = p.parse_args()
    asyncio.run(main(a.dsn, a.statements))
