"""Proof-of-work challenges and the rate arithmetic."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contest.domain import pow as powd
from contest.domain.rates import Rate, gcra, lockout_ms, parse_rate

SECRET = b"s" * 32


@pytest.mark.parametrize(("digest", "bits"), [
    (b"\xff", 0), (b"\x80", 0), (b"\x7f", 1), (b"\x01", 7), (b"\x00\x01", 15),
    (b"\x00\x00\x10", 19), (b"\x00\x00", 16),
])
def test_leading_zero_bits(digest: bytes, bits: int) -> None:
    assert powd.leading_zero_bits(digest) == bits


def test_a_solved_challenge_verifies_once_scoped_and_in_time() -> None:
    c = powd.make_challenge(SECRET, "thu", 1_000, 60_000, 10, "abc")
    nonce = powd.solve(c, 10)
    assert powd.verify(SECRET, c, nonce, "thu", 2_000, 10) is powd.Verdict.OK
    assert powd.verify(SECRET, c, nonce, "khac", 2_000, 10) is powd.Verdict.WRONG_SCOPE
    assert powd.verify(SECRET, c, nonce, "thu", 61_000, 10) is powd.Verdict.EXPIRED
    assert powd.verify(b"x" * 32, c, nonce, "thu", 2_000, 10) is powd.Verdict.BAD_SIGNATURE
    # the server's current difficulty wins over an easier one written into the challenge
    assert powd.verify(SECRET, c, nonce, "thu", 2_000, 30) is powd.Verdict.INSUFFICIENT
    forged = c.replace(":10:", ":1:")
    assert powd.verify(SECRET, forged, "0", "thu", 2_000, 1) is powd.Verdict.BAD_SIGNATURE
    assert powd.verify(SECRET, "garbage", "1", "thu", 2_000, 1) is powd.Verdict.MALFORMED
    assert powd.verify(SECRET, c, "9" * 40, "thu", 2_000, 10) is powd.Verdict.MALFORMED
    assert powd.expires_ms(c) == 61_000


def test_slugs_with_colons_cannot_confuse_the_parser() -> None:
    c = powd.make_challenge(SECRET, "a:b", 0, 1000, 4, "s")
    assert powd.verify(SECRET, c, powd.solve(c, 4), "a:b", 10, 4) is powd.Verdict.OK


@settings(max_examples=30, deadline=None)
@given(st.text(min_size=1, max_size=20), st.integers(0, 8))
def test_solve_meets_the_difficulty(scope: str, bits: int) -> None:
    c = powd.make_challenge(SECRET, scope, 0, 1000, bits, "x")
    nonce = powd.solve(c, bits)
    digest = hashlib.sha256(f"{c}:{nonce}".encode()).digest()
    assert powd.leading_zero_bits(digest) >= bits
    assert powd.verify(SECRET, c, nonce, scope, 1, bits) is powd.Verdict.OK


@pytest.mark.parametrize(("text", "rate"), [
    ("120/60", Rate(120, 60)), (" 5/1 ", Rate(5, 1)), ("1500/3600", Rate(1500, 3600)),
])
def test_parse_rate(text: str, rate: Rate) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "5", "0/60", "5/0", "a/b", "-1/60"])
def test_parse_rate_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rate(text)


@given(st.integers(1, 50), st.integers(1, 120),
       st.lists(st.integers(0, 5000), min_size=1, max_size=200))
def test_gcra_allows_a_burst_then_the_sustained_rate(count: int, period: int,
                                                       gaps: list[int]) -> None:
    rate = Rate(count, period)
    tat, now, allowed = None, 0, []
    for g in gaps:
        now += g
        wait, new = gcra(tat, now, rate)
        if wait == 0:
            allowed.append(now)
            tat = new
        else:
            assert wait > 0
            assert gcra(tat, now + wait, rate)[0] == 0  # Retry-After is honest
    # GCRA: a burst of `count`, then one per interval; never more over any stretch of time
    for i, t in enumerate(allowed):
        for j in range(i, len(allowed)):
            assert j - i + 1 <= count + (allowed[j] - t) // rate.interval_ms


def test_a_full_burst_is_allowed_at_once() -> None:
    rate, tat = Rate(10, 60), None
    for _ in range(10):
        wait, tat = gcra(tat, 0, rate)
        assert wait == 0
    assert gcra(tat, 0, rate)[0] == rate.interval_ms


@pytest.mark.parametrize(("n", "ms"), [(1, 0), (5, 0), (6, 30_000), (7, 60_000), (8, 120_000),
                                       (12, 900_000), (60, 900_000)])
def test_lockout_grows_then_caps(n: int, ms: int) -> None:
    assert lockout_ms(n, 5, 30_000, 900_000) == ms
