"""The final order of a round: the configurable tie-break chain, then the verifiable draw.

The chain is a sequence of criteria, each at most once, in the round's order of precedence:
- score: score desc;
- prediction: |prediction - actual figure| asc (no prediction ranks after every prediction);
- duration: duration asc;
- submitted: submission time asc (in whole milliseconds).
Entries still equal on the whole chain are "tied": they share a chain rank and are put in
order by the draw key (HMAC of the revealed seed and the entry id), then by entry id, which
makes the order total and independent of the order the entries arrive in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from contest.domain.verifiable_draw import draw_key

CRITERIA = ("score", "prediction", "duration", "submitted")
DEFAULT_CHAIN: tuple[str, ...] = ("score", "prediction", "duration", "submitted")
# A missing prediction sorts after any real distance (predictions are bounded integers).
NO_PREDICTION = 1 << 62


@dataclass(frozen=True)
class Entry:
    """A participant's counted attempt as the final ranking sees it."""

    entry_id: str
    score_milli: int
    duration_ms: int
    submitted_ms: int
    prediction: int | None = None
    split_key: str = ""


@dataclass(frozen=True)
class Ranked:
    """An entry's final place: position (1..n, distinct) and chain rank (shared by ties)."""

    position: int
    chain_rank: int
    entry: Entry
    distance: int | None
    tied: bool
    draw_key: str


def parse_chain(raw: Sequence[str] | None) -> tuple[str, ...]:
    """A validated chain (None or empty: the default); raises ValueError naming the problem."""
    if not raw:
        return DEFAULT_CHAIN
    chain = tuple(str(c) for c in raw)
    unknown = [c for c in chain if c not in CRITERIA]
    if unknown:
        raise ValueError(f"unknown tie-break criteria: {', '.join(unknown)}")
    if len(set(chain)) != len(chain):
        raise ValueError("a tie-break criterion appears twice")
    return chain


def distance(prediction: int | None, actual: int | None) -> int | None:
    """How far a prediction is from the actual figure; None when either is unknown."""
    if prediction is None or actual is None:
        return None
    return abs(prediction - actual)


def chain_key(e: Entry, chain: Sequence[str], actual: int | None) -> tuple[int, ...]:
    """Ascending sort key of an entry under the chain (smaller is better)."""
    key: list[int] = []
    for c in chain:
        if c == "score":
            key.append(-e.score_milli)
        elif c == "prediction":
            d = distance(e.prediction, actual)
            key.append(NO_PREDICTION if d is None else d)
        elif c == "duration":
            key.append(e.duration_ms)
        elif c == "submitted":
            key.append(e.submitted_ms)
        else:
            raise ValueError(f"unknown tie-break criterion {c!r}")
    return tuple(key)


def order_group(group: Sequence[Entry], seed: bytes) -> list[tuple[Entry, str]]:
    """Entries equal on the whole chain, put in draw order, each with its draw key."""
    keyed = [(draw_key(seed, e.entry_id), e) for e in group]
    keyed.sort(key=lambda ke: (ke[0], ke[1].entry_id))
    return [(e, k) for k, e in keyed]


def rank_sorted(entries: Iterable[Entry], chain: Sequence[str], actual: int | None,
                seed: bytes, first_position: int = 1) -> Iterator[Ranked]:
    """Final places for entries already sorted by chain key (streams: holds one tie group).

    Raises ValueError if the input is not in chain order.
    """
    position = first_position
    group: list[Entry] = []
    group_key: tuple[int, ...] | None = None

    def flush() -> Iterator[Ranked]:
        nonlocal position
        chain_rank = position
        tied = len(group) > 1
        for e, k in order_group(group, seed):
            yield Ranked(position, chain_rank, e, distance(e.prediction, actual), tied, k)
            position += 1

    for e in entries:
        key = chain_key(e, chain, actual)
        if group_key is not None and key != group_key:
            if key < group_key:
                raise ValueError("entries are not in chain order")
            yield from flush()
            group = []
        group.append(e)
        group_key = key
    if group:
        yield from flush()


def final_order(entries: Iterable[Entry], chain: Sequence[str], actual: int | None,
                seed: bytes) -> list[Ranked]:
    """The whole final order of entries given in any order (in memory; for tests and verify)."""
    ordered = sorted(entries, key=lambda e: chain_key(e, chain, actual))
    return list(rank_sorted(ordered, chain, actual, seed))
