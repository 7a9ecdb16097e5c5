"""Side by side in one run: bare Starlette, the one-Redis reference endpoint, and the engine's
starts, answer saves and submits on PostgreSQL + Redis, at 1 and 2 workers, with the CPU each
request costs the server (and PostgreSQL and Redis), measured from /proc.

    .venv/bin/python -m bench.ratio                      # 1 and 2 workers, ~12 minutes
    .venv/bin/python -m bench.ratio --workers 1 --seconds 15

The load generator is wrk (bench/wrk.py), closed loop over 64 connections like the reference
measurement in shared/perf; the reference endpoint and the answer saves alternate three times
and their median rates are compared (each pair's ratio is printed too). Uses the database
`contest_bench` on the local PostgreSQL (dropped and migrated per worker count) and Redis
db 13 (flushed). Writes bench/results/<UTC stamp>-ratio.json. Loopback only; every run
bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench import wrk
from bench.load import ensure_database, machine_load
from bench.seed import seed, session_cookie
from bench.servers import BENCH_SECRET, REPO, VENV_BIN, app_server, bench_env, free_port, wait_http
from contest.settings import Settings
from contest.storage.db import make_engine

RESULTS = REPO / "bench" / "results"
TICK = os.sysconf("SC_CLK_TCK")


def _cpu_by_pid(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each process still alive."""
    out: dict[int, float] = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / TICK
    return out


def _cpu_s(pids: list[int]) -> float:
    """User + system CPU seconds of the processes (those still alive)."""
    return sum(_cpu_by_pid(pids).values())


def _pids_named(name: str) -> list[int]:
    out = subprocess.run(["pgrep", "-x", name], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


@contextmanager
def _cpu(server_pids: list[int]) -> Iterator[dict[str, float]]:
    """CPU seconds the server, PostgreSQL and Redis spent inside the block."""
    groups = {"server": server_pids, "postgres": _pids_named("postgres"),
              "redis": _pids_named("redis-server")}
    before = {k: _cpu_by_pid(v) for k, v in groups.items()}
    used: dict[str, float] = {}
    yield used
    groups["postgres"] = sorted(set(groups["postgres"]) | set(_pids_named("postgres")))
    for k, v in groups.items():
        # per process: a backend that exits inside the block must not subtract its whole
        # life's CPU from the total (a negative PostgreSQL figure in an earlier run)
        after = _cpu_by_pid(v)
        used[k] = round(sum(t - before[k].get(pid, 0.0) for pid, t in after.items()), 3)


def storage_args(p: argparse.ArgumentParser) -> None:
    """--db and --redis: the benchmark's own database and Redis db index."""
    p.add_argument("--db", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1/contest_bench"))
    p.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL",
                                                     "redis://127.0.0.1:6379/13"))


def write_results(results: dict[str, Any], name: str) -> None:
    """Add the machine's load and store the figures in bench/results/<stamp>-<name>.json."""
    results["machine_load_after"] = machine_load()
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{datetime.now(UTC):%Y-%m-%d-%H%M}-{name}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"figures written to {path.relative_to(REPO)}")


def _measured(name: str, res: wrk.WrkResult, cpu: dict[str, float]) -> dict[str, Any]:
    ok = max(1, res.status.get("2xx", 0))
    out = res.as_dict()
    out["cpu_s"] = cpu
    out["server_cpu_ms_per_request"] = round(cpu.get("server", 0) * 1000 / ok, 3)
    out["postgres_cpu_ms_per_request"] = round(cpu.get("postgres", 0) * 1000 / ok, 3)
    print(f"  {name:<26}{res.rps:>9.0f} req/s  p50 {res.p50_ms:7.2f} ms  p99 {res.p99_ms:8.2f} ms"
          f"  status {res.status}  server CPU {out['server_cpu_ms_per_request']} ms/req"
          f"  postgres {out['postgres_cpu_ms_per_request']} ms/req"
          f"  wrk CPU {res.generator_cpu_s} s", flush=True)
    return out


Measure = Callable[[str], dict[str, Any]]


