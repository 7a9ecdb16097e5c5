"""Final round qualification: the best N eligible of each source round (issue 17 item 8)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.domain import prizes
from contest.domain.qualify import Qualify, Ranked, best_of, parse, qualified


def week(*rows: tuple[str, int, str | None]) -> list[Ranked]:
    """Entrants in official order: (id, chain rank, exclusion)."""
    return [Ranked(pid, i + 1, rank, excl) for i, (pid, rank, excl) in enumerate(rows)]


W = week(("A", 1, None), ("B", 2, prizes.REVIEW), ("C", 2, None), ("D", 3, prizes.PRIOR_PRIZE),
         ("E", 4, None), ("F", 4, None), ("G", 6, prizes.UNDER_AGE))


@pytest.mark.parametrize(("n", "ties", "expected"), [
    (1, "draw", ["A"]),
    (2, "draw", ["A", "C"]),  # B is disqualified by the review: C moves up
    (3, "draw", ["A", "C", "D"]),  # a prior prize does not stop qualification
    (4, "draw", ["A", "C", "D", "E"]),  # E and F tied on the chain: the public draw decides
    (4, "include", ["A", "C", "D", "E", "F"]),  # ... unless ties are included
    (2, "include", ["A", "C"]),  # C's tie is with B, who is not eligible
    (5, "draw", ["A", "C", "D", "E", "F"]),
    (9, "draw", ["A", "C", "D", "E", "F"]),  # G is under age; fewer eligible than N
    (9, "include", ["A", "C", "D", "E", "F"]),
])
def test_best_of_one_round(n: int, ties: str, expected: list[str]) -> None:
    assert [r.participant_id for r in best_of(W, n, ties)] == expected


@pytest.mark.parametrize("excl", [prizes.REVIEW, prizes.UNDER_AGE, prizes.EXCLUDED_GROUP,
                                  prizes.EXCLUDED_UNIT, prizes.EXCLUDED_PERSON,
                                  prizes.BELOW_MIN_SCORE])
def test_excluded_entrants_never_qualify(excl: str) -> None:
    assert best_of(week(("A", 1, excl), ("B", 2, None)), 1) == [Ranked("B", 2, 2)]


def test_union_of_weeks_counts_a_person_once_at_the_first_week() -> None:
    weeks = {10: week(("A", 1, None), ("B", 2, None)),
             11: week(("B", 1, None), ("C", 2, None), ("D", 3, None))}
    assert qualified(weeks, Qualify(2)) == {"A": (10, 1), "B": (10, 2), "C": (11, 2)}


def test_empty_week_and_unsorted_input() -> None:
    rows = [Ranked("B", 2, 2), Ranked("A", 1, 1)]
    assert qualified({1: [], 2: rows}, Qualify(1)) == {"A": (2, 1)}


@pytest.mark.parametrize(("raw", "expected"), [
    (None, None),
    ({"best_per_round": 10}, Qualify(10)),
    ({"best_per_round": 3, "from": ["Tuần 1", "Tuần 2"], "ties": "include"},
     Qualify(3, ("Tuần 1", "Tuần 2"), "include")),
    ({"best_per_round": 3, "from": [], "ties": "draw"}, Qualify(3)),
])
def test_parse(raw: dict[str, object] | None, expected: Qualify | None) -> None:
    assert parse(raw) == expected
    if expected is not None:
        assert parse(expected.as_dict()) == expected


@pytest.mark.parametrize(("raw", "message"), [
    ({}, "best_per_round"),
    ({"best_per_round": 0}, "best_per_round"),
    ({"best_per_round": True}, "best_per_round"),
    ({"best_per_round": "5"}, "best_per_round"),
    ({"best_per_round": 5, "from": "Tuần 1"}, "from"),
    ({"best_per_round": 5, "from": ["Tuần 1", "Tuần 1"]}, "lặp"),
    ({"best_per_round": 5, "ties": "all"}, "ties"),
    ({"best_per_round": 5, "top": 3}, "top"),
    (["best_per_round"], "bảng"),
])
def test_parse_refuses(raw: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse(raw)  # type: ignore[arg-type]


EXCLUSIONS = st.sampled_from([None, None, None, prizes.PRIOR_PRIZE, prizes.REVIEW,
                              prizes.UNDER_AGE])


@st.composite
def rankings(draw: st.DrawFn) -> list[Ranked]:
    """An official ranking: chain ranks non-decreasing with the position, ids distinct."""
    steps = draw(st.lists(st.booleans(), max_size=30))
    out, rank = [], 1
    for i, new_rank in enumerate(steps):
        if new_rank and i:
            rank = i + 1
        out.append(Ranked(f"P{i}", i + 1, rank, draw(EXCLUSIONS)))
    return out


@given(rankings(), st.integers(1, 12))
def test_draw_takes_exactly_the_first_n_eligible(ranking: list[Ranked], n: int) -> None:
    chosen = best_of(ranking, n, "draw")
    eligible = [r for r in ranking if r.exclusion in (None, prizes.PRIOR_PRIZE)]
    assert chosen == eligible[:n]


@given(rankings(), st.integers(1, 12))
def test_include_adds_only_ties_of_the_last(ranking: list[Ranked], n: int) -> None:
    drawn = best_of(ranking, n, "draw")
    chosen = best_of(ranking, n, "include")
    assert chosen[:len(drawn)] == drawn
    extra = chosen[len(drawn):]
    assert all(r.chain_rank == drawn[-1].chain_rank for r in extra)
    left = [r for r in ranking if r not in chosen and r.exclusion in (None, prizes.PRIOR_PRIZE)]
    if len(drawn) == n:
        assert all(r.chain_rank != drawn[-1].chain_rank for r in left)


@given(st.dictionaries(st.integers(1, 50), rankings(), max_size=5), st.integers(1, 8))
def test_union_is_each_weeks_best(weeks: dict[int, list[Ranked]], n: int) -> None:
    got = qualified(weeks, Qualify(n))
    expected = {r.participant_id for ranking in weeks.values() for r in best_of(ranking, n)}
    assert set(got) == expected
    for pid, (rid, pos) in got.items():
        first = next(k for k, ranking in weeks.items()
                     if pid in {r.participant_id for r in best_of(ranking, n)})
        assert rid == first
        assert any(r.participant_id == pid and r.position == pos for r in weeks[rid])
