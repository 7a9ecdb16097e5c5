"""Set-based helpers below the ORM: the dialect in use, SQLite functions, COPY out of PostgreSQL.

Finalisation and the large exports run as a few statements over whole rounds; what differs
between the two databases (a hash function, a JSON table function, COPY) is decided here, so
the services above build one statement shape for both.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

COPY_QUEUE = 16  # chunks buffered between PostgreSQL and the reader: memory stays bounded


def dialect(s: AsyncSession) -> str:
    """The session's database dialect name: 'postgresql' or 'sqlite'."""
    return s.get_bind().dialect.name


async def driver_connection(s: AsyncSession) -> Any:
    """The driver's own connection under the session's current transaction (asyncpg or
    aiosqlite)."""
    conn = await s.connection()
    raw = await conn.get_raw_connection()
    return raw.driver_connection


async def sqlite_function(s: AsyncSession, name: str, nargs: int,
                          fn: Callable[..., Any]) -> None:
    """Register a deterministic Python function on the session's SQLite connection."""
    driver = await driver_connection(s)
    await driver.create_function(name, nargs, fn, deterministic=True)


def json_set(d: str, param: str) -> str:
    """SQL for 'IN (the strings of the JSON array bound as :param)', on either dialect."""
    if d == "postgresql":
        return f"IN (SELECT jsonb_array_elements_text(CAST(:{param} AS jsonb)))"
    return f"IN (SELECT value FROM json_each(:{param}))"


def json_map(d: str, param: str) -> str:
    """SQL for a table (key, value) of the JSON object of strings bound as :param."""
    if d == "postgresql":
        return f"jsonb_each_text(CAST(:{param} AS jsonb))"
    return f"json_each(:{param})"


async def copy_out(s: AsyncSession, query: str, *args: Any,
                   options: str = "FORMAT csv") -> AsyncGenerator[bytes, None]:
    """Stream `COPY (query) TO STDOUT WITH (options)` from PostgreSQL as byte chunks.

    The query uses $1.. placeholders. The COPY runs in a task that hands chunks over a
    bounded queue, so a slow reader slows PostgreSQL down instead of filling memory; closing
    the iterator early cancels the COPY.
    """
    driver = await driver_connection(s)
    queue: asyncio.Queue[bytes | None] = asyncio.Queue(COPY_QUEUE)

    async def sink(chunk: bytes) -> None:
        await queue.put(chunk)

    async def run() -> None:
        try:
            await driver.copy_from_query(query, *args, output=sink,
                                         **_copy_kwargs(options))
        finally:
            task = asyncio.current_task()
            if task is None or not task.cancelling():  # cancelled: the reader has left
                await queue.put(None)

    task = asyncio.create_task(run())
    try:
        while (chunk := await queue.get()) is not None:
            yield bytes(chunk)
        await task  # re-raise a failed COPY
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _copy_kwargs(options: str) -> dict[str, Any]:
    """asyncpg's keyword form of 'FORMAT x' (the only option callers use)."""
    key, _, value = options.partition(" ")
    if key.upper() != "FORMAT" or not value:
        raise ValueError(f"unsupported COPY options {options!r}")
    return {"format": value.strip().lower()}
