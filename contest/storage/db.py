"""The async SQL engine, sessions, and migrations run in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def make_engine(url: str) -> AsyncEngine:
    """Create the engine for url; for SQLite, make the folder and enable WAL and a busy wait."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30},
                                     json_deserializer=orjson.loads)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event (below) issue BEGIN itself.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn: Connection) -> None:
            # Take the write lock up front: a deferred transaction that reads and then writes
            # fails at once with SQLITE_BUSY when another writer got in between, whereas
            # BEGIN IMMEDIATE waits for the lock (busy timeout), serialising writers cleanly.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # A fixed pool: overflow connections were opened and closed under every burst, and a new
    # asyncpg connection (TLS probe, authentication, type introspection, statements prepared
    # anew) cost more CPU than the requests it served. Requests past the pool wait for a
    # connection; a short pool timeout sheds overload as a quick 503 before clients give up.
    # No pre-ping (a round trip at every checkout): connections are recycled after 30 minutes,
    # and a connection found dead invalidates the pool's older ones, so a database restart
    # costs at most one failed request (503, retried by the page) per worker.
    # JSON columns (papers' options, answers' option ids) decoded by orjson: the standard
    # library's decoder was a twentieth of a submit's CPU.
    return create_async_engine(url, pool_size=20, max_overflow=0, pool_timeout=5,
                               pool_recycle=1800, json_deserializer=orjson.loads)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    """Alembic configuration pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _upgrade(sync_conn: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = sync_conn
    command.upgrade(cfg, revision)


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to revision (head by default)."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade, revision)


@asynccontextmanager
async def transaction(sm: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session inside one transaction: committed on success, rolled back on error."""
    async with sm() as session, session.begin():
        yield session
