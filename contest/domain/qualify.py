"""Who may enter a final round: the best N of each earlier round's official ranking (pure).

A final round's `qualify` setting reads `{"best_per_round": N, "from": [titles], "ties":
"draw"}`. The qualified set is the union, over the source rounds, of the first N *eligible*
entrants of each round's finalised official ranking (`final_rankings`, ordered by the whole
tie-break chain and, for entrants tied on all of it, by the round's public draw). So exactly N
qualify from each round (fewer when fewer are eligible), and a person in the best N of several
rounds is counted once (no slot passes to the next person). With `"ties": "include"` everyone
tied on the whole chain with the N-th eligible entrant qualifies as well (more than N then).

Eligible: the entrant has no exclusion, or only `prior_prize` (one prize per person keeps a
week's earlier winner from a second prize, never from the final). Entrants disqualified by the
review, under age, of an excluded group or unit, or below the round's minimum score do not
qualify.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contest.domain.prizes import PRIOR_PRIZE

TIES = ("draw", "include")
MAX_BEST = 100_000


@dataclass(frozen=True)
class Qualify:
    """A final round's qualification rule; `sources` empty: every earlier ranked round."""

    best_per_round: int
    sources: tuple[str, ...] = ()
    ties: str = "draw"

    def as_dict(self) -> dict[str, Any]:
        """The stored (and contest file) shape of the rule."""
        d: dict[str, Any] = {"best_per_round": self.best_per_round}
        if self.sources:
            d["from"] = list(self.sources)
        if self.ties != "draw":
            d["ties"] = self.ties
        return d


def parse(raw: Mapping[str, Any] | None) -> Qualify | None:
    """The rule from its stored shape (None: the round is open to every registrant); raises
    ValueError with a Vietnamese message for a bad one."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ValueError("qualify phải là một bảng khóa: giá trị")
    unknown = set(raw) - {"best_per_round", "from", "ties"}
    if unknown:
        raise ValueError(f"qualify không hỗ trợ khóa {', '.join(sorted(unknown))} "
                         "(dùng: best_per_round, from, ties)")
    best = raw.get("best_per_round")
    if isinstance(best, bool) or not isinstance(best, int) or not 1 <= best <= MAX_BEST:
        raise ValueError(f"qualify.best_per_round phải là số nguyên từ 1 đến {MAX_BEST}")
    sources = raw.get("from") or []
    if not isinstance(sources, list) or not all(isinstance(t, str) and t.strip()
                                                for t in sources):
        raise ValueError("qualify.from phải là danh sách tên các đợt thi")
    if len(set(sources)) != len(sources):
        raise ValueError("qualify.from có tên đợt bị lặp")
    ties = raw.get("ties") or "draw"
    if ties not in TIES:
        raise ValueError("qualify.ties phải là draw (bốc thăm đã công bố) hoặc include "
                         "(lấy cả những người bằng điểm người thứ N)")
    return Qualify(best, tuple(sources), ties)


@dataclass(frozen=True)
class Ranked:
    """One entrant of a source round's official ranking."""

    participant_id: str
    position: int  # 1-based, total order (chain, then the public draw)
    chain_rank: int  # equal for entrants tied on the whole tie-break chain
    exclusion: str | None = None


def eligible(r: Ranked) -> bool:
    """Whether the entrant may qualify (see the module's docstring)."""
    return r.exclusion is None or r.exclusion == PRIOR_PRIZE


def best_of(ranking: Iterable[Ranked], n: int, ties: str = "draw") -> list[Ranked]:
    """The qualifying entrants of one round, best first."""
    ordered = sorted((r for r in ranking if eligible(r)), key=lambda r: r.position)
    chosen = ordered[:n]
    if ties == "include" and len(chosen) == n:
        cut = chosen[-1].chain_rank
        chosen += [r for r in ordered[n:] if r.chain_rank == cut]
    return chosen


def qualified(rankings: Mapping[int, Sequence[Ranked]],
              rule: Qualify) -> dict[str, tuple[int, int]]:
    """participant id -> (source round id, position there) of everyone who qualifies; a person
    qualified by several rounds keeps the earliest round given (the mapping's order) and its
    position."""
    out: dict[str, tuple[int, int]] = {}
    for round_id, ranking in rankings.items():
        for r in best_of(ranking, rule.best_per_round, rule.ties):
            out.setdefault(r.participant_id, (round_id, r.position))
    return out
