"""The load harness: seeds a contest, starts the real server (uvicorn workers, PostgreSQL,
Redis; optionally nginx in front of two instances) and runs the scenarios.

    .venv/bin/python -m bench.load --scenario all            # everything, ~15 minutes
    .venv/bin/python -m bench.load --scenario steady --citizens 400 --duration 60

Scenarios: ratio (bare Starlette, one-Redis-round-trip Starlette, answer saves: closed-loop
throughput), herd (10,000 starts in 10 s), steady (N citizens doing the whole flow), rush
(arrivals doubling every minute to the knee). Each prints its figures and a reconciliation
against SQL and the live boards. Loopback only; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import rawhttp
from bench.drive import Plan, run_split
from bench.reconcile import reconcile
from bench.seed import Seeded, seed, session_cookie
from bench.servers import (
    BENCH_SECRET,
    REPO,
    VENV_BIN,
    app_server,
    bench_env,
    free_port,
    nginx,
    wait_http,
)
from bench.stats import per_minute, render, summary
from contest.settings import Settings

DEFAULT_DB = "postgresql+asyncpg://postgres@127.0.0.1:5432/contest_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
# Think time is compressed ~20x against a real citizen (0.5 s instead of ~10 s per question),
# so one simulated citizen saves answers ~20x faster than a person: the per-participant
# answer throttle is raised to match; start and submit throttles stay at their defaults.
BENCH_LIMITS = {"CONTEST_LIMIT_ANSWER": "600/60"}


def machine_load() -> str:
    """The 1-minute load average and the busiest other processes (the machine is shared)."""
    load = Path("/proc/loadavg").read_text().split()[0]
    top = subprocess.run(["ps", "-eo", "pcpu,comm", "--sort=-pcpu"], capture_output=True,
                         text=True).stdout.splitlines()[1:6]
    return f"loadavg {load}; top: " + "; ".join(" ".join(t.split()) for t in top)


def ensure_database(url: str) -> None:
    """CREATE DATABASE for the benchmark when missing (on the server the URL names)."""
    import asyncpg  # type: ignore[import-untyped]

    async def go() -> None:
        u = httpx.URL(url.replace("postgresql+asyncpg", "postgresql"))
        name = u.path.lstrip("/")
        conn = await asyncpg.connect(host=u.host, port=u.port or 5432, user=u.username,
                                     database="postgres")
        try:
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname=$1", name):
                await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(go())


class Run:
    """One harness invocation: settings, seeded contest, collected results."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.env = bench_env(args.db, args.redis, **BENCH_LIMITS)
        self.settings = Settings.from_env(self.env)
        self.results: dict[str, Any] = {"started": datetime.now(UTC).isoformat(),
                                        "machine_load_before": machine_load()}
        self.seeded: Seeded | None = None

    def seed(self, rounds: list[str], people: int) -> Seeded:
        """Fresh database and Redis db with the rounds and participants."""
        t = time.monotonic()
        ensure_database(self.args.db)
        self.seeded = asyncio.run(seed(self.settings, people, rounds))
        print(f"seeded {people} participants and rounds {self.seeded.rounds} in "
              f"{time.monotonic() - t:.1f} s", flush=True)
        return self.seeded

    def record(self, name: str, title: str, rec: Any, round_id: int, ips: bool = False) -> None:
        """Print a run's figures and its reconciliation; keep both for the results file."""
        s = summary(rec)
        print(render(title, s, per_minute(rec)), flush=True)
        for note in rec.notes[:20]:
            print("  note:", note)
        rc = asyncio.run(reconcile(self.settings, round_id, rec, expect_ips=ips))
        print(rc.render(), flush=True)
        s["reconciliation"] = rc.as_dict()
        s["notes"] = rec.notes[:50]
        s["machine_load_after"] = machine_load()
        self.results[name] = s

    # -- scenarios -------------------------------------------------------------------------

    def ratio(self) -> None:
        """Closed-loop throughput of bare Starlette, one Redis round trip, and answer saves."""
        a = self.args
        port = free_port()
        env = dict(self.env)
        proc = subprocess.Popen(
            [str(VENV_BIN / "uvicorn"), "bench.baseline:app", "--host", "127.0.0.1", "--port",
             str(port), "--workers", str(a.workers), "--no-access-log", "--log-level",
             "warning"], cwd=REPO, env=env, stdout=subprocess.DEVNULL)
        try:
            wait_http(f"http://127.0.0.1:{port}/bare", 30)
            bare = asyncio.run(rawhttp.closed_loop(
                port, lambda rng: rawhttp.build("GET", "/bare"), a.connections, a.ratio_s))
            red = asyncio.run(rawhttp.closed_loop(
                port, lambda rng: rawhttp.build(
                    "PUT", f"/redis/{rng.randrange(1000)}", b'{"option_ids":["a"]}'),
                a.connections, a.ratio_s))
        finally:
            proc.terminate()
            proc.wait(timeout=15)
        assert self.seeded is not None
        rid = self.seeded.rounds["ratio"]
        with app_server(self.env, a.workers) as srv:
            papers = asyncio.run(_start_papers(srv.base, rid, self.seeded.participants[:a.papers]))
            targets = [(cookie, aid, q["id"], [o["id"] for o in q["options"]], q["kind"])
                       for cookie, aid, qs in papers for q in qs]
            acks: list[tuple[str, str, tuple[str, ...]]] = []

            def make(rng: random.Random) -> bytes:
                cookie, aid, qid, opts, _kind = rng.choice(targets)
                choice = [rng.choice(opts)]
                acks.append((aid, qid, tuple(choice)))  # checked below only as 'exists'
                return rawhttp.build("PUT", f"/api/v1/attempts/{aid}/answers/{qid}",
                                     json.dumps({"option_ids": choice}).encode(),
                                     f"contest_session={cookie}")

            saves = asyncio.run(rawhttp.closed_loop(srv.port, make, a.connections, a.ratio_s))
        out = {"bare_starlette": bare, "one_redis_starlette": red, "answer_saves": saves,
               "saves_vs_bare": round(saves["rps"] / max(1.0, bare["rps"]), 3),
               "saves_vs_redis": round(saves["rps"] / max(1.0, red["rps"]), 3),
               "connections": a.connections, "seconds": a.ratio_s, "workers": a.workers}
        print(f"== ratio (closed loop, {a.connections} connections, {a.ratio_s:g} s each, "
              f"{a.workers} workers) ==")
        for k in ("bare_starlette", "one_redis_starlette", "answer_saves"):
            v = out[k]
            print(f"{k:<22}{v['rps']:>9} req/s  p50 {v['p50_ms']} ms  p99 {v['p99_ms']} ms  "
                  f"errors {v['errors']}")
        print(f"answer saves / bare = {out['saves_vs_bare']}, / one-Redis = "
              f"{out['saves_vs_redis']} (target >= 0.5)", flush=True)
        out["machine_load_after"] = machine_load()
        self.results["ratio"] = out

    def _servers(self, via: str) -> Any:
        """Context manager yielding (base url, client source addresses) for a run."""
        import contextlib

        a = self.args

        @contextlib.contextmanager
        def direct() -> Any:
            with app_server(self.env, a.workers) as srv:
                yield srv.base, ["127.0.0.1"]

        @contextlib.contextmanager
        def proxied() -> Any:
            env = {**self.env, "CONTEST_TRUSTED_PROXIES": "127.0.0.1"}
            with app_server(env, 1) as s1, app_server(env, 1) as s2, \
                    nginx([s1.port, s2.port]) as port:
                # clients come from distinct loopback addresses; the app must see each one
                yield f"http://127.0.0.1:{port}", [f"127.0.0.{k}" for k in range(2, 10)]

        return direct() if via == "direct" else proxied()

    def herd(self, via: str) -> None:
        """10,000 logged-in citizens start the round within 10 seconds."""
        a = self.args
        assert self.seeded is not None
        rid = self.seeded.rounds[f"herd-{via}"]
        with self._servers(via) as (base, sources):
            plan = Plan("herd", base, self.seeded.slug, rid, BENCH_SECRET,
                        self.seeded.participants[:a.herd], sources, herd_s=a.herd_s,
                        drain_s=60.0)
            rec = run_split(plan, a.procs)
        self.record(f"herd-{via}", f"herd via {via}: {a.herd} starts in {a.herd_s:g} s", rec,
                    rid, ips=via == "nginx")

    def steady(self, via: str) -> None:
        """N citizens at once doing the whole flow for the duration."""
        a = self.args
        assert self.seeded is not None
        rid = self.seeded.rounds[f"steady-{via}"]
        citizens = a.nginx_citizens if via == "nginx" and a.nginx_citizens else a.citizens
        with self._servers(via) as (base, sources):
            plan = Plan("steady", base, self.seeded.slug, rid, BENCH_SECRET,
                        self.seeded.participants, sources, concurrency=citizens,
                        duration_s=a.duration, think_s=a.think, drain_s=60.0)
            rec = run_split(plan, a.procs)
        self.record(f"steady-{via}", f"steady via {via}: {citizens} citizens, think "
                    f"{a.think:g} s/question, {a.duration:g} s", rec, rid, ips=via == "nginx")

    def rush(self) -> None:
        """Arrivals doubling every step until answer-save p99 or errors pass the bound."""
        a = self.args
        assert self.seeded is not None
        rid = self.seeded.rounds["rush-direct"]
        with self._servers("direct") as (base, sources):
            plan = Plan("rush", base, self.seeded.slug, rid, BENCH_SECRET,
                        self.seeded.participants, sources, think_s=a.think,
                        rate0=a.rush_rate0, step_s=a.rush_step, max_steps=a.rush_steps,
                        knee_p99_s=a.knee_ms / 1000, drain_s=45.0)
            rec = run_split(plan, a.procs)
        self.record("rush-direct", f"rush: arrivals from {a.rush_rate0:g}/s doubling every "
                    f"{a.rush_step:g} s (knee: answer p99 > {a.knee_ms} ms or 1% errors)",
                    rec, rid)
        # the knee per step, for the table
        steps = []
        for k in range(a.rush_steps):
            lo, hi = k * a.rush_step, (k + 1) * a.rush_step
            s = summary(rec, (lo, hi))
            if not s["endpoints"]:
                break
            ans = s["endpoints"].get("answer", {})
            steps.append({"step": k, "arrivals_per_s": a.rush_rate0 * 2**k,
                          "attempts_per_min": s["attempts_per_min"],
                          "answer_p99_ms": ans.get("p99_ms"), "errors": sum(s["errors"].values())})
            print(f"  step {k}: arrivals {a.rush_rate0 * 2**k:g}/s, completed "
                  f"{s['attempts_per_min']}/min, answer p99 {ans.get('p99_ms')} ms, "
                  f"errors {sum(s['errors'].values())}")
        self.results["rush-direct"]["steps"] = steps


