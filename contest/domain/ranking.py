"""The live ranking order and its exact encoding into one Redis sorted-set score + member.

Order: score desc, then duration asc, then submission time asc (then participant id, only to
make the order total; entries equal on the first three share a rank: 1, 2, 2, 4).

Bit budget of the sorted-set score (a double: exact for every integer below 2^53):

    score = (SCORE_CEILING - score_milli) * 2^DURATION_BITS + duration_ms

- score_milli in 0..2^17-1 (131,071 thousandths: 131 one-point questions);
- duration_ms in 0..2^32-1 (49.7 days, beyond the 31-day round limit, at ms precision);
- 17 + 32 = 49 bits < 53, so every value round-trips exactly through a double.

Submission time is not in the double: it leads the member string as a zero-padded offset in
MICROseconds from the round's opening (16 digits: 317 years). Redis orders equal scores by
member, byte-wise, so equal (score, duration) entries come out by submission time. Microseconds
are what SQL stores for a timestamp, so Redis and `ORDER BY submitted_at` never disagree about
two submissions in the same millisecond.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

SCORE_BITS = 17
DURATION_BITS = 32
SCORE_CEILING = (1 << SCORE_BITS) - 1
MAX_DURATION_MS = (1 << DURATION_BITS) - 1
OFFSET_DIGITS = 16
MAX_OFFSET_US = 10**OFFSET_DIGITS - 1
ROUND_MAX_DAYS = 31
EXACT_LIMIT = 1 << 53  # every sorted-set score stays below this


@dataclass(frozen=True, order=True)
class Standing:
    """What the live board knows of one participant's counted attempt."""

    score_milli: int
    duration_ms: int
    submitted_offset_us: int
    participant_id: str

    def sort_key(self) -> tuple[int, int, int, str]:
        """Ascending key: better standings first."""
        return (-self.score_milli, self.duration_ms, self.submitted_offset_us,
                self.participant_id)

    def tie_key(self) -> tuple[int, int, int]:
        """Entries with equal tie keys share a rank."""
        return (self.score_milli, self.duration_ms, self.submitted_offset_us)


def offset_us(opens_at: datetime, submitted_at: datetime) -> int:
    """Whole microseconds from the round's opening to a submission, never negative."""
    return max(0, (submitted_at - opens_at) // timedelta(microseconds=1))


def encode(s: Standing) -> tuple[int, str]:
    """The (sorted-set score, member) of a standing; raises ValueError outside the budget."""
    if not 0 <= s.score_milli <= SCORE_CEILING:
        raise ValueError(f"score {s.score_milli} outside 0..{SCORE_CEILING}")
    if not 0 <= s.duration_ms <= MAX_DURATION_MS:
        raise ValueError(f"duration {s.duration_ms} outside 0..{MAX_DURATION_MS}")
    if not 0 <= s.submitted_offset_us <= MAX_OFFSET_US:
        raise ValueError(f"offset {s.submitted_offset_us} outside 0..{MAX_OFFSET_US}")
    if ":" in s.participant_id:
        raise ValueError("participant id must not contain ':'")
    score = ((SCORE_CEILING - s.score_milli) << DURATION_BITS) | s.duration_ms
    member = f"{s.submitted_offset_us:0{OFFSET_DIGITS}d}:{s.participant_id}"
    return score, member


def decode(score: float, member: str) -> Standing:
    """Invert encode; raises ValueError for a score or member not made by encode."""
    value = int(score)
    if value != score or not 0 <= value < EXACT_LIMIT:
        raise ValueError(f"not a board score: {score!r}")
    offset, sep, pid = member.partition(":")
    if not sep or len(offset) != OFFSET_DIGITS or not offset.isdigit():
        raise ValueError(f"not a board member: {member!r}")
    return Standing(
        score_milli=SCORE_CEILING - (value >> DURATION_BITS),
        duration_ms=value & MAX_DURATION_MS,
        submitted_offset_us=int(offset),
        participant_id=pid,
    )


def score_band(score_milli: int) -> tuple[int, int]:
    """Lowest and highest sorted-set score of entries with this score (any duration)."""
    top = (SCORE_CEILING - score_milli) << DURATION_BITS
    return top, top | MAX_DURATION_MS


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
