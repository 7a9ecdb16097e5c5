"""Per-question and per-option statistics after a round, with two warning flags (pure).

- Wrong key: among the best participants (the top 27 % by their attempt's score), most chose
  one option that is not the key, more often than they chose the key. When the key is wrong
  the people who know the law answer "wrongly", so this is where it shows first.
- Leak: the share of correct answers jumps over time (the last third of the answers, in time
  order, is far more often correct than the first third), as when the answer circulates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

TOP_SHARE = 0.27
MIN_TOP = 5  # best participants needed before judging a key
MIN_THIRD = 10  # answers per third needed before judging a leak
LEAK_JUMP = 0.25
WRONG_KEY_SHARE = 0.5


@dataclass(frozen=True)
class Response:
    """One submitted attempt's answer to the question."""

    score: float  # the attempt's score as a share of its maximum (0..1)
    chosen: frozenset[int]  # option ids chosen (empty: not answered)
    at: datetime  # when the answer was saved (or the attempt submitted)


@dataclass(frozen=True)
class OptionStat:
    """How often one option was chosen, overall and by the best participants."""

    option_id: int
    position: int
    key: bool
    chosen: int
    share: float
    top_share: float


@dataclass
class ItemStats:
    """Statistics of one question."""

    shown: int = 0
    answered: int = 0
    correct: int = 0
    discrimination: float | None = None
    options: list[OptionStat] = field(default_factory=list)
    wrong_key: bool = False
    suspected_key: int | None = None  # the option the best participants chose instead
    leak: bool = False
    early_share: float | None = None
    late_share: float | None = None

    @property
    def share_correct(self) -> float | None:
        """Share of those shown the question who answered it correctly."""
        return self.correct / self.shown if self.shown else None


def item_stats(options: Sequence[tuple[int, bool]], responses: Sequence[Response]) -> ItemStats:
    """Statistics of a question from its (option id, is key) list and its responses."""
    key = frozenset(o for o, ok in options if ok)
    st = ItemStats(shown=len(responses))
    if not responses:
        st.options = [OptionStat(o, i, ok, 0, 0.0, 0.0) for i, (o, ok) in enumerate(options)]
        return st
    right = [r.chosen == key for r in responses]
    st.answered = sum(1 for r in responses if r.chosen)
    st.correct = sum(right)
    ranked = sorted(zip(responses, right, strict=True), key=lambda x: x[0].score)
    k = max(1, round(len(ranked) * TOP_SHARE))
    top, bottom = ranked[-k:], ranked[:k]
    if len(ranked) >= 4:
        st.discrimination = sum(c for _, c in top) / k - sum(c for _, c in bottom) / k
    n = len(responses)
    for i, (oid, ok) in enumerate(options):
        chosen = sum(1 for r in responses if oid in r.chosen)
        top_chosen = sum(1 for r, _ in top if oid in r.chosen)
        st.options.append(OptionStat(oid, i, ok, chosen, chosen / n, top_chosen / k))
    if k >= MIN_TOP:
        best = max(st.options, key=lambda o: o.top_share)
        key_top = max((o.top_share for o in st.options if o.key), default=0.0)
        if not best.key and best.top_share >= WRONG_KEY_SHARE and best.top_share > key_top:
            st.wrong_key, st.suspected_key = True, best.option_id
    timed = [c for _, c in sorted(zip((r.at for r in responses), right, strict=True))]
    third = len(timed) // 3
    if third >= MIN_THIRD:
        st.early_share = sum(timed[:third]) / third
        st.late_share = sum(timed[-third:]) / third
        st.leak = st.late_share - st.early_share >= LEAK_JUMP
    return st
