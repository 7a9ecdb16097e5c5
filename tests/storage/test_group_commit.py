"""Group commit: what arrives while a write is in flight goes in the next write, every job
gets its own result or the write's error, and a failed batch does not stop later ones."""

from __future__ import annotations

import asyncio

import pytest

from contest.storage.group_commit import GroupCommit


class Recorder:
    """A write that records its batches, waits for a gate, and fails when told to."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.gate = asyncio.Event()
        self.fail_on: set[int] = set()
        self.short = False

    async def write(self, batch: list[int]) -> list[int]:
        self.batches.append(batch)
        await self.gate.wait()
        if self.fail_on & set(batch):
            raise RuntimeError("database down")
        return [j * 10 for j in batch][: -1 if self.short else None]


async def test_jobs_arriving_during_a_write_share_the_next_and_get_their_own_results() -> None:
    rec = Recorder()
    group: GroupCommit[int, int] = GroupCommit(rec.write)
    first = asyncio.create_task(group.submit(1))
    await asyncio.sleep(0)  # the first write is in flight
    rest = [asyncio.create_task(group.submit(j)) for j in (2, 3, 4)]
    await asyncio.sleep(0)
    rec.gate.set()
    assert await first == 10
    assert await asyncio.gather(*rest) == [20, 30, 40]
    assert rec.batches == [[1], [2, 3, 4]]


async def test_a_failed_write_fails_its_batch_only() -> None:
    rec = Recorder()
    rec.fail_on = {2}
    group: GroupCommit[int, int] = GroupCommit(rec.write)
    first = asyncio.create_task(group.submit(1))
    await asyncio.sleep(0)
    failing = [asyncio.create_task(group.submit(j)) for j in (2, 3)]
    await asyncio.sleep(0)
    rec.gate.set()
    assert await first == 10
    for task in failing:
        with pytest.raises(RuntimeError, match="database down"):
            await task
    assert await group.submit(5) == 50  # the next batch is written as usual


async def test_a_write_that_answers_for_fewer_jobs_raises_instead_of_hanging() -> None:
    rec = Recorder()
    rec.short = True
    rec.gate.set()
    group: GroupCommit[int, int] = GroupCommit(rec.write)
    with pytest.raises(ValueError):
        await asyncio.wait_for(group.submit(1), timeout=5)


async def test_split_batches_run_in_order() -> None:
    rec = Recorder()
    rec.gate.set()
    group: GroupCommit[int, int] = GroupCommit(
        rec.write, lambda jobs: [[j for j in jobs if j % 2], [j for j in jobs if not j % 2]])
    results = await asyncio.gather(*(group.submit(j) for j in range(1, 6)))
    assert results == [10, 20, 30, 40, 50]
    # all five were queued before the first write began: one queue, split in two, in order
    assert rec.batches == [[1, 3, 5], [2, 4]]
    assert await group.submit(7) == 70
    assert rec.batches[-1] == [7]  # no empty batch written for the even half
    await group.close()
