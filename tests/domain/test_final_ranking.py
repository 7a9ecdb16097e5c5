"""The final ranking: every tie-break, each configurable order, total and input-order free."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.domain.final_ranking import (
    CRITERIA,
    DEFAULT_CHAIN,
    Entry,
    chain_key,
    final_order,
    parse_chain,
    rank_sorted,
)
from contest.domain.verifiable_draw import draw_key

SEED = bytes(range(32))
ACTUAL = 100


def e(eid: str, score: int = 10_000, pred: int | None = 100, dur: int = 60_000,
      sub: int = 1_000) -> Entry:
    return Entry(entry_id=eid, score_milli=score, duration_ms=dur, submitted_ms=sub,
                 prediction=pred)


def ids(chain: tuple[str, ...], *entries: Entry) -> list[str]:
    return [r.entry.entry_id for r in final_order(entries, chain, ACTUAL, SEED)]


# (what decides, chain, entries, expected order): each row breaks a tie by one criterion.
CASES = [
    ("score desc", DEFAULT_CHAIN, [e("a", score=9000), e("b", score=10_000)], ["b", "a"]),
    ("prediction distance", DEFAULT_CHAIN, [e("a", pred=130), e("b", pred=80)], ["b", "a"]),
    ("distance is absolute", DEFAULT_CHAIN, [e("a", pred=90), e("b", pred=111)], ["a", "b"]),
    ("no prediction last", DEFAULT_CHAIN, [e("a", pred=None), e("b", pred=10**9)], ["b", "a"]),
    ("duration asc", DEFAULT_CHAIN, [e("a", dur=61_000), e("b", dur=60_999)], ["b", "a"]),
    ("submitted asc", DEFAULT_CHAIN, [e("a", sub=2_000), e("b", sub=1_999)], ["b", "a"]),
    ("score beats prediction", DEFAULT_CHAIN,
     [e("a", score=9000, pred=100), e("b", score=10_000, pred=5000)], ["b", "a"]),
    ("prediction beats duration", DEFAULT_CHAIN,
     [e("a", pred=100, dur=90_000), e("b", pred=101, dur=1000)], ["a", "b"]),
    ("duration beats submission", DEFAULT_CHAIN,
     [e("a", dur=2000, sub=9), e("b", dur=1000, sub=99)], ["b", "a"]),
    ("duration before prediction", ("score", "duration", "prediction", "submitted"),
     [e("a", pred=100, dur=90_000), e("b", pred=101, dur=1000)], ["b", "a"]),
    ("submission first", ("submitted", "score"),
     [e("a", score=10_000, sub=50), e("b", score=1, sub=10)], ["b", "a"]),
    ("prediction first", ("prediction", "score"),
     [e("a", score=10_000, pred=50), e("b", score=1, pred=100)], ["b", "a"]),
    ("score only leaves duration to the draw", ("score",),
     [e("a", dur=1000), e("b", dur=9000)], sorted(["a", "b"], key=lambda i: draw_key(SEED, i))),
]


@pytest.mark.parametrize(("why", "chain", "entries", "expected"), CASES,
                         ids=[c[0] for c in CASES])
def test_tie_breaks(why: str, chain: tuple[str, ...], entries: list[Entry],
                    expected: list[str]) -> None:
    assert ids(chain, *entries) == expected
    assert ids(chain, *reversed(entries)) == expected


@pytest.mark.parametrize("chain", list(itertools.permutations(CRITERIA)))
def test_every_order_of_the_chain_is_honoured(chain: tuple[str, ...]) -> None:
    # Each entry is best on exactly one criterion and equal on the rest; the chain's first
    # criterion decides the winner, the second the runner-up, and so on.
    base = dict(score=5000, pred=200, dur=50_000, sub=5000)
    better = {"score": dict(score=6000), "prediction": dict(pred=100),
              "duration": dict(dur=40_000), "submitted": dict(sub=4000)}
    entries = [e(c, **{**base, **better[c]}) for c in CRITERIA]  # type: ignore[arg-type]
    assert ids(chain, *entries) == list(chain)


def test_tied_entries_share_a_chain_rank_and_are_marked() -> None:
    ranked = final_order([e("x"), e("y"), e("z", score=1)], DEFAULT_CHAIN, ACTUAL, SEED)
    assert [r.position for r in ranked] == [1, 2, 3]
    assert [r.chain_rank for r in ranked] == [1, 1, 3]
    assert [r.tied for r in ranked] == [True, True, False]
    assert ranked[0].distance == 0


def test_parse_chain() -> None:
    assert parse_chain(None) == DEFAULT_CHAIN
    assert parse_chain(["duration", "score"]) == ("duration", "score")
    with pytest.raises(ValueError, match="unknown"):
        parse_chain(["speed"])
    with pytest.raises(ValueError, match="twice"):
        parse_chain(["score", "score"])


def test_streaming_refuses_unsorted_input() -> None:
    with pytest.raises(ValueError, match="chain order"):
        list(rank_sorted([e("a", score=1), e("b", score=2)], DEFAULT_CHAIN, ACTUAL, SEED))


entries_st = st.lists(
    st.builds(Entry, entry_id=st.text("abcdef0123", min_size=1, max_size=6),
              score_milli=st.integers(0, 3).map(lambda s: s * 1000),
              duration_ms=st.integers(0, 3), submitted_ms=st.integers(0, 3),
              prediction=st.none() | st.integers(95, 105)),
    max_size=25, unique_by=lambda x: x.entry_id)
chains_st = st.permutations(CRITERIA).flatmap(lambda p: st.integers(1, 4).map(lambda n: p[:n]))


@given(entries_st, chains_st, st.binary(min_size=32, max_size=32), st.randoms())
def test_order_is_total_and_independent_of_input_order(
        entries: list[Entry], chain: tuple[str, ...], seed: bytes, rnd: object) -> None:
    ranked = final_order(entries, chain, ACTUAL, seed)
    shuffled = list(entries)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert final_order(shuffled, chain, ACTUAL, seed) == ranked
    # total: every entry exactly once, positions 1..n, strictly increasing sort keys
    assert sorted(r.entry.entry_id for r in ranked) == sorted(x.entry_id for x in entries)
    assert [r.position for r in ranked] == list(range(1, len(entries) + 1))
    keys = [(chain_key(r.entry, chain, ACTUAL), r.draw_key, r.entry.entry_id) for r in ranked]
    assert all(a < b for a, b in itertools.pairwise(keys))
    # chain ranks are competition ranks of the chain key
    for a, b in itertools.pairwise(ranked):
        same = chain_key(a.entry, chain, ACTUAL) == chain_key(b.entry, chain, ACTUAL)
        assert (b.chain_rank == a.chain_rank) == same
        assert not same or (a.tied and b.tied)


@given(entries_st, chains_st)
def test_streamed_ranking_equals_in_memory(entries: list[Entry], chain: tuple[str, ...]) -> None:
    ordered = sorted(entries, key=lambda x: chain_key(x, chain, ACTUAL))
    assert list(rank_sorted(ordered, chain, ACTUAL, SEED)) == \
        final_order(entries, chain, ACTUAL, SEED)
