"""Finalisation and export of a large round on PostgreSQL: time and peak memory.

    .venv/bin/python bench/finalise.py --attempts 100000 --attempts 1000000

Needs a PostgreSQL server (BENCH_PG, default postgresql://postgres@127.0.0.1/postgres); works
in a throwaway database (BENCH_DB, default `contest_bench_results`; dropped and re-created for
each size).
For each size the parent process bulk-loads synthetic participants, counted attempts and round
entries with COPY, then a fresh child process finalises the round and streams exports into
/dev/null, reporting wall time and its peak RSS (ru_maxrss) over its own idle baseline, so the
bulk load does not inflate the figure (VmHWM). The integrity scan (issue 5) is not part of the timed
finalisation here: it is replaced by an empty exclusion list (it is benchmarked on its own).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DB = os.environ.get("BENCH_DB", "contest_bench_results")
GROUPS = ("cbcc", "hssv", "tudo")
DISTRICTS = 11
COMMUNES = 10
OPENS = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
PRIZES = {
    "split": "group",
    "tiers": [{"code": "nhat", "name": "Giải Nhất", "count": 1},
              {"code": "nhi", "name": "Giải Nhì", "count": 2},
              {"code": "ba", "name": "Giải Ba", "count": 3},
              {"code": "kk", "name": "Giải Khuyến khích", "count": 10}],
    "max_share": 0.05, "min_age": 16,
    "collective": {"count": 3, "level": 2, "min_participation_rate": 0.05},
}


def admin_url() -> str:
    return os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1/postgres")


def db_url(driver: str = "postgresql+asyncpg") -> str:
    base = admin_url().rsplit("/", 1)[0].split("://", 1)[1]
    return f"{driver}://{base}/{DB}"


def peak_rss_mb() -> float:
    """Peak resident memory of this process image so far, in MiB.

    VmHWM (Linux) starts afresh at exec; ru_maxrss would carry over the parent's bulk-load
    peak into the child, so it is only the fallback.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def recreate_database() -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_url())
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        await conn.execute(f"CREATE DATABASE {DB}")
    finally:
        await conn.close()


def unit_csv() -> str:
    lines = ["code,name,parent_code,level,headcount", "BP,Tỉnh Bình Phước,,1,"]
    for d in range(DISTRICTS):
        lines.append(f"D{d:02d},Huyện số {d},BP,2,{40_000 + 5_000 * d}")
        lines.extend(f"D{d:02d}-X{x:02d},Xã {x} huyện {d},D{d:02d},3,"
                     for x in range(COMMUNES))
    return "\n".join(lines) + "\n"


