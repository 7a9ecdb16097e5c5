"""Fault drills against the real server under load, on PRIVATE PostgreSQL and Redis servers
(never the machine's shared ones): kill -9 a worker, restart Redis empty, stop PostgreSQL for
a while, and a slow client holding many SSE connections. Each drill reconciles at the end.

    .venv/bin/python -m bench.faults                 # every drill at bench size (~2 minutes)

tests/faults/ runs the same drills at a small size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.drive import Plan, run_plan
from bench.reconcile import reconcile
from bench.seed import Seeded, seed
from bench.servers import (
    BENCH_SECRET,
    AppServer,
    app_server,
    bench_env,
    private_postgres,
    private_redis,
)
from bench.stats import Recording, pct, render, summary
from contest.settings import Settings

DRILLS = ["kill_worker", "redis_restart", "postgres_outage", "slow_sse"]
THINK_S = 0.2  # mean think time per question in the drills' load (the tests use less)


@dataclass
class Stage:
    """The private servers and the seeded contest the drills share."""

    pg: Any
    redis: Any
    env: dict[str, str]
    settings: Settings
    seeded: Seeded


@dataclass
class DrillReport:
    """What a drill saw: load figures, fault-specific figures, reconciliation."""

    name: str
    figures: dict[str, Any] = field(default_factory=dict)
    reconciliation: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when reconciliation found nothing lost."""
        return bool(self.reconciliation.get("ok"))


def _steady(srv: AppServer, stage: Stage, round_name: str, citizens: int, seconds: float,
            offset: int, reload_p: float = 0.1) -> Plan:
    people = stage.seeded.participants[offset:]
    return Plan("steady", srv.base, stage.seeded.slug, stage.seeded.rounds[round_name],
                BENCH_SECRET, people, concurrency=citizens, duration_s=seconds, think_s=THINK_S,
                register_share=0.0, login_share=0.0, drain_s=30.0, reload_p=reload_p)


def _at(delay_s: float, action: Callable[[], None]) -> threading.Thread:
    """Run action after delay_s in a thread (the load runs in the main thread)."""
    def go() -> None:
        time.sleep(delay_s)
        action()

    t = threading.Thread(target=go, daemon=True)
    t.start()
    return t


def _finish(name: str, stage: Stage, rec: Recording, round_name: str,
            extra: dict[str, Any]) -> DrillReport:
    s = summary(rec)
    print(render(f"drill {name}", s), flush=True)
    rc = asyncio.run(reconcile(stage.settings, stage.seeded.rounds[round_name], rec,
                               board_wait_s=20.0))
    print(rc.render(), flush=True)
    for k, v in extra.items():
        print(f"  {k}: {v}")
    return DrillReport(name, {**extra, "load": s}, rc.as_dict())


def kill_worker(stage: Stage, citizens: int = 60, seconds: float = 20.0) -> DrillReport:
    """kill -9 one of two workers a third into a steady load; the supervisor starts another,
    clients retry, and every acknowledged answer and deadline survives."""
    killed: list[int] = []
    with app_server(stage.env, 2) as srv:
        def kill() -> None:
            pids = srv.worker_pids()
            if pids:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])

        plan = _steady(srv, stage, "kill_worker", citizens, seconds, 0, reload_p=0.5)
        _at(seconds / 3, kill)
        rec = run_plan(plan)
        after = srv.worker_pids()
    return _finish("kill -9 a worker", stage, rec, "kill_worker",
                   {"killed_pid": killed, "workers_after": len(after),
                    "resumes_checked": rec.resumes, "resume_mismatch": rec.resume_mismatch})


def redis_restart(stage: Stage, citizens: int = 60, seconds: float = 20.0,
                  down_s: float = 2.0) -> DrillReport:
    """Kill Redis (no persistence: it comes back empty) mid-round and start it again; the
    load goes on, and the boards are rebuilt from SQL and equal the SQL ranking."""
    with app_server(stage.env, 2) as srv:
        def bounce() -> None:
            stage.redis.kill()
            time.sleep(down_s)
            stage.redis.start()

        plan = _steady(srv, stage, "redis_restart", citizens, seconds, 0)
        _at(seconds / 2, bounce)
        rec = run_plan(plan)
    return _finish("restart Redis empty", stage, rec, "redis_restart",
                   {"redis_down_s": down_s})


