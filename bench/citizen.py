"""One simulated citizen over HTTP: register or log in (or come back with a session),
start, answer with think time, reload now and then, submit, read the rank; some watch the
leaderboard stream. Retries are bounded; 429 answers are honoured (Retry-After)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass
from typing import Any

import httpx

from bench.seed import PASSWORD
from bench.stats import Recording

RETRIES = 5
RETRY_STATUSES = {502, 503, 504}
MAX_429_WAITS = 3


@dataclass
class Env:
    """What every citizen of a run shares: clients, the round, pacing and the recording."""

    clients: list[httpx.AsyncClient]  # one per source address (nginx runs) or one
    sources: list[str]
    stream_client: httpx.AsyncClient
    rec: Recording
    slug: str
    round_id: int
    think_s: float
    reload_p: float = 0.1
    stream_p: float = 0.05


class Session:
    """A citizen's cookies (kept per citizen: the shared client keeps none)."""

    def __init__(self, env: Env, index: int, session_cookie: str | None) -> None:
        self.env = env
        self.client = env.clients[index % len(env.clients)]
        self.source = env.sources[index % len(env.sources)]
        self.cookies: dict[str, str] = {}
        if session_cookie:
            self.cookies["contest_session"] = session_cookie

    def _header(self) -> dict[str, str]:
        if not self.cookies:
            return {}
        return {"cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    async def call(self, endpoint: str, method: str, url: str,
                   json: Any = None, retry: bool = True) -> httpx.Response | None:
        """One API call with bounded retries; records every try; None when all failed."""
        rec = self.env.rec
        waited_429 = 0
        for i in range(RETRIES):
            started = time.monotonic()
            try:
                r = await self.client.request(method, url, json=json, headers=self._header())
            except httpx.TimeoutException:
                rec.hit(endpoint, "timeout", started)
            except httpx.HTTPError as exc:
                rec.hit(endpoint, f"conn:{type(exc).__name__}", started)
            else:
                rec.hit(endpoint, str(r.status_code), started)
                for name in ("contest_session", "contest_device"):
                    if name in r.cookies:
                        self.cookies[name] = r.cookies[name]
                if r.status_code == 429 and waited_429 < MAX_429_WAITS:
                    waited_429 += 1
                    await asyncio.sleep(min(10.0, float(r.headers.get("retry-after", "1"))))
                    continue
                if r.status_code not in RETRY_STATUSES or not retry:
                    return r
            if not retry:
                return None
            await asyncio.sleep(min(2.0, 0.2 * 2**i) * random.uniform(0.5, 1.5))
        return None


async def think(env: Env) -> None:
    """Pause like a person reading a question (uniform around the mean)."""
    if env.think_s > 0:
        await asyncio.sleep(random.uniform(0.5, 1.5) * env.think_s)


def choose(q: dict[str, Any], rng: random.Random) -> list[str]:
    """A plausible choice: one option, or one or two for a multiple-choice question."""
    ids = [o["id"] for o in q["options"]]
    if q["kind"] == "multiple":
        return rng.sample(ids, rng.choice([1, 2]))
    return [rng.choice(ids)]


async def watch(env: Env, s: Session, stop: asyncio.Event) -> None:
    """Hold the leaderboard stream open until stop; count events."""
    url = f"/api/v1/rounds/{env.round_id}/leaderboard/stream?limit=10"
    started = time.monotonic()
    first = True
    with contextlib.suppress(httpx.HTTPError, asyncio.CancelledError):
        async with env.stream_client.stream("GET", url, headers=s._header()) as r:
            env.rec.hit("stream", str(r.status_code), started)
            async for line in r.aiter_lines():
                if line.startswith("event:"):
                    env.rec.sse_events += 1
                    if first:
                        env.rec.sse_first_event.append(time.monotonic() - started)
                        first = False
                if stop.is_set():
                    break


async def attempt_flow(env: Env, index: int, pid: str, phone: str,
                       session_cookie: str | None, how: str, rng: random.Random) -> bool:
    """The whole flow for one citizen; returns True when the attempt was submitted."""
    s = Session(env, index, session_cookie)
    rec = env.rec
    if how == "register":
        body = {"full_name": "Nguyễn Thị Đo Tải", "birth_date": "1995-03-04", "phone": phone,
                "password": PASSWORD, "unit_code": "BP", "group": "tudo", "consent": True}
        r = await s.call("register", "POST", f"/api/v1/contests/{env.slug}/register", body)
        if r is None or r.status_code != 201:
            return False
        pid = r.json()["participant_id"]
    elif how == "login":
        r = await s.call("login", "POST", f"/api/v1/contests/{env.slug}/login",
                         {"phone": phone, "password": PASSWORD})
        if r is None or r.status_code != 200:
            return False
    r = await s.call("start", "POST", f"/api/v1/rounds/{env.round_id}/attempts")
    if r is None or r.status_code not in (200, 201):
        return False
    paper = r.json()
    aid, deadline = paper["attempt_id"], paper["deadline"]
    rec.starts.append((pid, aid, deadline))
    rec.sources.append((aid, s.source))
    stop = asyncio.Event()
    watcher = (asyncio.create_task(watch(env, s, stop)) if rng.random() < env.stream_p
               else None)
    try:
        saved: dict[str, list[str]] = {}
        for q in paper["questions"]:
            await think(env)
            choice = choose(q, rng)
            r = await s.call("answer", "PUT", f"/api/v1/attempts/{aid}/answers/{q['id']}",
                             {"option_ids": choice})
            if r is not None and r.status_code == 200:
                rec.acks.append((aid, q["id"], tuple(r.json()["option_ids"])))
                saved[q["id"]] = choice
            if rng.random() < env.reload_p / len(paper["questions"]) * 4:
                r = await s.call("reload", "GET", f"/api/v1/attempts/{aid}")
                if r is not None and r.status_code == 200:
                    rec.resumes += 1
                    got = r.json()
                    if got["deadline"] != deadline or any(
                            sorted(got["answers"].get(k, [])) != sorted(v)
                            for k, v in saved.items()):
                        rec.resume_mismatch += 1
        r = await s.call("submit", "POST", f"/api/v1/attempts/{aid}/submit",
                         {"prediction": rng.randint(1000, 100000)})
        if r is None or r.status_code != 200:
            return False
        rec.submits.append((aid, float(r.json()["score"] or 0)))
        rec.completed.append(rec.rel())
        await s.call("me", "GET", f"/api/v1/rounds/{env.round_id}/me")
        return True
    finally:
        if watcher is not None:
            stop.set()
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher


async def start_only(env: Env, index: int, pid: str, session_cookie: str) -> None:
    """The herd: a logged-in citizen opens the round (one start, retried when refused)."""
    s = Session(env, index, session_cookie)
    r = await s.call("start", "POST", f"/api/v1/rounds/{env.round_id}/attempts")
    if r is not None and r.status_code in (200, 201):
        paper = r.json()
        env.rec.starts.append((pid, paper["attempt_id"], paper["deadline"]))
        env.rec.sources.append((paper["attempt_id"], s.source))
