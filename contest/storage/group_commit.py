"""Group commit: requests that arrive while a statement is in flight go together in the next.

Nobody waits for a timer: at low load every request is alone in its statement; at the peak
batches grow by themselves, and one statement (one commit, one WAL flush, one round trip)
serves many requests. Each request learns its result only after the statement that holds it
has returned, so an autocommit statement's result is an acknowledgement that it is on disk.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

J = TypeVar("J")  # a request's job
R = TypeVar("R")  # its result


def _one_batch(jobs: list[J]) -> list[list[J]]:
    return [jobs]


class GroupCommit(Generic[J, R]):
    """Runs `write` over the jobs queued since the last call, one batch at a time.

    `write` returns one result per job, in order; `split` cuts a queue into batches that may
    not share a statement (run in order)."""

    def __init__(self, write: Callable[[list[J]], Awaitable[Sequence[R]]],
                 split: Callable[[list[J]], list[list[J]]] = _one_batch) -> None:
        self._write = write
        self._split = split
        self._queue: list[tuple[J, asyncio.Future[R]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def submit(self, job: J) -> R:
        """The job's result once the statement holding it has returned; raises what the
        statement raised."""
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((job, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await done

    async def _flush(self) -> None:
        """Write what is queued, again and again until the queue is empty."""
        while self._queue:
            queued, self._queue = self._queue, []
            live = [(job, done) for job, done in queued if not done.done()]  # not cancelled
            waiting = {id(job): done for job, done in live}
            for batch in self._split([job for job, _ in live]):
                if not batch:
                    continue
                try:
                    results = list(zip(batch, await self._write(batch), strict=True))
                except Exception as exc:  # every waiting request learns it was not written
                    for job in batch:
                        if not waiting[id(job)].done():
                            waiting[id(job)].set_exception(exc)
                    continue
                for job, result in results:
                    if not waiting[id(job)].done():
                        waiting[id(job)].set_result(result)

    async def close(self) -> None:
        """Wait for the queued jobs to be written."""
        if self._flusher is not None:
            await asyncio.gather(self._flusher, return_exceptions=True)
