"""The live ranking order and its encoding: tables and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.domain.ranking import (
    DURATION_BITS,
    EXACT_LIMIT,
    MAX_DURATION_MS,
    MAX_OFFSET_US,
    ROUND_MAX_DAYS,
    SCORE_BITS,
    SCORE_CEILING,
    Standing,
    competition_ranks,
    decode,
    encode,
    offset_us,
    rank_all,
    score_band,
)

scores = st.integers(0, SCORE_CEILING)
durations = st.integers(0, MAX_DURATION_MS)
offsets = st.integers(0, MAX_OFFSET_US)
pids = st.text("0123456789abcdef", min_size=1, max_size=12)
standings = st.builds(Standing, scores, durations, offsets, pids)


def test_bit_budget_fits_a_double_and_the_documented_limits() -> None:
    assert SCORE_BITS + DURATION_BITS <= 53
    assert MAX_DURATION_MS >= ROUND_MAX_DAYS * 86_400_000
    assert MAX_OFFSET_US >= ROUND_MAX_DAYS * 86_400_000_000
    assert SCORE_CEILING >= 100 * 1000  # a 100-question paper at one point each


@pytest.mark.parametrize("standing", [
    Standing(0, 0, 0, "a"),
    Standing(SCORE_CEILING, 0, 0, "a"),
    Standing(0, MAX_DURATION_MS, MAX_OFFSET_US, "a"),
    Standing(SCORE_CEILING, MAX_DURATION_MS, MAX_OFFSET_US, "ff"),
    Standing(30_000, ROUND_MAX_DAYS * 86_400_000, ROUND_MAX_DAYS * 86_400_000_000, "p1"),
])
def test_limits_round_trip_exactly_through_a_double(standing: Standing) -> None:
    score, member = encode(standing)
    assert score < EXACT_LIMIT
    assert float(score) == score and int(float(score)) == score
    assert decode(float(score), member) == standing


@pytest.mark.parametrize("bad", [
    Standing(-1, 0, 0, "a"), Standing(SCORE_CEILING + 1, 0, 0, "a"),
    Standing(0, -1, 0, "a"), Standing(0, MAX_DURATION_MS + 1, 0, "a"),
    Standing(0, 0, -1, "a"), Standing(0, 0, MAX_OFFSET_US + 1, "a"),
    Standing(0, 0, 0, "a:b"),
])
def test_encode_refuses_values_outside_the_budget(bad: Standing) -> None:
    with pytest.raises(ValueError):
        encode(bad)


@pytest.mark.parametrize("score,member", [(1.5, "0000000000000000:a"), (0, "12:a"),
                                          (0, "no-separator"), (2.0**53, "0000000000000000:a")])
def test_decode_refuses_what_encode_never_makes(score: float, member: str) -> None:
    with pytest.raises(ValueError):
        decode(score, member)


@given(standings)
def test_encode_decode_round_trip(s: Standing) -> None:
    score, member = encode(s)
    assert 0 <= score < EXACT_LIMIT
    assert decode(float(score), member) == s


@given(standings, standings)
def test_redis_order_of_encoded_pairs_is_the_ranking_order(a: Standing, b: Standing) -> None:
    # Redis orders by (double score, member bytes); ASCII members compare like Python str.
    ka, kb = encode(a), encode(b)
    redis_first = (float(ka[0]), ka[1].encode()) < (float(kb[0]), kb[1].encode())
    assert redis_first == (a.sort_key() < b.sort_key())


@given(scores)
def test_score_band_holds_every_duration_of_that_score(score: int) -> None:
    lo, hi = score_band(score)
    assert lo == encode(Standing(score, 0, 0, "x"))[0]
    assert hi == encode(Standing(score, MAX_DURATION_MS, 0, "x"))[0]


def test_competition_ranks_share_on_exact_ties_only() -> None:
    table = [
        Standing(5000, 100, 7, "a"),
        Standing(5000, 100, 7, "b"),   # exact tie with a
        Standing(5000, 100, 8, "c"),   # later submission
        Standing(5000, 101, 1, "d"),   # slower
        Standing(4000, 1, 1, "e"),
    ]
    assert [r for r, _ in rank_all(reversed(table))] == [1, 1, 3, 4, 5]
    assert competition_ranks(table[1:], first_rank=2) == [2, 3, 4, 5]


def test_offset_is_in_microseconds_and_never_negative() -> None:
    opens = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    assert offset_us(opens, opens + timedelta(milliseconds=1, microseconds=7)) == 1007
    assert offset_us(opens, opens - timedelta(seconds=1)) == 0