def rows(n: int, round_id: int, contest_id: int, seed: int = 7) -> Iterator[
        tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]]:
    """(participant, attempt, entry) records of n synthetic entrants."""
    rnd = random.Random(seed)
    now = OPENS
    for i in range(n):
        pid = f"p{i:011d}"
        aid = f"a{i:011d}"
        unit = f"D{rnd.randrange(DISTRICTS):02d}-X{rnd.randrange(COMMUNES):02d}"
        birth = date(1950 + rnd.randrange(60), 1 + rnd.randrange(12), 1 + rnd.randrange(28))
        dur = rnd.randrange(30_000, 600_000)
        sub = OPENS + timedelta(milliseconds=rnd.randrange(6 * 86_400_000))
        score = 1000 * min(10, int(rnd.triangular(0, 11, 8)))
        pred = rnd.randrange(n // 2, n * 2) if rnd.random() < 0.95 else None
        yield ((pid, contest_id, "x", f"Người dự thi số {i}", birth, unit, GROUPS[i % 3],
                now, "", now),
               (aid, round_id, pid, 1, "submitted", sub - timedelta(milliseconds=dur),
                sub + timedelta(minutes=5), sub, False, score, 10_000, dur, pred),
               (round_id, pid, pred, aid, 1))


async def load(n: int) -> int:
    """A contest, unit tree, bank and closed round with n counted attempts; returns its id."""
    import asyncpg

    from contest.core.context import Services
    from contest.settings import Settings
    from contest.setup.bank_versions import import_bank
    from contest.setup.units import load_units, parse_units
    from contest.storage.db import make_engine, make_sessionmaker, migrate, transaction
    from contest.storage.redis_client import make_redis
    from contest.storage.tables import Contest, Round
    from tests.conftest import sample_bank

    settings = Settings(database_url=db_url(), dev_mode=True)
    engine = make_engine(settings.database_url)
    await migrate(engine)
    ctx = Services(settings=settings, sm=make_sessionmaker(engine), redis=make_redis(None))
    await load_units(ctx, parse_units(unit_csv()))
    version, _ = await import_bank(ctx, sample_bank())
    async with transaction(ctx.sm) as s:
        c = Contest(slug="bench", title="Bench", groups=[{"code": g, "name": g} for g in GROUPS],
                    unit_root="BP", created_at=OPENS)
        s.add(c)
        await s.flush()
        r = Round(contest_id=c.id, title="Đợt bench", opens_at=OPENS,
                  closes_at=OPENS + timedelta(days=7), bank_version_id=version.id,
                  questions_per_attempt=10, prediction_prompt="Bao nhiêu người?",
                  prediction_kind="participants", secret=secrets.token_bytes(32),
                  prizes=PRIZES)
        s.add(r)
        await s.flush()
        round_id, contest_id = r.id, c.id
    await ctx.redis.aclose()
    await engine.dispose()
    assert round_id is not None and contest_id is not None

    conn = await asyncpg.connect(db_url("postgresql"))
    try:
        batch = 100_000
        gen = rows(n, round_id, contest_id)
        while True:
            chunk = [next(gen, None) for _ in range(batch)]
            got = [c for c in chunk if c is not None]
            if not got:
                break
            await conn.copy_records_to_table(
                "participants", records=[p for p, _, _ in got],
                columns=["id", "contest_id", "password_hash", "full_name", "birth_date",
                         "unit_code", "group_code", "consent_at", "consent_version",
                         "created_at"])
            await conn.copy_records_to_table(
                "attempts", records=[a for _, a, _ in got],
                columns=["id", "round_id", "participant_id", "number", "status", "started_at",
                         "deadline", "submitted_at", "auto_submitted", "score_milli",
                         "max_score_milli", "duration_ms", "prediction"])
            await conn.copy_records_to_table(
                "round_entries", records=[e for _, _, e in got],
                columns=["round_id", "participant_id", "prediction", "counted_attempt_id",
                         "attempts_submitted"])
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return round_id


async def pg_cpu_s(admin: Any) -> float:
    """CPU seconds used so far by the PostgreSQL backends connected to the bench database
    (read from /proc: the server runs on this machine). Wall time on 2 shared cores depends
    on what else runs; CPU time says what the work itself costs."""
    rows = await admin.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", DB)
    return sum(proc_ticks(pid) for (pid,) in rows) / os.sysconf("SC_CLK_TCK")


def proc_ticks(pid: int) -> int:
    """utime + stime of a process in clock ticks (0 once it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


async def run(round_id: int, xlsx: bool) -> dict[str, Any]:
    """Finalise the round and stream its exports to nowhere; times, CPU and peak RSS."""
    import asyncpg

    from contest.core.context import Services
    from contest.results import exports, finalise
    from contest.settings import Settings
    from contest.storage.db import make_engine, make_sessionmaker
    from contest.storage.redis_client import make_redis

    settings = Settings(database_url=db_url(), dev_mode=True)
    engine = make_engine(settings.database_url)
    clock = OPENS + timedelta(days=8)
    ctx = Services(settings=settings, sm=make_sessionmaker(engine), redis=make_redis(None),
                   now=lambda: clock)

    async def nobody(_ctx: Services, _round: int) -> frozenset[str]:
        return frozenset()

    admin = await asyncpg.connect(admin_url())
    out: dict[str, Any] = {"baseline_rss_mb": round(peak_rss_mb(), 1)}
    cpu0, pg0 = time.process_time(), await pg_cpu_s(admin)
    t0 = time.perf_counter()
    summary = await finalise.finalise(ctx, round_id, actor="bench", exclusions=nobody)
    out["finalise_s"] = round(time.perf_counter() - t0, 1)
    out["finalise_cpu_app_s"] = round(time.process_time() - cpu0, 1)
    out["finalise_cpu_pg_s"] = round(await pg_cpu_s(admin) - pg0, 1)
    out["finalise_peak_rss_mb"] = round(peak_rss_mb(), 1)
    out["entrants"] = summary.entrants
    out["awards"] = summary.awards
    out["tied"] = summary.tied_entries
    total = out["finalise_s"]
    cpu0, pg0 = time.process_time(), await pg_cpu_s(admin)
    kinds = [("ranking", "csv"), ("winners_internal", "xlsx"), ("participation", "xlsx"),
             ("eligible", "csv")]
    if xlsx:
        kinds.append(("ranking", "xlsx"))
    for kind, fmt in kinds:
        t0 = time.perf_counter()
        if kind == "eligible":  # the public list the draw ran on, as /results/eligible.csv
            body = exports.eligible_csv(ctx, round_id)
        else:
            body = (await exports.export(ctx, round_id, kind, fmt, None, actor="bench")).body
        size = 0
        async for chunk in body:
            size += len(chunk)
        out[f"{kind}.{fmt}_s"] = round(time.perf_counter() - t0, 1)
        out[f"{kind}.{fmt}_mb"] = round(size / 1e6, 1)
        if (kind, fmt) != ("ranking", "xlsx"):
            total += out[f"{kind}.{fmt}_s"]
    # finalisation (ranking, prizes, draw, hash) + ranking CSV + winners and participation
    # XLSX + the eligible list: the issue 13 target (< 60 s at 1M)
    out["total_s"] = round(total, 1)
    out["exports_cpu_app_s"] = round(time.process_time() - cpu0, 1)  # includes ranking.xlsx
    out["exports_cpu_pg_s"] = round(await pg_cpu_s(admin) - pg0, 1)  # if it was asked for
    await admin.close()
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    await ctx.redis.aclose()
    await engine.dispose()
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--attempts", type=int, action="append")
    p.add_argument("--xlsx-ranking-up-to", type=int, default=100_000,
                   help="also export the full ranking as XLSX up to this size")
    p.add_argument("--child", type=int, help=argparse.SUPPRESS)
    p.add_argument("--child-xlsx", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(run(args.child, args.child_xlsx))))
        return 0
    for n in args.attempts or [100_000]:
        t0 = time.perf_counter()
        asyncio.run(recreate_database())
        round_id = asyncio.run(load(n))
        load_s = time.perf_counter() - t0
        child = [sys.executable, __file__, "--child", str(round_id)]
        if n <= args.xlsx_ranking_up_to:
            child.append("--child-xlsx")
        done = subprocess.run(child, capture_output=True, text=True, check=False)
        if done.returncode:
            print(done.stderr, file=sys.stderr)
            return done.returncode
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"attempts={n:,} load={load_s:.0f}s " +
              " ".join(f"{k}={v}" for k, v in figures.items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
