"""Shared fixtures: a fresh database and Redis per test, a controllable clock, an API client.

Runs against the embedded defaults (a SQLite file, in-process Redis) unless DATABASE_URL and
REDIS_URL point at real servers, in which case every test uses those (each xdist worker its
own database and Redis db index: tests/storage_setup.py). Each test's database is a copy of
one migrated once per session; passwords are hashed at argon2's lowest cost
(CONTEST_ARGON2_COST=test) except where a test asks for the production cost.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from contest.app import create_app
from contest.console import staff as console_staff
from contest.core.context import Services
from contest.domain.bank import Bank, BankOption, BankQuestion
from contest.people import accounts
from contest.settings import Settings
from contest.setup.bank_versions import import_bank
from contest.setup.units import load_units, parse_units
from contest.storage.db import make_engine, make_sessionmaker, transaction
from contest.storage.redis_client import make_redis
from contest.storage.tables import Contest, Round
from tests import storage_setup
from tests.storage_setup import REAL_DB, REAL_REDIS, database_url

REPO = Path(__file__).resolve().parent.parent

UNITS_CSV = """code,name,parent_code,level
BP,Tỉnh Bình Phước,,1
BP-DONGXOAI,Thành phố Đồng Xoài,BP,2
BP-BUDANG,Huyện Bù Đăng,BP,2
BP-BUDANG-THPT,Trường THPT Bù Đăng,BP-BUDANG,3
"""


@dataclass
class Clock:
    """The server's clock under the test's control."""

    current: datetime = field(default_factory=lambda: datetime(2026, 11, 20, 3, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


def sample_bank(n: int = 12, code: str = "test-bank") -> Bank:
    """A bank of n questions: mostly single choice, every fourth multiple."""
    questions = []
    for i in range(n):
        kind = "multiple" if i % 4 == 3 else "single"
        options = tuple(
            BankOption(f"Câu {i} phương án {c}", correct=c == "A" or (kind, c) == ("multiple", "C"))
            for c in "ABCD"
        )
        questions.append(BankQuestion(
            ext_id=f"q{i:03d}", kind=kind, text=f"Câu hỏi thử số {i}?", options=options,
            topic="Chung" if i % 2 else "Riêng", difficulty=("easy", "medium", "hard")[i % 3],
            basis=f"Điều {i + 1} Luật thử",
        ))
    return Bank(code=code, title="Ngân hàng thử", questions=tuple(questions),
                topics=("Chung", "Riêng"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=database_url(tmp_path),
                    redis_url=os.environ.get("REDIS_URL") or None, dev_mode=True,
                    static_dir=str(REPO / "static"), argon2_cost="test")


@pytest.fixture
async def services(settings: Settings, clock: Clock) -> AsyncIterator[Services]:
    """Services on a fresh database and an empty Redis, outside any app."""
    await storage_setup.fresh_database(settings.database_url)
    engine = make_engine(settings.database_url)
    redis = make_redis(settings.redis_url)
    await redis.flushdb()
    ctx = Services(settings=settings, sm=make_sessionmaker(engine), redis=redis, now=clock.now)
    yield ctx
    await ctx.close()
    await redis.aclose()
    await engine.dispose()


@dataclass
class World:
    """A running app with a client, its services and helpers to set up contests."""

    app: Any
    ctx: Services
    clock: Clock
    make_client: Callable[[], httpx.AsyncClient]
    client: httpx.AsyncClient
    round_id: int = 0

    async def add_round(self, **overrides: Any) -> int:
        """Create a round of the test contest (open now for a day unless overridden)."""
        now = self.clock.now()
        async with transaction(self.ctx.sm) as s:
            contest = (await s.execute(text("SELECT id FROM contests WHERE slug='thu'"))).scalar()
            version = (await s.execute(text("SELECT max(id) FROM bank_versions"))).scalar()
            values: dict[str, Any] = dict(
                contest_id=contest, title="Đợt thử", opens_at=now - timedelta(minutes=5),
                closes_at=now + timedelta(days=1), bank_version_id=version,
                questions_per_attempt=5, time_limit_s=600, grace_s=5, max_attempts=2,
                counting="best", prediction_prompt="Bao nhiêu người tham gia?",
                prediction_kind="participants", secret=secrets.token_bytes(32),
                score_shown="submit",  # these tests read scores at submit (issue 14: opt-in)
            )
            values.update(overrides)
            r = Round(**values)
            s.add(r)
        assert r.id is not None
        return r.id

    async def register(self, client: httpx.AsyncClient | None = None, phone: str = "0912345678",
                       **extra: Any) -> httpx.Response:
        body = {"full_name": "Nguyễn Thị Bích Ngọc", "birth_date": "1990-05-21", "phone": phone,
                "password": "matkhau123", "unit_code": "BP-BUDANG-THPT", "group": "tudo",
                "consent": True, **extra}
        return await (client or self.client).post("/api/v1/contests/thu/register", json=body)


@pytest.fixture
async def world(settings: Settings, clock: Clock) -> AsyncIterator[World]:
    """The app on fresh storage with a contest 'thu', a 12-question bank and one open round."""
    await storage_setup.fresh_database(settings.database_url)
    if settings.redis_url:
        r = make_redis(settings.redis_url)
        await r.flushdb()
        await r.aclose()
    app = create_app(settings, now=clock.now, sweep=False)
    async with app.router.lifespan_context(app):
        ctx: Services = app.state.services
        await ctx.redis.flushdb()
        await load_units(ctx, parse_units(UNITS_CSV))
        await import_bank(ctx, sample_bank())
        async with transaction(ctx.sm) as s:
            s.add(Contest(slug="thu", title="Cuộc thi thử", rules="Thể lệ thử",
                          groups=[{"code": "tudo", "name": "Tự do"},
                                  {"code": "hssv", "name": "Học sinh, sinh viên"}],
                          unit_root="BP", created_at=clock.now()))
        clients: list[httpx.AsyncClient] = []

        def make_client() -> httpx.AsyncClient:
            c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
            clients.append(c)
            return c

        w = World(app=app, ctx=ctx, clock=clock, make_client=make_client, client=make_client())
        w.round_id = await w.add_round()
        try:
            yield w
        finally:
            for c in clients:
                await c.aclose()


def pytest_report_header() -> list[str]:
    return [f"storage: {'PostgreSQL' if REAL_DB else 'SQLite file'} + "
            f"{'real Redis' if REAL_REDIS else 'embedded Redis'}"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def cheap_dummy_hashes(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    """Unknown accounts are verified against a dummy hash (so both answers take the same
    time); made at import with the production cost, here at the test cost like every hash the
    test settings make. tests/security/test_password_cost.py checks the production cost."""
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", hasher.hash("not-a-real-password"))
    monkeypatch.setattr(console_staff, "_DUMMY_HASH", hasher.hash("not-a-real-password"))
    return hasher


@pytest.fixture(autouse=True)
def _no_env_leak(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    yield


def _runs_tests(config: pytest.Config) -> bool:
    """False in xdist's controller, which only hands tests to its workers."""
    return bool(storage_setup.WORKER) or not getattr(config.option, "numprocesses", None)


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI's real-service run, refuse to run on anything but PostgreSQL and Redis; on
    PostgreSQL, migrate this worker's template database before the first test."""
    if os.environ.get("CONTEST_REQUIRE_REAL") and not (REAL_DB and REAL_REDIS):
        raise pytest.UsageError("CONTEST_REQUIRE_REAL is set but DATABASE_URL/REDIS_URL "
                                "do not point at PostgreSQL and Redis")
    if REAL_DB and _runs_tests(session.config):
        asyncio.run(storage_setup.prepare_worker())


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Drop the PostgreSQL databases this worker made."""
    storage_setup.drop_databases()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark tests/e2e as e2e (CI runs it once) and spread its modules through the run."""
    browser = [item for item in items if "/tests/e2e/" in str(item.path)]
    for item in browser:
        item.add_marker(pytest.mark.e2e)
    others = [item for item in items if "/tests/e2e/" not in str(item.path)]
    items[:] = _spread(browser, others)


