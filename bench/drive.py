"""Driving a scenario from one or more load processes: steady, herd and rush schedules."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from multiprocessing import get_context

import httpx

from bench.citizen import Env, attempt_flow, start_only
from bench.seed import session_cookie
from bench.stats import Recording


@dataclass(frozen=True)
class Plan:
    """One scenario for one load process (picklable)."""

    kind: str  # steady | herd | rush
    base_url: str
    slug: str
    round_id: int
    secret: str
    people: list[tuple[str, str]]  # (participant id, phone) this process may use
    sources: list[str] = field(default_factory=lambda: ["127.0.0.1"])
    proc_index: int = 0
    concurrency: int = 100  # steady: citizens at once
    duration_s: float = 120.0  # steady: how long new citizens keep arriving
    think_s: float = 0.5
    reload_p: float = 0.1  # share of attempts reloaded (GET attempt) along the way
    register_share: float = 0.005
    login_share: float = 0.005
    herd_s: float = 10.0  # herd: starts spread over this many seconds
    rate0: float = 5.0  # rush: first arrivals per second (this process's share)
    step_s: float = 60.0  # rush: the rate doubles every step
    max_steps: int = 6
    knee_p99_s: float = 1.0  # rush: stop once a step's answer-save p99 passes this
    knee_error_rate: float = 0.01  # rush: ... or its error share passes this
    drain_s: float = 90.0  # how long running citizens may finish after the schedule ends
    max_inflight: int = 6000


def _clients(plan: Plan, connections: int) -> tuple[list[httpx.AsyncClient], httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    timeout = httpx.Timeout(30.0, connect=10.0)
    clients = []
    for src in plan.sources:
        transport = httpx.AsyncHTTPTransport(local_address=src, limits=limits, retries=0)
        c = httpx.AsyncClient(base_url=plan.base_url, transport=transport, timeout=timeout,
                              headers={"user-agent": "contest-bench/1"})
        # One client serves many citizens: it must not keep anyone's cookies.
        c.cookies.extract_cookies = lambda response: None  # type: ignore[method-assign]
        clients.append(c)
    stream = httpx.AsyncClient(base_url=plan.base_url, timeout=httpx.Timeout(None, connect=10.0),
                               limits=httpx.Limits(max_connections=None))
    stream.cookies.extract_cookies = lambda response: None  # type: ignore[method-assign]
    return clients, stream


def _how(rng: random.Random, plan: Plan) -> str:
    x = rng.random()
    if x < plan.register_share:
        return "register"
    if x < plan.register_share + plan.login_share:
        return "login"
    return "session"


async def _run(plan: Plan) -> Recording:
    rec = Recording()
    connections = {"steady": plan.concurrency + 50, "herd": 2000, "rush": 3000}[plan.kind]
    clients, stream = _clients(plan, connections)
    env = Env(clients, plan.sources, stream, rec, plan.slug, plan.round_id, plan.think_s,
              reload_p=plan.reload_p)
    rng = random.Random(1000 + plan.proc_index)
    people = iter(enumerate(plan.people))
    new_phone = iter(range(10**7))

    async def one(i: int, pid: str, phone: str) -> None:
        how = _how(rng, plan)
        if how == "register":
            phone = f"08{plan.proc_index}{next(new_phone):07d}"
        cookie = session_cookie(plan.secret, pid) if how == "session" else None
        await attempt_flow(env, i, pid, phone, cookie, how, rng)

    try:
        if plan.kind == "steady":
            end = time.monotonic() + plan.duration_s

            async def slot(k: int) -> None:
                # stagger the slots so steady state is not a herd
                await asyncio.sleep(k / plan.concurrency * min(10.0, plan.duration_s / 4))
                while time.monotonic() < end:
                    nxt = next(people, None)
                    if nxt is None:
                        rec.notes.append("ran out of participants")
                        return
                    i, (pid, phone) = nxt
                    await one(i, pid, phone)

            tasks = [asyncio.create_task(slot(k)) for k in range(plan.concurrency)]
            await _bounded_wait(tasks, plan.duration_s + plan.drain_s)
        else:
            tasks = []
            rate = plan.rate0
            t_start = time.monotonic()
            if plan.kind == "herd":
                n = len(plan.people)
                for k, (pid, _phone) in enumerate(plan.people):
                    due = t_start + k * plan.herd_s / n
                    await asyncio.sleep(max(0.0, due - time.monotonic()))
                    rec.lag.append(max(0.0, time.monotonic() - due))
                    tasks.append(asyncio.create_task(
                        start_only(env, k, pid, session_cookie(plan.secret, pid))))
                await _bounded_wait(tasks, plan.drain_s)
            else:  # rush: open-loop arrivals doubling every step
                for step in range(plan.max_steps):
                    step_end = t_start + (step + 1) * plan.step_s
                    due = time.monotonic()
                    while due < step_end:
                        await asyncio.sleep(max(0.0, due - time.monotonic()))
                        rec.lag.append(max(0.0, time.monotonic() - due))
                        nxt = next(people, None)
                        if nxt is None:
                            rec.notes.append("ran out of participants")
                            break
                        tasks = [t for t in tasks if not t.done()]
                        if len(tasks) >= plan.max_inflight:
                            rec.notes.append(f"step {step}: {plan.max_inflight} citizens in "
                                             "flight, arrivals paused")
                            break
                        i, (pid, phone) = nxt
                        tasks.append(asyncio.create_task(one(i, pid, phone)))
                        due += rng.expovariate(rate)
                    rec.notes.append(f"step {step} ended at {rec.rel():.0f}s, "
                                     f"rate {rate:g}/s per process")
                    if _past_knee(rec, step_end - plan.step_s - rec.t0, plan):
                        rec.notes.append(f"knee passed in step {step}")
                        break
                    rate *= 2
                await _bounded_wait(tasks, plan.drain_s)
    finally:
        for c in [*clients, stream]:
            await c.aclose()
    return rec


def _past_knee(rec: Recording, since: float, plan: Plan) -> bool:
    from bench.stats import pct

    saves = [v for t, v in rec.lat.get("answer", []) if t >= since]
    total = sum(n for (_ep, _st), n in rec.status.items())
    bad = sum(n for (_ep, st), n in rec.status.items() if not st.startswith("2"))
    return bool(saves) and (pct(saves, 99) > plan.knee_p99_s
                            or bad > plan.knee_error_rate * max(1, total))


async def _bounded_wait(tasks: list[asyncio.Task[None]], timeout_s: float) -> None:
    if not tasks:
        return
    _done, pending = await asyncio.wait(tasks, timeout=timeout_s)
    for t in pending:
        t.cancel()
    for t in pending:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await t


def run_plan(plan: Plan) -> Recording:
    """Run one process's share of a scenario (entry point of a load process)."""
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
        pass
    return asyncio.run(_run(plan))


def run_split(plan: Plan, procs: int) -> Recording:
    """Run a scenario from `procs` load processes, each with its share of people and load."""
    if procs <= 1:
        return run_plan(plan)
    shares = []
    for k in range(procs):
        shares.append(replace(
            plan, people=plan.people[k::procs], proc_index=k,
            concurrency=max(1, plan.concurrency // procs), rate0=plan.rate0 / procs,
            sources=plan.sources[k::procs] or plan.sources))
    rec = Recording()
    with ProcessPoolExecutor(procs, mp_context=get_context("spawn")) as pool:
        for part in pool.map(run_plan, shares):
            rec.merge(part)
    return rec