async def _start_papers(base: str, round_id: int, people: list[tuple[str, str]]
                        ) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """Start an attempt for each person (20 at a time); (cookie, attempt id, questions)."""
    out = []
    sem = asyncio.Semaphore(20)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        client.cookies.extract_cookies = lambda response: None  # type: ignore[method-assign]

        async def one(pid: str) -> None:
            cookie = session_cookie(BENCH_SECRET, pid)
            async with sem:
                r = await client.post(f"/api/v1/rounds/{round_id}/attempts",
                                      headers={"cookie": f"contest_session={cookie}"})
            if r.status_code in (200, 201):
                out.append((cookie, r.json()["attempt_id"], r.json()["questions"]))

        await asyncio.gather(*(one(pid) for pid, _ in people))
    return out


SCENARIOS = ["ratio", "herd-direct", "herd-nginx", "steady-direct", "steady-nginx",
             "rush-direct"]


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, seed, run the chosen scenarios, write the results file."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--scenario", action="append", choices=[*SCENARIOS, "all"],
                   help="repeatable; default all")
    p.add_argument("--db", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    p.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    p.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    p.add_argument("--procs", type=int, default=1, help="load generator processes")
    p.add_argument("--citizens", type=int, default=800, help="steady: citizens at once")
    p.add_argument("--nginx-citizens", type=int, default=0,
                   help="steady via nginx: citizens at once (0: same as --citizens)")
    p.add_argument("--duration", type=float, default=120.0, help="steady: seconds")
    p.add_argument("--think", type=float, default=0.5, help="mean seconds per question")
    p.add_argument("--herd", type=int, default=10_000)
    p.add_argument("--herd-s", type=float, default=10.0)
    p.add_argument("--rush-rate0", type=float, default=1.0)
    p.add_argument("--rush-step", type=float, default=60.0)
    p.add_argument("--rush-steps", type=int, default=5)
    p.add_argument("--knee-ms", type=int, default=500)
    p.add_argument("--connections", type=int, default=64, help="ratio: connections")
    p.add_argument("--ratio-s", type=float, default=15.0)
    p.add_argument("--papers", type=int, default=500, help="ratio: attempts to save into")
    p.add_argument("--people", type=int, default=0, help="participants to seed (0: enough)")
    p.add_argument("--json", type=Path, help="write the figures here")
    a = p.parse_args(argv)
    chosen = SCENARIOS if not a.scenario or "all" in a.scenario else a.scenario
    need = max(a.herd, int(a.citizens * a.duration / max(1.0, 20 * a.think) * 1.3) + 1000,
               int(sum(a.rush_rate0 * 2**k * a.rush_step for k in range(a.rush_steps)) * 1.1),
               a.papers)
    run = Run(a)
    run.results["args"] = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(a).items()}
    run.seed([*chosen] if "ratio" in chosen else ["ratio", *chosen], a.people or need)
    t0 = time.monotonic()
    for name in chosen:
        print(f"\n--- {name} ({machine_load()})", flush=True)
        if name == "ratio":
            run.ratio()
        elif name.startswith("herd-"):
            run.herd(name.split("-")[1])
        elif name.startswith("steady-"):
            run.steady(name.split("-")[1])
        elif name == "rush-direct":
            run.rush()
    run.results["wall_s"] = round(time.monotonic() - t0, 1)
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(run.results, indent=2, ensure_ascii=False))
        print(f"figures written to {a.json}")
    ok = all(v.get("reconciliation", {}).get("ok", True) for v in run.results.values()
             if isinstance(v, dict))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
