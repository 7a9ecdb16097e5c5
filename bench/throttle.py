"""Median latency the throttle adds to a participant request.

    .venv/bin/python bench/throttle.py                 # embedded Redis (fakeredis)
    REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/throttle.py

Times the exact call the handlers make (throttle.participant) on a warm worker: one Lua call.
(The answer-time note that used to be a second round trip per save is now a column written by
the save's own statement.) Uses its own temporary SQLite file; with REDIS_URL it writes keys
under contest:t:* of that database index only.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from datetime import UTC, date, datetime

from contest.core.context import Services
from contest.integrity import throttle
from contest.settings import Settings
from contest.storage import keys
from contest.storage.db import make_engine, make_sessionmaker, migrate, transaction
from contest.storage.redis_client import make_redis
from contest.storage.tables import Contest, Participant

N = 3000


async def main() -> None:
    folder = tempfile.mkdtemp(prefix="bench-throttle-")
    url = f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
    redis_url = os.environ.get("REDIS_URL") or None
    # a limit no benchmark loop reaches: we time the check, not the refusal
    settings = Settings(database_url=url, redis_url=redis_url, dev_mode=True,
                        limit_answer="1000000/60")
    engine = make_engine(url)
    await migrate(engine)
    redis = make_redis(redis_url)
    ctx = Services(settings=settings, sm=make_sessionmaker(engine), redis=redis)
    now = datetime.now(UTC)
    async with transaction(ctx.sm) as s:
        c = Contest(slug="bench", title="bench", created_at=now)
        s.add(c)
        await s.flush()
        assert c.id is not None
        s.add(Participant(id="bench-participant", contest_id=c.id, phone="0912345678",
                          password_hash="x", full_name="Bench Mark", birth_date=date(1990, 1, 1),
                          unit_code="X", group_code="tudo", consent_at=now, created_at=now))
    await throttle.participant(ctx, "bench-participant", "answer")  # warm: caches, script load

    async def timed(fn: object) -> list[float]:
        out = []
        for i in range(N):
            t0 = time.perf_counter()
            await fn(i)  # type: ignore[operator]
            out.append((time.perf_counter() - t0) * 1000)
        return out

    limit = await timed(lambda i: throttle.participant(ctx, "bench-participant", "answer"))
    backend = "real Redis " + redis_url if redis_url else "embedded Redis (fakeredis)"
    print(f"throttle bench: {N} calls each, {backend}")
    for name, xs in (("throttle.participant (per start/save/submit)", limit),):
        xs.sort()
        print(f"  {name}: median {statistics.median(xs):.3f} ms, "
              f"p95 {xs[int(len(xs) * 0.95)]:.3f} ms")
    await redis.delete(keys.throttle("answer", "bench-participant"))
    await redis.aclose()
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
