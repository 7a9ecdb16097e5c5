"""LiveBoards on Redis: versioned upserts, counters, ranks over big tie groups, safe rebuilds."""

from __future__ import annotations

import pytest

from contest.core.context import Services
from contest.domain.ranking import Standing
from contest.storage import keys
from contest.storage.live import ALL, Entry, RebuildBusy

R = 77
UNIT, PARENT, GROUP = keys.unit_scope("X-1"), keys.unit_scope("X"), keys.group_scope("hs")


def entry(pid: str, score: int, version: int = 1, dur: int = 1000, off: int = 0,
          perfect: bool = False, scopes: tuple[str, ...] = (UNIT, PARENT, GROUP)) -> Entry:
    return Entry(Standing(score, dur, off, pid), list(scopes), version, perfect)


async def order(services: Services, scope: str = ALL, view: str = keys.LIVE) -> list[str]:
    page = await services.boards.page(R, scope, 0, 100, view)
    return [e.standing.participant_id for e in page.entries]


async def test_versions_make_upserts_idempotent_and_counters_exact(services: Services) -> None:
    b = services.boards
    v1 = await b.upsert(R, entry("a", 3000, version=1))
    assert v1 == 1
    assert await b.upsert(R, entry("a", 3000, version=1)) == 0  # replayed: no change
    assert await b.upsert(R, entry("a", 5000, version=2, perfect=True)) == 2
    assert await b.upsert(R, entry("a", 1000, version=1)) == 0  # older arrives late: ignored
    await b.upsert(R, entry("b", 4000, version=3, scopes=(keys.unit_scope("Y"), GROUP)))
    assert await order(services) == ["a", "b"]
    assert await order(services, UNIT) == ["a"]
    assert await b.stats(R) == {"participants": 2, "attempts": 5, "perfect": 1}
    assert await b.stats(R, PARENT) == {"participants": 1, "attempts": 2, "perfect": 1}
    assert await b.stats(R, GROUP) == {"participants": 2, "attempts": 5, "perfect": 1}
    await b.upsert(R, entry("a", 4000, version=3, perfect=False))
    assert await b.stats(R) == {"participants": 2, "attempts": 6, "perfect": 0}
    assert await b.version(R) == 4


async def test_rank_steps_back_over_exact_ties_only(services: Services) -> None:
    b = services.boards
    # 150 entries with the same score and duration (everyone auto-submitted at the limit),
    # three of them submitted in the same microsecond.
    for i in range(150):
        await b.upsert(R, entry(f"p{i:03d}", 2000, off=i if i not in (40, 41, 42) else 40))
    await b.upsert(R, entry("top", 9000))
    assert await b.rank(R, "top") == (1, 0)
    assert await b.rank(R, "p000") == (2, 1)
    assert [(await b.rank(R, f"p{i:03d}"))[0] for i in (40, 41, 42, 43)] == [42, 42, 42, 45]  # type: ignore[index]
    assert await b.rank(R, "p149") == (151, 150)
    page = await b.page(R, ALL, 41, 3)  # starts mid-tie: the first line keeps the tie's rank
    assert [e.rank for e in page.entries] == [42, 42, 42]
    near = await b.around(R, "p041", before=2, after=2)
    assert near is not None
    assert [e.standing.participant_id for e in near.entries] == [
        "p039", "p040", "p041", "p042", "p043"]
    assert [e.rank for e in near.entries] == [41, 42, 42, 42, 45]
    assert await b.rank(R, "nobody") is None
    assert await b.around(R, "nobody", 1, 1) is None


async def test_rebuild_swap_keeps_submits_that_land_while_it_runs(services: Services) -> None:
    b = services.boards
    await b.upsert(R, entry("old", 1000, scopes=(keys.unit_scope("GONE"),)))
    token = await b.begin_rebuild(R)
    with pytest.raises(RebuildBusy):
        await b.begin_rebuild(R)
    # The SQL snapshot saw a at version 1; a's second submit and c's first land meanwhile.
    await b.upsert(R, entry("a", 6000, version=2))
    await b.upsert(R, entry("c", 2000, version=1))
    await b.write(R, [entry("a", 3000, version=1), entry("c", 2000, version=1),
                      entry("d", 1000, version=1)], keys.STAGED)
    assert await order(services) == ["a", "c", "old"]  # readers still see the live boards
    await b.swap(R, token)
    assert await order(services) == ["a", "c", "d"]
    assert await order(services, UNIT) == ["a", "c", "d"]
    assert await b.stats(R) == {"participants": 3, "attempts": 4, "perfect": 0}
    assert await services.redis.exists(keys.board(R, keys.unit_scope("GONE"))) == 0
    assert await b.is_built(R)
    # A submit after the swap goes to the live boards only; no staging key is left behind.
    await b.upsert(R, entry("e", 500))
    assert await services.redis.exists(keys.board_members(R, keys.STAGED)) == 0
    assert (await order(services))[-1] == "e"


async def test_a_crashed_rebuild_leaves_nothing_that_blocks_the_next(services: Services) -> None:
    b = services.boards
    token = await b.begin_rebuild(R)
    await b.write(R, [entry("ghost", 1000)], keys.STAGED)
    await b.abort_rebuild(R, token)
    token = await b.begin_rebuild(R)  # clears the abandoned staging keys
    await b.write(R, [entry("real", 1000)], keys.STAGED)
    await b.swap(R, token)
    assert await order(services) == ["real"]
    with pytest.raises(RebuildBusy):
        await b.swap(R, token)  # the lock is gone: a second swap is refused
