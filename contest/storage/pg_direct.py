"""A small asyncpg pool for the hot statements that bypass SQLAlchemy on PostgreSQL.

SQLAlchemy's per-execute machinery cost more CPU than the hot statements themselves (an
answer save, a first start). Each writer that runs them owns one of these pools, so that a
herd of starts never makes answer saves wait for a connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import make_url

from contest.errors import ServiceUnavailable

# Every statement on these pools finds its rows by key. Their plans are made once per
# connection (asyncpg prepares; PostgreSQL keeps a generic plan after five runs, and the
# foreign-key checks keep theirs for the connection's life) and made while the tables are
# small: at a deployment's first round opening `attempts` is empty, so the planner chose
# sequential scans of it, and every start of a 10,000-citizen herd then read every attempt
# inserted before it, three times (the guard, the running-attempt lookup, the foreign key
# check): PostgreSQL's CPU per start grew from 1.0 ms to 2.3 ms over 10,000 starts in a
# closed loop (docs/capacity.md, "Plans made on empty tables"). With sequential scans priced
# out the same statements stay at 0.9 ms whatever the table's size when they were planned.
_KEY_LOOKUPS_ONLY = {"enable_seqscan": "off"}


async def _keep(conn: Any) -> None:
    """No reset on release: these connections never LISTEN, lock or SET anything, and
    asyncpg's default reset costs a round trip per statement."""


class DirectPool:
    """A lazily opened asyncpg pool running one statement per checkout."""

    def __init__(self, url: str, max_size: int,
                 server_settings: dict[str, str] | None = None) -> None:
        self.dsn = make_url(url).set(drivername="postgresql").render_as_string(
            hide_password=False)
        self.max_size = max_size
        self.server_settings = {**_KEY_LOOKUPS_ONLY, **(server_settings or {})}
        # Called with each query asyncpg runs (asyncpg's query logger): the round-trip tests
        # count statements with it. Set before the first statement.
        self.query_logger: Callable[[Any], None] | None = None
        self._pool: Any = None
        self._lock = asyncio.Lock()

    async def _get_pool(self) -> Any:
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    import asyncpg

                    self._pool = await asyncpg.create_pool(
                        self.dsn, min_size=1, max_size=self.max_size,
                        max_inactive_connection_lifetime=300, init=self._init,
                        reset=_keep, server_settings=self.server_settings)
        return self._pool

    async def _init(self, conn: Any) -> None:
        if self.query_logger is not None:
            conn.add_query_logger(self.query_logger)

    async def run(self, method: str, query: str, *args: Any) -> Any:
        """conn.<method>(query, *args) on a pooled connection (autocommit: committed when it
        returns). A connection the server dropped (a restart, an idle cut) is retried once on
        a fresh one instead of pinging before every use, so the statement must be safe to
        run twice.

        Raises ServiceUnavailable when the database does not answer; the statement's own
        errors (a unique violation...) pass through.
        """
        import asyncpg

        dropped = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError)
        for try_ in (1, 2):
            try:
                pool = await self._get_pool()
                async with pool.acquire(timeout=5) as conn:
                    return await getattr(conn, method)(query, *args)
            except (*dropped, TimeoutError, asyncpg.CannotConnectNowError) as exc:
                if try_ == 2 or not isinstance(exc, dropped):
                    raise ServiceUnavailable() from exc
                if self._pool is not None:
                    self._pool.expire_connections()
        raise AssertionError("unreachable")  # pragma: no cover

    async def close(self) -> None:
        """Close the pool (opened again by the next statement)."""
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
