"""Test storage: a database migrated once per session (per xdist worker) and copied per test.

SQLite: the migrations run once into a template file; each test gets a copy of it.
PostgreSQL: the migrations run once into a template database; each test gets a fresh
`CREATE DATABASE ... TEMPLATE` copy. Every xdist worker has its own databases, named after
DATABASE_URL's (`<name>_gw0`, `<name>_gw0_tpl`, ...), and its own Redis db index: REDIS_URL's
index minus the worker's number (CI's 15 gives 15 and 14), since every test empties its db.

Importing this module points DATABASE_URL and REDIS_URL at the worker's own, so tests and the
subprocesses they start (CLI, servers) never share a database with another worker.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import sqlite3
import tempfile
import threading
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from contest.storage.db import make_engine, migrate

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1, ... under xdist
WORKER_NUMBER = int(WORKER[2:]) if WORKER.startswith("gw") else 0
_GIVEN_DB = os.environ.get("DATABASE_URL", "")
REAL_DB = _GIVEN_DB.startswith("postgresql")
REAL_REDIS = bool(os.environ.get("REDIS_URL"))


def _worker_db_name(base: str, tag: str = "") -> str:
    parts = [base, WORKER or "main", tag]
    return "_".join(p for p in parts if p)


def _redis_for_worker(url: str) -> str:
    head, _, index = url.rpartition("/")
    if not head.startswith(("redis://", "rediss://")) or not index.isdigit():
        if WORKER_NUMBER:
            raise RuntimeError("parallel tests need REDIS_URL with a db index (redis://h:p/15)")
        return url
    mine = int(index) - WORKER_NUMBER
    if mine < 0:
        raise RuntimeError(f"REDIS_URL's db index {index} leaves none for xdist worker {WORKER}")
    return f"{head}/{mine}"


if REAL_DB:
    _BASE = make_url(_GIVEN_DB)
    assert _BASE.database, "DATABASE_URL names no database"
    os.environ["DATABASE_URL"] = _BASE.set(
        database=_worker_db_name(_BASE.database)).render_as_string(hide_password=False)
if REAL_REDIS:
    os.environ["REDIS_URL"] = _redis_for_worker(os.environ["REDIS_URL"])


def database_url(tmp_dir: Path, tag: str = "") -> str:
    """The URL of a test database: a file in tmp_dir, or the worker's PostgreSQL database
    (tag names a second one kept beside it, e.g. for a module-scoped fixture)."""
    if not REAL_DB:
        return f"sqlite+aiosqlite:///{tmp_dir}/{tag or 'test'}.sqlite3"
    return _BASE.set(database=_worker_db_name(_BASE.database or "", tag)).render_as_string(
        hide_password=False)


class _Template:
    """The migrated template of this process, made on first use."""

    def __init__(self) -> None:
        self.made = False
        self.sqlite_file: Path | None = None
        self.pg_names: set[str] = set()

    async def ensure(self) -> None:
        if self.made:
            return
        if REAL_DB:
            name = _worker_db_name(_BASE.database or "", "tpl")
            await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                         f'CREATE DATABASE "{name}"')
            self.pg_names.add(name)
            url = _BASE.set(database=name).render_as_string(hide_password=False)
        else:
            folder = Path(tempfile.mkdtemp(prefix="contest-tests-"))
            atexit.register(shutil.rmtree, folder, True)
            self.sqlite_file = folder / "template.sqlite3"
            url = f"sqlite+aiosqlite:///{self.sqlite_file}"
        engine = make_engine(url)
        try:
            await migrate(engine)
        finally:
            await engine.dispose()
        if self.sqlite_file:  # fold the write-ahead log into the file that is copied
            with closing(sqlite3.connect(self.sqlite_file)) as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.made = True


TEMPLATE = _Template()


async def _admin(*statements: str) -> None:
    """Run statements on the server's maintenance database (outside a transaction)."""
    import asyncpg

    dsn = _BASE.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        for sql in statements:
            await conn.execute(sql)
    finally:
        await conn.close()


async def fresh_database(url: str) -> None:
    """Make url's database a fresh copy of the migrated template (made once per process)."""
    await TEMPLATE.ensure()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert TEMPLATE.sqlite_file is not None and parsed.database
        target = Path(parsed.database)
        target.parent.mkdir(parents=True, exist_ok=True)
        for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(TEMPLATE.sqlite_file, target)
        return
    name = parsed.database
    template = _worker_db_name(_BASE.database or "", "tpl")
    # FORCE ends connections a previous test left open (a pool not yet disposed).
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                 f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    TEMPLATE.pg_names.add(str(name))


async def prepare_worker() -> None:
    """Make the template, and the worker's database that tests reading DATABASE_URL use."""
    await TEMPLATE.ensure()
    if REAL_DB:
        await fresh_database(os.environ["DATABASE_URL"])


def drop_databases() -> None:
    """Drop this process's PostgreSQL databases (at the end of the session)."""
    if not (REAL_DB and TEMPLATE.pg_names):
        return
    names = sorted(TEMPLATE.pg_names)
    # A thread of its own: the session's last event loop may still be set in this one.
    thread = threading.Thread(target=lambda: asyncio.run(_admin(
        *(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in names))))
    thread.start()
    thread.join()
