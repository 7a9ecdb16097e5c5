"""The live ranking order and its exact encoding into one Redis sorted-set score.

Order: score desc, then duration asc, then submission time asc (then participant id, only to
make the order total; entries equal on the first three share a rank).

Bit budget (all below 2^53, so a double holds every value exactly):
- sorted-set score = (SCORE_CEILING - score_milli) * 2^DURATION_BITS + duration_ms
  - score_milli < 2^17 (131,071 thousandths: 131 questions at one point each);
  - duration_ms < 2^32 (49.7 days, beyond the 31-day round limit).
  - 17 + 32 = 49 bits.
- submission time is not in the double: it leads the member string as a zero-padded offset in
  ms from the round's opening (12 digits, 31.7 years), and Redis orders equal scores by member,
  byte-wise, so equal (score, duration) entries come out by submission time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SCORE_BITS = 17
DURATION_BITS = 32
SCORE_CEILING = (1 << SCORE_BITS) - 1
MAX_DURATION_MS = (1 << DURATION_BITS) - 1
MAX_OFFSET_MS = 10**12 - 1
OFFSET_DIGITS = 12
ROUND_MAX_DAYS = 31


@dataclass(frozen=True, order=True)
class Standing:
    """What the live board knows of one participant's counted attempt."""

    score_milli: int
    duration_ms: int
    submitted_offset_ms: int
    participant_id: str

    def sort_key(self) -> tuple[int, int, int, str]:
        """Ascending key: better standings first."""
        return (-self.score_milli, self.duration_ms, self.submitted_offset_ms, self.participant_id)

    def tie_key(self) -> tuple[int, int, int]:
        """Entries with equal tie keys share a rank."""
        return (self.score_milli, self.duration_ms, self.submitted_offset_ms)


def encode(s: Standing) -> tuple[int, str]:
    """The (sorted-set score, member) of a standing; raises ValueError outside the budget."""
    if not 0 <= s.score_milli <= SCORE_CEILING:
        raise ValueError(f"score {s.score_milli} outside 0..{SCORE_CEILING}")
    if not 0 <= s.duration_ms <= MAX_DURATION_MS:
        raise ValueError(f"duration {s.duration_ms} outside 0..{MAX_DURATION_MS}")
    if not 0 <= s.submitted_offset_ms <= MAX_OFFSET_MS:
        raise ValueError(f"offset {s.submitted_offset_ms} outside 0..{MAX_OFFSET_MS}")
    score = ((SCORE_CEILING - s.score_milli) << DURATION_BITS) | s.duration_ms
    member = f"{s.submitted_offset_ms:0{OFFSET_DIGITS}d}:{s.participant_id}"
    return score, member


def decode(score: float, member: str) -> Standing:
    """Invert encode; raises ValueError for a member not made by encode."""
    value = int(score)
    offset, sep, pid = member.partition(":")
    if not sep or len(offset) != OFFSET_DIGITS:
        raise ValueError(f"not a board member: {member!r}")
    return Standing(
        score_milli=SCORE_CEILING - (value >> DURATION_BITS),
        duration_ms=value & MAX_DURATION_MS,
        submitted_offset_ms=int(offset),
        participant_id=pid,
    )


def competition_ranks(ordered: Sequence[Standing], first_rank: int = 1) -> list[int]:
    """Ranks 1, 2, 2, 4 for standings already in board order, starting at first_rank.

    first_rank is the rank of ordered[0] (for a page that starts mid-board).
    """
    ranks: list[int] = []
    for i, s in enumerate(ordered):
        if i and s.tie_key() == ordered[i - 1].tie_key():
            ranks.append(ranks[-1])
        else:
            ranks.append(first_rank + i)
    return ranks


def rank_all(standings: Iterable[Standing]) -> list[tuple[int, Standing]]:
    """Sort standings into board order and give each its competition rank."""
    ordered = sorted(standings, key=Standing.sort_key)
    return list(zip(competition_ranks(ordered), ordered, strict=True))
