"""Password hashing with a per-worker bound on concurrent argon2 work.

Every argon2 hash or verify takes 64 MiB and a core for tens of milliseconds. Run from the
default thread pool (40 threads), a login flood made a worker grow by hundreds of megabytes;
here at most `slots` run at once per worker, a few more wait briefly, and the rest get a
quick 503 busy with Retry-After, so a worker's memory stays flat whatever the traffic.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.concurrency import run_in_threadpool

from contest.core.context import Services
from contest.errors import ServerBusy

_hasher = PasswordHasher()
# The lowest cost argon2 accepts: the same code path at a fraction of the time and memory, for
# test suites (CONTEST_ARGON2_COST=test, dev mode only). Verification reads the cost from the
# stored hash, so either hasher verifies any hash.
_test_hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
RETRY_AFTER_S = 2


class HashBound:
    """At most `slots` argon2 computations at once, `queue` more waiting up to `wait_s`."""

    def __init__(self, slots: int, queue: int, wait_s: float) -> None:
        self.slots = slots
        self.queue = queue
        self.wait_s = wait_s
        self.waiting = 0
        self._sem = asyncio.Semaphore(slots)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one hashing slot; raises ServerBusy when the queue is full or the wait too long."""
        if self._sem.locked():
            if self.waiting >= self.queue:
                raise ServerBusy(retry_after=RETRY_AFTER_S)
            self.waiting += 1
            try:
                await asyncio.wait_for(self._sem.acquire(), self.wait_s)
            except TimeoutError:
                raise ServerBusy(retry_after=RETRY_AFTER_S) from None
            finally:
                self.waiting -= 1
        else:
            await self._sem.acquire()
        try:
            yield
        finally:
            self._sem.release()


def slots_for(configured: int) -> int:
    """The number of concurrent hashes: the setting, or the machine's cores when it is 0."""
    return configured if configured > 0 else max(1, os.cpu_count() or 1)


def bound(ctx: Services) -> HashBound:
    """This worker's hashing bound (made on first use, inside the running event loop)."""
    found: HashBound | None = getattr(ctx, "_hash_bound", None)
    if found is None:
        st = ctx.settings
        found = HashBound(slots_for(st.hash_slots), st.hash_queue, st.hash_wait_s)
        setattr(ctx, "_hash_bound", found)  # noqa: B010 - Services is the lead's dataclass
    return found


async def hash_password(ctx: Services, password: str) -> str:
    """The argon2 hash of password; raises ServerBusy when the worker's hashing is saturated."""
    hasher = _test_hasher if ctx.settings.argon2_cost == "test" else _hasher
    async with bound(ctx).slot():
        return await run_in_threadpool(hasher.hash, password)


async def verify(ctx: Services, stored: str, password: str) -> bool:
    """True when password matches the stored argon2 hash; raises ServerBusy like hash_password."""
    async with bound(ctx).slot():
        try:
            return bool(await run_in_threadpool(_hasher.verify, stored, password))
        except (VerificationError, InvalidHashError):
            return False


def hasher() -> PasswordHasher:
    """The argon2 hasher with the parameters every stored password uses."""
    return _hasher


def hash_now(password: str) -> str:
    """Hash synchronously (module constants computed at import: the dummy hashes)."""
    return _hasher.hash(password)
