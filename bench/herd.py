"""The round-open herd: N logged-in citizens press "Vào thi" within T seconds (open loop).

    .venv/bin/python -m bench.herd                       # 10,000 starts in 10 s, 2 workers
    .venv/bin/python -m bench.herd --people 2000 --over 10 --workers 1

Each citizen's start is scheduled at t0 + i * T/N and sent by wrk (bench/wrk.py, arrivals
mode) over up to C connections; the generator measures its own lag behind that schedule and
its CPU, and the run says so when the lag passes 1 s (then the figures understate the
server). Latency is from send to answer. Afterwards the reconciliation checks SQL: one
attempt per acknowledged start, none twice, every one with its integrity note.
Uses `contest_bench` on the local PostgreSQL and Redis db 13; loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from bench import wrk
from bench.load import ensure_database, machine_load
from bench.ratio import _cpu, _measured, storage_args, write_results
from bench.seed import seed, session_cookie
from bench.servers import BENCH_SECRET, app_server, bench_env
from contest.settings import Settings
from contest.storage.db import make_engine


async def reconcile(url: str, round_id: int) -> dict[str, int]:
    """Attempts, distinct participants, attempts without an integrity note or a paper, and
    paper rows and notes without an attempt (no foreign keys since migrations 0015 and 0017),
    from SQL."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            row = (await conn.execute(text(
                "SELECT count(*), count(DISTINCT a.participant_id), "
                "count(*) FILTER (WHERE s.attempt_id IS NULL), "
                "count(*) FILTER (WHERE (SELECT count(*) FROM attempt_questions q "
                "WHERE q.attempt_id = a.id) = 0), "
                "(SELECT count(*) FROM attempt_questions q WHERE NOT EXISTS "
                "(SELECT 1 FROM attempts x WHERE x.id = q.attempt_id)), "
                "(SELECT count(*) FROM attempt_signals g WHERE NOT EXISTS "
                "(SELECT 1 FROM attempts x WHERE x.id = g.attempt_id)) "
                "FROM attempts a LEFT JOIN attempt_signals s ON s.attempt_id = a.id "
                "WHERE a.round_id = :r"), {"r": round_id})).one()
    finally:
        await engine.dispose()
    return {"attempts": row[0], "participants": row[1], "without_note": row[2],
            "without_paper": row[3], "paper_without_attempt": row[4],
            "note_without_attempt": row[5]}


def main(argv: list[str] | None = None) -> int:
    """Seed, start the server, send the herd, reconcile; print and store the figures."""
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--people", type=int, default=10000)
    p.add_argument("--over", type=float, default=10.0, help="seconds the arrivals spread over")
    p.add_argument("--connections", type=int, default=1000)
    p.add_argument("--workers", type=int, default=2)
    storage_args(p)
    a = p.parse_args(argv)
    env = bench_env(a.db, a.redis, CONTEST_MAX_INFLIGHT="512", CONTEST_QUEUE_WAIT="5")
    ensure_database(a.db)
    seeded = asyncio.run(seed(Settings.from_env(env), a.people + 100, ["herd"]))
    rid = seeded.rounds["herd"]
    # as a browser sends them: the session and the device id the first answer gave it
    cookies = [f"contest_session={session_cookie(BENCH_SECRET, pid)}; contest_device=d{pid}"
               for pid, _ in seeded.participants]
    print(f"== herd: {a.people} starts over {a.over:g} s, {a.connections} connections, "
          f"{a.workers} worker(s) ==", flush=True)
    results: dict[str, Any] = {"started": datetime.now(UTC).isoformat(),
                               "machine_load_before": machine_load(), "args": vars(a)}
    with app_server(env, a.workers) as srv:
        # warm each worker (bank caches, pools), as a round open for minutes already is
        wrk.run(srv.base, [("POST", f"/api/v1/rounds/{rid}/attempts", {"Cookie": c}, "")
                           for c in cookies[:100]], "once", 50)
        herd = [("POST", f"/api/v1/rounds/{rid}/attempts", {"Cookie": c}, "")
                for c in cookies[100:100 + a.people]]
        with _cpu(srv.worker_pids()) as cpu:
            res = wrk.run(srv.base, herd, "arrivals", a.connections,
                          arrivals_over_s=a.over, timeout_s=60)
        out = _measured("herd starts", res, cpu)
    lag = res.lag_s
    print(f"  generator lag behind schedule: p50 {lag['p50']:.3f} s, p99 {lag['p99']:.3f} s, "
          f"max {lag['max']:.3f} s; generator CPU {res.generator_cpu_s} s", flush=True)
    if lag["p99"] > 1.0:
        print("  NOTE: the generator lagged more than 1 s behind the schedule: this was not a "
              "real herd of that size; the latency figures understate the wait", flush=True)
    rc = asyncio.run(reconcile(a.db, rid))
    ok = res.status.get("2xx", 0)
    rc_ok = rc["attempts"] == rc["participants"] and rc["without_paper"] == 0 \
        and rc["without_note"] == 0 and rc["paper_without_attempt"] == 0 \
        and rc["note_without_attempt"] == 0 \
        and rc["attempts"] >= ok
    print(f"  reconciliation: {rc} for {ok} acknowledged starts (+100 warm-up): "
          f"{'OK' if rc_ok else 'MISMATCH'}", flush=True)
    out.update(reconciliation=rc, reconciliation_ok=rc_ok)
    results["herd"] = out
    write_results(results, "herd")
    return 0 if rc_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