def _spread(browser: list[pytest.Item], rest: list[pytest.Item]) -> list[pytest.Item]:
    """The browser modules, largest first, at even intervals over the first three quarters of
    the other tests, each between two modules and kept whole.

    A browser test mostly waits on the emulated slow network while its Chromium and server
    use some CPU; under xdist (`--dist load`, tests handed out in this order) one worker's
    browser test then runs beside the other worker's CPU-bound tests, instead of every worker
    waiting on browsers at the end (embedded run, two workers: 2:30 against 2:47). Between
    modules, so that no module-scoped fixture is made twice by one worker for it. While a
    browser module's Playwright runs, an event loop runs in the main thread; its Chromium is
    module-scoped and closes before the worker's next module, whose tests may call
    asyncio.run(). (xdist's loadgroup/loadscope would keep groups on one worker, but with
    pytest 9 they drop tests: they schedule by node id, and schemathesis's tests share their
    function's.)
    """
    modules: dict[Path, list[pytest.Item]] = {}
    for item in browser:
        modules.setdefault(item.path, []).append(item)
    starts = [k for k in range(1, len(rest)) if rest[k].path != rest[k - 1].path]
    placed: dict[int, list[pytest.Item]] = {}
    for j, module in enumerate(sorted(modules.values(), key=len, reverse=True)):
        target = len(rest) * 3 * j // (4 * len(modules))
        at = next((k for k in [0, *starts] if k >= target), len(rest))
        placed.setdefault(at, []).extend(module)
    ordered: list[pytest.Item] = []
    for k, item in enumerate(rest):
        ordered += placed.pop(k, [])
        ordered.append(item)
    for module_items in placed.values():
        ordered += module_items
    return ordered
