"""Test storage: a database migrated once per session (per xdist worker) and copied per test.

SQLite: the migrations run once into a template file; each test gets a copy of it.
PostgreSQL: the migrations run once into a template database; a test's database is first a
`CREATE DATABASE ... TEMPLATE` copy, and afterwards emptied back to the template's state in
place (`_Snapshot`: rows deleted, the template's rows and sequences restored, vacuumed), which
costs a sixth of a new copy; a new copy again if the schema changed. Every xdist worker has its
own databases, named after DATABASE_URL's (`<name>_gw0`, `<name>_gw0_tpl`, ...), and its own
Redis db index: REDIS_URL's index minus the worker's number (CI's 15 gives 15 and 14), since
every test empties its db.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


# What DDL changes in a database: each catalog's row count and the sum of its rows' xmin (a
# changed row gets a new one), the same in a copy as in the template, and changed by any
# CREATE, ALTER, DROP, GRANT or COMMENT (but not by VACUUM or ANALYZE, which update in place).
_CATALOGS = ("pg_class", "pg_attribute", "pg_attrdef", "pg_constraint", "pg_index", "pg_type",
             "pg_proc", "pg_trigger", "pg_namespace", "pg_sequence", "pg_rewrite", "pg_enum",
             "pg_extension", "pg_policy", "pg_description", "pg_largeobject_metadata")
_FINGERPRINT = "SELECT ARRAY[" + ", ".join(
    f"(SELECT count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) FROM {c})"
    for c in _CATALOGS) + "]"


@dataclass(frozen=True)
class _Snapshot:
    """The template's state, and the statements that bring a copy of it back to that state
    after a test: everything but the rows and the sequences is checked unchanged."""

    fingerprint: list[str]
    nonempty: str  # SELECT of the names of the tables that have rows
    rows: dict[str, tuple[str, list[tuple[Any, ...]]]]  # table: (INSERT, the template's rows)
    sequences: str  # SELECT setval(...) of every sequence to the template's value


def _pg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _snapshot(url: str) -> _Snapshot:
    """Read the state of the (just migrated) template at url."""
    import asyncpg

    conn = await asyncpg.connect(_pg_dsn(url))
    try:
        tables = [f'"{sch}"."{name}"' for sch, name in await conn.fetch(
            "SELECT schemaname, tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2")]
        rows: dict[str, tuple[str, list[tuple[Any, ...]]]] = {}
        for table in tables:
            columns = [f'"{c}"' for c in await conn.fetchval(
                "SELECT array_agg(attname ORDER BY attnum) FROM pg_attribute WHERE attrelid = "
                "$1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''",
                table)]
            found = await conn.fetch(f"SELECT {', '.join(columns)} FROM {table}")
            if found:
                marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
                rows[table] = (f"INSERT INTO {table} ({', '.join(columns)}) "
                               f"OVERRIDING SYSTEM VALUE VALUES ({marks})",
                               [tuple(r) for r in found])
        setvals = []
        for sch, name in await conn.fetch("SELECT schemaname, sequencename FROM pg_sequences"):
            seq = f'"{sch}"."{name}"'
            last, called = await conn.fetchrow(f"SELECT last_value, is_called FROM {seq}")
            setvals.append(f"setval('{seq}', {last}, {'true' if called else 'false'})")
        nonempty = "SELECT array_remove(ARRAY[" + ", ".join(
            f"(SELECT '{t}' WHERE EXISTS (SELECT FROM {t}))" for t in tables) + "], NULL)"
        return _Snapshot(list(await conn.fetchval(_FINGERPRINT)), nonempty, rows,
                         "SELECT " + ", ".join(setvals) if setvals else "")
    finally:
        await conn.close()


async def _reset(url: str, snap: _Snapshot) -> bool:
    """Bring the copy of the template at url back to the template's state; False (nothing
    done) if its schema changed or the reset failed, and it needs a new copy instead.

    Like DROP DATABASE ... WITH (FORCE), it first ends the connections a previous test left
    open. The vacuum empties the tables' files as in a new copy, so new rows are stored (and
    read back by unordered scans) in the order they are inserted, as on a new install.
    """
    import asyncpg

    try:
        conn = await asyncpg.connect(_pg_dsn(url))
    except (OSError, asyncpg.PostgresError):
        return False
    try:
        await conn.execute("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        if list(await conn.fetchval(_FINGERPRINT)) != snap.fingerprint:
            return False
        # the tables with rows now, and those with rows in the template (a test may have
        # emptied one)
        used = sorted(set(await conn.fetchval(snap.nonempty)) | set(snap.rows))
        async with conn.transaction():
            if used:  # every table with rows is emptied: the foreign keys need no checks
                await conn.execute("SET LOCAL session_replication_role = replica")
                await conn.execute("".join(f"DELETE FROM {t};" for t in used))
            for insert, rows in snap.rows.values():
                await conn.executemany(insert, rows)
            if snap.sequences:
                await conn.execute(snap.sequences)
        if used:
            await conn.execute(f"VACUUM {', '.join(used)}")
        return True
    except asyncpg.PostgresError:
        return False
    finally:
        await conn.close()


class _Template:
    """The migrated template of this process, made on first use."""

    def __init__(self) -> None:
        self.made = False
        self.sqlite_file: Path | None = None
        self.pg_names: set[str] = set()
        self.pg_snapshot: _Snapshot | None = None

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
        if REAL_DB:
            self.pg_snapshot = await _snapshot(url)
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
    """Make url's database a fresh copy of the migrated template (made once per process), or
    bring the copy made for a previous test back to the template's state."""
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
    name = str(parsed.database)
    assert TEMPLATE.pg_snapshot is not None
    if name in TEMPLATE.pg_names and await _reset(url, TEMPLATE.pg_snapshot):
        return
    template = _worker_db_name(_BASE.database or "", "tpl")
    # FORCE ends connections a previous test left open (a pool not yet disposed).
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                 f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    TEMPLATE.pg_names.add(name)


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


async def migrated_sqlite_diffs(path: Path, *queries: str) -> tuple[list[Any], list[Any]]:
    """Migrate a fresh SQLite file at `path` to head; return what autogenerate finds between
    it and the tables' metadata, and the rows of each query run on it afterwards."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import text
    from sqlmodel import SQLModel

    import contest.storage.all_tables  # noqa: F401 - every table

    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            diffs = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync),
                                              SQLModel.metadata))
            rows = [(await conn.execute(text(q))).all() for q in queries]
    finally:
        await engine.dispose()
    return diffs, rows


async def downgrade(engine: Any, revision: str) -> None:
    """Take the engine's schema down to revision (a migration's test goes back over it)."""
    from alembic import command

    from contest.storage.db import alembic_config

    def run(sync_conn: Any) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = sync_conn
        command.downgrade(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)