@contextmanager
def _baselines(workers: int, a: argparse.Namespace, env: dict[str, str]) -> Iterator[Measure]:
    """The reference app, up for the whole run; yields measure("bare" | "one_redis")."""
    port = free_port()
    proc = subprocess.Popen(
        [str(VENV_BIN / "uvicorn"), "bench.baseline:app", "--host", "127.0.0.1", "--port",
         str(port), "--workers", str(workers), "--no-access-log", "--log-level", "warning"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    rng = random.Random(7)
    bodies = [json.dumps({
        "user_id": f"user-{rng.randrange(100000):07d}", "contest_id": "c-2024-spring",
        "problem_id": f"p-{rng.randrange(1, 1000):03d}", "score": rng.randrange(1000000),
        "elapsed_ms": rng.randrange(1, 99999), "language": "python3", "verdict": "AC",
        "attempt": k % 10, "client_ts": 1716200000000 + k % 1000, "pad": "x" * 16})
        for k in range(2000)]
    requests = {
        "bare": ("bare Starlette", [("GET", "/bare", {}, "")]),
        "one_redis": ("Starlette ZADD+ZREVRANK",
                      [("POST", "/submit", {"Content-Type": "application/json"}, b)
                       for b in bodies]),
    }
    try:
        wait_http(f"{base}/bare", 30)
        pids = _children(proc.pid, workers)

        def measure(kind: str) -> dict[str, Any]:
            name, reqs = requests[kind]
            with _cpu(pids) as cpu:
                res = wrk.run(base, reqs, "cycle", a.connections, a.seconds)
            return _measured(name, res, cpu)

        yield measure
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=15)


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median rate, the others' rates kept beside it."""
    chosen = dict(sorted(runs, key=lambda r: r["rps"])[len(runs) // 2])
    chosen["rps_of_each_run"] = [r["rps"] for r in runs]
    return chosen


def _children(pid: int, workers: int) -> list[int]:
    if workers == 1:
        return [pid]
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


async def _papers(url: str, round_id: int) -> dict[str, tuple[str, list[tuple[str, list[str]]]]]:
    """participant id -> (attempt id, [(question public id, [option public ids])])."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(text(
                "SELECT a.participant_id, a.id, q.public_id, q.options FROM attempts a "
                "JOIN attempt_questions q ON q.attempt_id = a.id WHERE a.round_id = :r "
                "ORDER BY a.id, q.position"), {"r": round_id})).all()
    finally:
        await engine.dispose()
    out: dict[str, tuple[str, list[tuple[str, list[str]]]]] = {}
    for pid, aid, pub, options in rows:
        opts = json.loads(options) if isinstance(options, str) else options
        out.setdefault(pid, (aid, []))[1].append((pub, [str(o[1]) for o in opts]))
    return out


def _engine_run(workers: int, a: argparse.Namespace, baseline: Measure
                ) -> dict[str, Any]:
    env = bench_env(a.db, a.redis, CONTEST_LIMIT_ANSWER="600/60", CONTEST_MAX_INFLIGHT="256")
    settings = Settings.from_env(env)
    ensure_database(a.db)
    seeded = asyncio.run(seed(settings, a.people, ["ratio"]))
    rid = seeded.rounds["ratio"]
    # as a browser sends them: the session and the device id the first answer gave it
    cookies = {pid: f"contest_session={session_cookie(BENCH_SECRET, pid)}; "
                    f"contest_device=d{pid}" for pid, _ in seeded.participants}
    out: dict[str, Any] = {}
    with app_server(env, workers) as srv:
        pids = srv.worker_pids()
        # warm: each worker's bank caches and connection pools, as at any time of a round
        warm = list(cookies.items())[:200]
        wrk.run(srv.base, [("POST", f"/api/v1/rounds/{rid}/attempts", {"Cookie": c}, "")
                           for _, c in warm], "once", a.connections)
        starts = [("POST", f"/api/v1/rounds/{rid}/attempts", {"Cookie": c}, "")
                  for _, c in list(cookies.items())[200:]]
        with _cpu(pids) as cpu:
            res = wrk.run(srv.base, starts, "once", a.connections)
        out["starts"] = _measured("attempt starts", res, cpu)
        papers = asyncio.run(_papers(a.db, rid))
        rng = random.Random(11)
        saves = []
        for pid, (aid, qs) in papers.items():
            for qid, opts in qs:
                saves.append(("PUT", f"/api/v1/attempts/{aid}/answers/{qid}",
                              {"Cookie": cookies[pid], "Content-Type": "application/json"},
                              json.dumps({"option_ids": [rng.choice(opts)]})))
        rng.shuffle(saves)
        # As in a round open for minutes: every worker has met most running attempts (a
        # worker that did not serve an attempt's start reads its paper once, at the first
        # save it serves). Four saves per attempt, unmeasured, before the measured loop.
        wrk.run(srv.base, saves[-4 * len(papers):], "once", a.connections)
        # The reference and the saves alternate, --repeats times each, and the medians are
        # compared: on two shared cores either side's rate moves by a fifth from one 10 s
        # run to the next (shared/perf's README also takes the median of three).
        refs, runs = [], []
        for _ in range(a.repeats):
            refs.append(baseline("one_redis"))
            with _cpu(pids) as cpu:
                res = wrk.run(srv.base, saves, "cycle", a.connections, a.seconds)
            runs.append(_measured("answer saves", res, cpu))
        out["one_redis_starlette"] = _median_run(refs)
        out["answer_saves"] = _median_run(runs)
        out["saves_vs_one_redis_each_pair"] = [
            round(s["rps"] / max(r["rps"], 1.0), 3) for r, s in zip(refs, runs, strict=True)]
        batches = [("PUT", f"/api/v1/attempts/{aid}/answers",
                    {"Cookie": cookies[pid], "Content-Type": "application/json"},
                    json.dumps({"answers": [{"question_id": q, "option_ids": [rng.choice(o)]}
                                            for q, o in qs]}))
                   for pid, (aid, qs) in papers.items()]
        with _cpu(pids) as cpu:
            res = wrk.run(srv.base, batches, "once", a.connections)
        out["batch_saves_20"] = _measured("batch saves (20 answers)", res, cpu)
        submits = [("POST", f"/api/v1/attempts/{aid}/submit",
                    {"Cookie": cookies[pid], "Content-Type": "application/json"},
                    json.dumps({"prediction": 1000 + i}))
                   for i, (pid, (aid, _)) in enumerate(papers.items())]
        with _cpu(pids) as cpu:
            res = wrk.run(srv.base, submits, "once", a.connections)
        out["submits"] = _measured("submits", res, cpu)
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the baselines and the engine at each worker count; print and store the figures."""
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--seconds", type=float, default=10.0, help="each closed-loop run")
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--repeats", type=int, default=3,
                   help="reference and save runs, alternated; medians compared")
    p.add_argument("--people", type=int, default=3000, help="participants (one attempt each)")
    storage_args(p)
    a = p.parse_args(argv)
    results: dict[str, Any] = {"started": datetime.now(UTC).isoformat(),
                               "machine": f"{os.cpu_count()} cores",
                               "machine_load_before": machine_load(), "runs": {}}
    for w in a.workers:
        print(f"== {w} worker(s): wrk, {a.connections} connections, {a.seconds:g} s closed "
              f"loops; starts and submits once each over {a.people} participants ==",
              flush=True)
        env = bench_env(a.db, a.redis)
        with _baselines(w, a, env) as baseline:
            run = {"bare_starlette": baseline("bare")}
            run.update(_engine_run(w, a, baseline))
        ref = run["one_redis_starlette"]["rps"]
        run["saves_vs_one_redis"] = round(run["answer_saves"]["rps"] / max(ref, 1.0), 3)
        run["saves_vs_bare"] = round(run["answer_saves"]["rps"] /
                                     max(run["bare_starlette"]["rps"], 1.0), 3)
        print(f"  answer saves / one-Redis reference = {run['saves_vs_one_redis']} "
              f"(medians of {a.repeats} alternated runs; each pair "
              f"{run['saves_vs_one_redis_each_pair']}; target >= 0.5); "
              f"/ bare = {run['saves_vs_bare']}", flush=True)
        results["runs"][f"{w}_workers"] = run
    write_results(results, "ratio")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
