"""A worker's memory under a login flood: the argon2 bound against (nearly) no bound.

Serves one uvicorn worker on a temp SQLite file, sends wrong-password logins for unknown
phones (each costs a full argon2 verification, 64 MiB) from many connections for a few
seconds, samples the worker's resident memory, and prints baseline and peak per run:

    python -m bench.login_flood [--seconds 8] [--connections 120]

Run 1 uses the default bound (CONTEST_HASH_SLOTS=0: one hash per core); run 2 raises it to
64 slots, which is what the thread pool allowed before the bound existed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.servers import REPO, free_port, wait_port


def _rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _prepare(db_url: str) -> None:
    """Migrate a fresh database and add one visible contest, slug 'flood'."""
    from contest.storage.db import make_engine, make_sessionmaker, migrate, transaction
    from contest.storage.tables import Contest

    engine = make_engine(db_url)
    try:
        await migrate(engine)
        async with transaction(make_sessionmaker(engine)) as s:
            s.add(Contest(slug="flood", title="Flood", rules="", unit_root="BP",
                          groups=[{"code": "tudo", "name": "Tự do"}],
                          created_at=datetime.now(UTC)))
    finally:
        await engine.dispose()


async def _flood(base: str, pid: int, seconds: float, connections: int) -> dict[str, object]:
    """Send logins from `connections` loops for `seconds`; sample RSS every 50 ms."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    peak = baseline = _rss_mb(pid)
    codes: Counter[int] = Counter()
    stop = time.monotonic() + seconds

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        async def one(i: int) -> None:
            n = 0
            while time.monotonic() < stop:
                n += 1
                body = {"phone": f"09{(i * 100_000 + n) % 10**8:08d}", "password": "sai-mat-khau"}
                try:
                    r = await client.post("/api/v1/contests/flood/login", json=body)
                    codes[r.status_code] += 1
                except httpx.HTTPError:
                    codes[0] += 1

        async def sample() -> None:
            nonlocal peak
            while time.monotonic() < stop + 1:
                peak = max(peak, _rss_mb(pid))
                await asyncio.sleep(0.05)

        await asyncio.gather(sample(), *(one(i) for i in range(connections)))
    return {"baseline_mb": round(baseline), "peak_mb": round(peak), "codes": dict(codes)}


def run(slots: int, queue: int, seconds: float, connections: int) -> dict[str, object]:
    """One served worker with this hashing bound under the flood; its memory figures."""
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite+aiosqlite:///{tmp}/flood.sqlite3"
        asyncio.run(_prepare(db_url))
        port = free_port()
        env = {**os.environ, "DATABASE_URL": db_url, "CONTEST_DEV": "1",
               "CONTEST_HASH_SLOTS": str(slots), "CONTEST_HASH_QUEUE": str(queue),
               "CONTEST_LIMIT_IP_LOGIN": "1000000/60", "CONTEST_LOGIN_FREE_FAILURES": "1000",
               "CONTEST_MAX_INFLIGHT": "256"}
        env.pop("REDIS_URL", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "contest.app:factory",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
             "--no-access-log"], cwd=REPO, env=env)
        try:
            wait_port(port)
            time.sleep(0.5)  # let the worker settle before the baseline
            out = asyncio.run(_flood(f"http://127.0.0.1:{port}", proc.pid, seconds, connections))
        finally:
            proc.terminate()
            proc.wait(10)
    return {"hash_slots": slots or f"{os.cpu_count()} (cores)", **out}


def main() -> int:
    """Run the flood against the bounded and the unbounded worker and print both."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--connections", type=int, default=120)
    args = ap.parse_args()
    for slots, queue in ((0, 8), (64, 1000)):
        print(run(slots, queue, args.seconds, args.connections), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
