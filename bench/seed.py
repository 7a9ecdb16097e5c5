"""Seed a benchmark contest straight into storage: units, the demo bank, rounds, and
pre-registered participants inserted in bulk with one precomputed argon2 hash."""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import resources

from itsdangerous import TimestampSigner
from sqlalchemy import insert, text
from sqlmodel import SQLModel

import contest.storage.all_tables  # noqa: F401 - every table for DROP/CREATE
from contest.core import sessions
from contest.core.context import Services
from contest.core.crypto import cipher
from contest.people.accounts import _hasher
from contest.people.consent import DEFAULT_VERSION
from contest.settings import Settings
from contest.setup.bank_versions import import_bank
from contest.setup.demo import GROUPS, bank_dir, load_demo_bank
from contest.setup.units import load_units, parse_units
from contest.storage import keys
from contest.storage.db import make_engine, make_sessionmaker, migrate, transaction
from contest.storage.redis_client import make_redis
from contest.storage.tables import Contest, Participant, Round

SLUG = "bench"
PASSWORD = "matkhau123"
QUESTIONS = 20
FIRST_NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thu Dung",
               "Hoàng Minh Đức", "Vũ Thị Hà", "Đặng Quốc Huy", "Bùi Thanh Lan"]


@dataclass(frozen=True)
class Seeded:
    """What the harness needs to drive the seeded contest."""

    slug: str
    rounds: dict[str, int]  # scenario name -> round id
    participants: list[tuple[str, str]]  # (participant id, phone)
    units: list[str]


def session_cookie(secret: str, participant_id: str) -> str:
    """The `contest_session` cookie Starlette's SessionMiddleware would set for a login."""
    data = base64.b64encode(json.dumps({"pid": participant_id}).encode())
    return TimestampSigner(secret).sign(data).decode()


def phone_of(i: int) -> str:
    """A distinct valid Vietnamese mobile number for participant i."""
    return f"09{i:08d}"


async def reset_database(url: str) -> None:
    """Drop everything in the benchmark database and migrate it to head (PostgreSQL only)."""
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await migrate(engine)
    finally:
        await engine.dispose()
    assert SQLModel.metadata.tables  # all_tables imported


async def seed(settings: Settings, participants: int, scenarios: list[str],
               time_limit_s: int = 1800) -> Seeded:
    """Fresh schema, empty Redis db, a contest with one open ranked round per scenario
    (20 questions from the demo bank, one attempt each) and `participants` accounts."""
    await reset_database(settings.database_url)
    engine = make_engine(settings.database_url)
    redis = make_redis(settings.redis_url)
    await redis.flushdb()
    ctx = Services(settings=settings, sm=make_sessionmaker(engine), redis=redis)
    try:
        csv = resources.files("contest.data").joinpath("units-binh-phuoc.csv").read_text("utf-8")
        rows = parse_units(csv, "units-binh-phuoc.csv")
        await load_units(ctx, rows)
        version, _ = await import_bank(ctx, load_demo_bank(bank_dir() / "hien-phap-2013.yaml"))
        now = datetime.now(UTC)
        rounds: dict[str, int] = {}
        async with transaction(ctx.sm) as s:
            c = Contest(slug=SLUG, title="Cuộc thi đo tải", rules="Đo tải", groups=GROUPS,
                        unit_root="BP", created_at=now)
            s.add(c)
            await s.flush()
            assert c.id is not None and version.id is not None
            contest_id = c.id
            for name in scenarios:
                r = Round(contest_id=c.id, title=f"Đợt đo tải {name}",
                          opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=1),
                          bank_version_id=version.id, questions_per_attempt=QUESTIONS,
                          time_limit_s=time_limit_s, grace_s=5, max_attempts=1, counting="best",
                          prediction_prompt="Theo bạn, đợt thi này có bao nhiêu người tham gia?",
                          prediction_kind="participants", secret=secrets.token_bytes(32))
                s.add(r)
                await s.flush()
                assert r.id is not None
                rounds[name] = r.id
        leaves = [u.code for u in rows if u.level >= 2] or [rows[0].code]
        people = await insert_participants(ctx, contest_id, participants, leaves)
        # What each citizen's login left in Redis (core.sessions.remember): the copy of
        # the session version, so that, as on a real round opening, a first request after
        # logging in needs no SQL read to check the session.
        pipe = redis.pipeline(transaction=False)
        for pid, _ in people:
            pipe.set(keys.session_version(pid), 0, ex=sessions.COPY_TTL_S)
        await pipe.execute()
        return Seeded(SLUG, rounds, people, leaves)
    finally:
        await redis.aclose()
        await engine.dispose()


async def insert_participants(ctx: Services, contest_id: int, n: int,
                              units: list[str]) -> list[tuple[str, str]]:
    """Insert n participants in batches with one shared argon2 hash of PASSWORD."""
    data = cipher(ctx.settings)
    pw = _hasher.hash(PASSWORD)
    now = datetime.now(UTC)
    out: list[tuple[str, str]] = []
    batch: list[dict[str, object]] = []
    for i in range(n):
        pid = secrets.token_urlsafe(12)
        phone = phone_of(i)
        out.append((pid, phone))
        batch.append(dict(
            id=pid, contest_id=contest_id, phone_hash=data.lookup("phone", phone),
            phone_enc=data.encrypt(phone), password_hash=pw,
            full_name=f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {i}", birth_date=date(1990, 1, 1),
            gender=None, unit_code=units[i % len(units)], group_code=GROUPS[i % 3]["code"],
            id_number_enc=None, id_number_hash=None, email_enc=None, consent_at=now,
            consent_version=DEFAULT_VERSION, purged_at=None, created_at=now))
        if len(batch) >= 2000 or i == n - 1:
            async with transaction(ctx.sm) as s:
                await s.execute(insert(Participant), batch)
            batch = []
    return out