def postgres_outage(stage: Stage, citizens: int = 30, seconds: float = 30.0,
                    down_s: float = 10.0) -> DrillReport:
    """Stop PostgreSQL for down_s under load: requests answer 503 with a clear message
    quickly (no 500, no hang) and the service recovers by itself once it is back."""
    probes: list[tuple[float, int, float, str]] = []  # (t, status, latency, error code)
    window: dict[str, float] = {}
    with app_server(stage.env, 2) as srv:
        stop = threading.Event()

        def probe() -> None:
            t0 = time.monotonic()
            with httpx.Client(base_url=srv.base, timeout=15.0) as c:
                while not stop.is_set() and time.monotonic() - t0 < seconds + 60:
                    t = time.monotonic()
                    try:
                        r = c.get(f"/api/v1/contests/{stage.seeded.slug}")
                        code = r.json().get("error", "") if r.status_code != 200 else ""
                        probes.append((t - t0, r.status_code, time.monotonic() - t, code))
                    except httpx.HTTPError as exc:
                        probes.append((t - t0, 0, time.monotonic() - t, type(exc).__name__))
                    time.sleep(0.25)

        def outage() -> None:
            window["down_at"] = time.monotonic()
            stage.pg.stop()
            time.sleep(down_s)
            stage.pg.start()
            window["up_at"] = time.monotonic()

        prober = threading.Thread(target=probe, daemon=True)
        t_start = time.monotonic()
        prober.start()
        _at(seconds / 3, outage)
        plan = _steady(srv, stage, "postgres_outage", citizens, seconds, 0)
        rec = run_plan(plan)
        # let the probe see the recovery before stopping it
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (probes and probes[-1][1] == 200
                                                  and "up_at" in window):
            time.sleep(0.25)
        stop.set()
        prober.join(timeout=20)
    down = window.get("down_at", t_start) - t_start
    up = window.get("up_at", t_start) - t_start
    during = [p for p in probes if down + 0.5 <= p[0] <= up - 0.5]
    after_up = [p for p in probes if p[0] >= up]
    recovered = next((p[0] - up for p in after_up if p[1] == 200), None)
    extra = {
        "down_s": down_s,
        "probe_statuses_during": sorted({p[1] for p in during}),
        "probe_error_codes_during": sorted({p[3] for p in during}),
        "probe_max_latency_during_ms": round(max((p[2] for p in during), default=0) * 1000),
        "probe_500s": sum(1 for p in probes if p[1] >= 500 and p[1] != 503),
        "recovered_after_s": None if recovered is None else round(recovered, 2),
    }
    return _finish("stop PostgreSQL", stage, rec, "postgres_outage", extra)


def _slow_sockets(port: int, path: str, n: int) -> list[socket.socket]:
    """n SSE connections with tiny receive buffers that are never read."""
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        s.connect(("127.0.0.1", port))
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream"
                  "\r\n\r\n".encode())
        socks.append(s)
    return socks


def slow_sse(stage: Stage, citizens: int = 40, seconds: float = 15.0,
             slow: int = 300) -> DrillReport:
    """A client holds `slow` leaderboard streams open and never reads them while citizens
    submit (so every stream has events to send): the citizens' latency must not suffer."""
    rid = stage.seeded.rounds["slow_sse"]
    out: dict[str, Any] = {"slow_streams": slow}
    recs = []
    with app_server(stage.env, 2) as srv:
        half = len(stage.seeded.participants) // 2  # the two runs share the round
        for label, n, offset in (("without", 0, 0), ("with", slow, half)):
            socks = _slow_sockets(srv.port, f"/api/v1/rounds/{rid}/leaderboard/stream?limit=100",
                                  n)
            try:
                plan = _steady(srv, stage, "slow_sse", citizens, seconds, offset)
                rec = run_plan(plan)
            finally:
                for s in socks:
                    s.close()
            saves = [v for _t, v in rec.lat.get("answer", [])]
            out[f"answer_p99_ms_{label}"] = round(pct(saves, 99) * 1000, 1)
            out[f"answer_p50_ms_{label}"] = round(pct(saves, 50) * 1000, 1)
            out[f"attempts_per_min_{label}"] = summary(rec)["attempts_per_min"]
            recs.append(rec)
    merged = recs[0]
    merged.merge(recs[1])
    return _finish("slow SSE client", stage, merged, "slow_sse", out)


def stage_up(participants: int = 80_000) -> Any:
    """Context manager: private PostgreSQL and Redis, seeded with one round per drill."""
    import contextlib

    @contextlib.contextmanager
    def cm() -> Any:
        with private_postgres() as pg, private_redis() as redis:
            env = bench_env(pg.url, redis.url, CONTEST_LIMIT_ANSWER="600/60")
            st = Settings.from_env(env)
            seeded = asyncio.run(seed(st, participants, DRILLS))
            yield Stage(pg, redis, env, st, seeded)

    return cm()


def main(argv: list[str] | None = None) -> int:
    """Run the chosen drills; print figures; write them as JSON when asked."""
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--drill", action="append", choices=DRILLS)
    p.add_argument("--json", type=Path)
    a = p.parse_args(argv)
    chosen = a.drill or DRILLS
    reports = []
    with stage_up() as stage:
        for name in chosen:
            print(f"\n--- drill {name}", flush=True)
            reports.append(globals()[name](stage))
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({r.name: {"figures": r.figures,
                                               "reconciliation": r.reconciliation}
                                      for r in reports}, indent=2, ensure_ascii=False))
    return 0 if all(r.ok for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
