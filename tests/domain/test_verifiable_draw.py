"""The verifiable draw: deterministic, sensitive to the seed and the list, checkable by hand."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.domain.final_ranking import DEFAULT_CHAIN, Entry, final_order
from contest.domain.prizes import PrizeRules, Tier, allocate
from contest.domain.verifiable_draw import (
    ListHasher,
    canonical_line,
    commitment,
    draw_key,
    matches,
    new_seed,
    seed_from_hex,
)

SEED_A = bytes(32)
SEED_B = bytes([1]) + bytes(31)
RULES = PrizeRules(tiers=(Tier("nhat", "Giải Nhất", 1), Tier("nhi", "Giải Nhì", 2)))


def tied(n: int) -> list[Entry]:
    """n entries equal on the whole chain: only the draw separates them."""
    return [Entry(f"P{i:04d}", 10_000, 60_000, 1_000, 100) for i in range(n)]


def winners(entries: list[Entry], seed: bytes) -> list[tuple[str, str]]:
    ranked = final_order(entries, DEFAULT_CHAIN, 100, seed)
    awards = allocate(((r.position, r.entry.entry_id, "") for r in ranked), RULES, len(ranked))
    return [(a.entry_id, a.tier_code) for a in awards]


def test_commitment_is_sha256_of_the_seed_bytes() -> None:
    seed = bytes.fromhex("00" * 31 + "ff")
    assert commitment(seed) == hashlib.sha256(seed).hexdigest()
    assert matches(seed, commitment(seed).upper())
    assert not matches(SEED_B, commitment(seed))


def test_draw_key_is_hmac_sha256_of_the_entry_id() -> None:
    assert draw_key(SEED_A, "P0001") == hmac.new(SEED_A, b"P0001", hashlib.sha256).hexdigest()


def test_same_inputs_same_winners() -> None:
    assert winners(tied(50), SEED_A) == winners(list(reversed(tied(50))), SEED_A)
    assert len(winners(tied(50), SEED_A)) == 3


def test_changing_the_seed_changes_the_winners() -> None:
    assert winners(tied(50), SEED_A) != winners(tied(50), SEED_B)


def test_changing_the_eligible_list_changes_the_winners() -> None:
    full = tied(50)
    first = winners(full, SEED_A)
    without_winner = [x for x in full if x.entry_id != first[0][0]]
    assert winners(without_winner, SEED_A) != first


def test_the_chain_decides_before_the_draw() -> None:
    entries = [*tied(20), Entry("BEST", 10001, 60000, 1000, 100)]
    assert winners(entries, SEED_A)[0] == ("BEST", "nhat")
    assert winners(entries, SEED_B)[0] == ("BEST", "nhat")


def test_seed_hex_round_trip_and_refusals() -> None:
    seed = new_seed(lambda n: bytes(range(n)))
    assert seed_from_hex(seed.hex()) == seed
    with pytest.raises(ValueError):
        seed_from_hex("abcd")
    with pytest.raises(ValueError):
        seed_from_hex("zz" * 32)
    with pytest.raises(ValueError):
        new_seed(lambda n: b"short")


def test_list_hash_depends_on_every_line_and_its_order() -> None:
    lines = [canonical_line(f"P{i}", "tudo", [10_000, i, None]) for i in range(3)]
    assert lines[0] == "P0|tudo|10000|0|\n"

    def digest(ls: list[str]) -> str:
        h = ListHasher()
        for line in ls:
            h.add(line)
        return h.hexdigest()

    assert digest(lines) == hashlib.sha256("".join(lines).encode()).hexdigest()
    assert digest(lines) != digest(lines[::-1])
    assert digest(lines) != digest(lines[:2])


@given(st.binary(min_size=32, max_size=32), st.binary(min_size=32, max_size=32))
def test_distinct_seeds_give_distinct_orders_of_a_large_tie(a: bytes, b: bytes) -> None:
    order_a = [r.entry.entry_id for r in final_order(tied(30), DEFAULT_CHAIN, 100, a)]
    order_b = [r.entry.entry_id for r in final_order(tied(30), DEFAULT_CHAIN, 100, b)]
    assert (order_a == order_b) == (a == b)
