"""Prize allocation from a round's prize structure (pure: the ranked entries are passed in).

The structure is stored as JSON on the round (`rounds.prizes`, documented in docs/results.md):

    {"tiers": [{"code": "nhat", "name": "Giải Nhất", "count": 1,
                "counts": {"hssv": 2}}, ...],          # counts: per-split override, optional
     "split": null | "group" | "unit",                  # quotas per group, or per unit
     "split_level": 2,                                  # the unit level when split = "unit"
     "one_prize_per_person": true,                      # across the contest's rounds
     "max_share": 0.1,                                  # at most 10% of entrants win, optional
     "min_score_milli": 5000,                           # optional
     "min_age": 18,                                     # optional; else the contest's minimum
     "excluded_groups": ["btc"], "excluded_units": ["SOTP"],   # ineligible staff
     "excluded_participants": ["<participant id>"],
     "collective": {"count": 3, "level": 2, "min_participation_rate": 0.3,
                    "name": "Giải tập thể"}}        # optional
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from contest.domain.people import age_on

SPLITS = (None, "group", "unit")

# Why an entrant cannot win, in the order they are checked; values are locale keys' suffixes.
REVIEW = "review"  # disqualified, or strongly flagged and not yet reviewed
PRIOR_PRIZE = "prior_prize"
UNDER_AGE = "under_age"
EXCLUDED_GROUP = "excluded_group"
EXCLUDED_UNIT = "excluded_unit"
EXCLUDED_PERSON = "excluded_person"
BELOW_MIN_SCORE = "below_min_score"


@dataclass(frozen=True)
class Tier:
    """A prize tier: its code, name and how many per split (or in all, without a split)."""

    code: str
    name: str
    count: int
    counts: Mapping[str, int] = field(default_factory=dict)

    def quota(self, split_key: str) -> int:
        """How many of this tier the split gets."""
        return self.counts.get(split_key, self.count)


@dataclass(frozen=True)
class CollectiveRules:
    """Collective prizes for units by participation rate, above a threshold."""

    count: int
    level: int = 2
    min_participation_rate: float = 0.0
    name: str = "Giải tập thể"


@dataclass(frozen=True)
class PrizeRules:
    """A round's prize structure, validated."""

    tiers: tuple[Tier, ...] = ()
    split: str | None = None
    split_level: int | None = None
    one_prize_per_person: bool = True
    max_share: float | None = None
    min_score_milli: int | None = None
    min_age: int | None = None
    excluded_groups: frozenset[str] = frozenset()
    excluded_units: frozenset[str] = frozenset()
    excluded_participants: frozenset[str] = frozenset()
    collective: CollectiveRules | None = None


def _int(raw: Any, name: str, low: int = 0) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < low:
        raise ValueError(f"{name} phải là số nguyên ≥ {low}")
    return raw


def _rate(raw: Any, name: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 <= raw <= 1:
        raise ValueError(f"{name} phải là số từ 0 đến 1")
    return float(raw)


def _codes(raw: Any, name: str) -> frozenset[str]:
    if raw is None:
        return frozenset()
    if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
        raise ValueError(f"{name} phải là danh sách mã")
    return frozenset(raw)


def parse_rules(raw: Mapping[str, Any] | None) -> PrizeRules:
    """Validate the JSON prize structure; raises ValueError naming the first problem."""
    if not raw:
        return PrizeRules()
    tiers: list[Tier] = []
    for i, t in enumerate(raw.get("tiers") or []):
        if not isinstance(t, Mapping) or not t.get("code") or not t.get("name"):
            raise ValueError(f"giải thứ {i + 1} cần có mã (code) và tên (name)")
        counts = t.get("counts") or {}
        if not isinstance(counts, Mapping):
            raise ValueError(f"giải «{t['name']}»: counts phải ghép mỗi nhóm với một số")
        label = f"số lượng {t['name']}"
        tiers.append(Tier(str(t["code"]), str(t["name"]), _int(t.get("count", 0), label),
                          {str(k): _int(v, label) for k, v in counts.items()}))
    if len({t.code for t in tiers}) != len(tiers):
        raise ValueError("hai giải trùng mã")
    split = raw.get("split")
    if split not in SPLITS:
        raise ValueError("split phải là null, 'group' hoặc 'unit'")
    split_level = raw.get("split_level")
    if split == "unit":
        split_level = _int(split_level if split_level is not None else 2, "split_level", 1)
    coll = raw.get("collective")
    collective = None
    if coll:
        collective = CollectiveRules(
            count=_int(coll.get("count", 0), "collective.count"),
            level=_int(coll.get("level", 2), "collective.level", 1),
            min_participation_rate=_rate(coll.get("min_participation_rate", 0.0),
                                         "collective.min_participation_rate"),
            name=str(coll.get("name") or "Giải tập thể"),
        )
    max_share = raw.get("max_share")
    min_score = raw.get("min_score_milli")
    min_age = raw.get("min_age")
    return PrizeRules(
        tiers=tuple(tiers), split=split, split_level=split_level if split == "unit" else None,
        one_prize_per_person=bool(raw.get("one_prize_per_person", True)),
        max_share=None if max_share is None else _rate(max_share, "max_share"),
        min_score_milli=None if min_score is None else _int(min_score, "min_score_milli"),
        min_age=None if min_age is None else _int(min_age, "min_age"),
        excluded_groups=_codes(raw.get("excluded_groups"), "excluded_groups"),
        excluded_units=_codes(raw.get("excluded_units"), "excluded_units"),
        excluded_participants=_codes(raw.get("excluded_participants"), "excluded_participants"),
        collective=collective,
    )


@dataclass(frozen=True)
class Person:
    """What the exclusion rules need to know of an entrant."""

    entry_id: str
    group_code: str
    unit_chain: tuple[str, ...]  # the unit and its ancestors
    birth_date: date | None
    score_milli: int


def exclusion(p: Person, rules: PrizeRules, on: date, *, review_excluded: Collection[str],
              prior_winners: Collection[str]) -> str | None:
    """Why the entrant cannot win a prize in this round, or None if they can."""
    if p.entry_id in review_excluded:
        return REVIEW
    if p.entry_id in rules.excluded_participants:
        return EXCLUDED_PERSON
    if rules.one_prize_per_person and p.entry_id in prior_winners:
        return PRIOR_PRIZE
    if rules.min_age is not None and p.birth_date is not None \
            and age_on(p.birth_date, on) < rules.min_age:
        return UNDER_AGE
    if p.group_code in rules.excluded_groups:
        return EXCLUDED_GROUP
    if rules.excluded_units.intersection(p.unit_chain):
        return EXCLUDED_UNIT
    if rules.min_score_milli is not None and p.score_milli < rules.min_score_milli:
        return BELOW_MIN_SCORE
    return None


def split_key(rules: PrizeRules, group_code: str, unit_chain_top_down: tuple[str, ...]) -> str:
    """The quota a participant draws from: their group, their unit at the split level, or ''."""
    if rules.split == "group":
        return group_code
    if rules.split == "unit" and rules.split_level is not None:
        idx = rules.split_level - 1
        return unit_chain_top_down[idx] if idx < len(unit_chain_top_down) else \
            (unit_chain_top_down[-1] if unit_chain_top_down else "")
    return ""


@dataclass(frozen=True)
class Award:
    """An individual prize: who, which tier, from which split's quota."""

    entry_id: str
    tier_code: str
    tier_name: str
    split_key: str
    position: int  # the entry's final position among all entrants


def cap(rules: PrizeRules, entrants: int) -> int | None:
    """The most individual prizes the share cap allows (None: no cap)."""
    if rules.max_share is None:
        return None
    return int(rules.max_share * entrants + 1e-9)


class Allocator:
    """Awards tiers down the final order, one eligible entry at a time (push style, so a
    streamed ranking is read only as far as needed).

    Within each split the best entries get the first tier until its quota is used, then the
    next tier, and so on; `done` turns true once the share cap is reached, or every known
    split (or the single pool, without a split) is full.
    """

    def __init__(self, rules: PrizeRules, entrants: int,
                 splits: Collection[str] | None = None) -> None:
        self.rules = rules
        self.limit = cap(rules, entrants)
        self.splits = splits if rules.split is not None else {""}
        self.used: dict[str, list[int]] = {}
        self.full: set[str] = set()
        self.awards: list[Award] = []

    @property
    def done(self) -> bool:
        """True when no further entry can win."""
        if not self.rules.tiers:
            return True
        if self.limit is not None and len(self.awards) >= self.limit:
            return True
        return self.splits is not None and self.full.issuperset(self.splits)

    def offer(self, position: int, entry_id: str, key: str) -> Award | None:
        """The award the next eligible entry in final order gets, or None."""
        if self.done or key in self.full:
            return None
        tiers = self.rules.tiers
        counts = self.used.setdefault(key, [0] * len(tiers))
        award = None
        for i, tier in enumerate(tiers):
            if counts[i] < tier.quota(key):
                counts[i] += 1
                award = Award(entry_id, tier.code, tier.name, key, position)
                self.awards.append(award)
                break
        if all(counts[i] >= t.quota(key) for i, t in enumerate(tiers)):
            self.full.add(key)
        return award


def allocate(ranked_eligible: Iterable[tuple[int, str, str]], rules: PrizeRules, entrants: int,
             splits: Collection[str] | None = None) -> list[Award]:
    """Award tiers down the final order of eligible entries (position, entry id, split key);
    see Allocator. Stops reading the input once no further entry can win."""
    alloc = Allocator(rules, entrants, splits)
    items = iter(ranked_eligible)
    while not alloc.done:
        item = next(items, None)
        if item is None:
            break
        alloc.offer(*item)
    return alloc.awards


@dataclass(frozen=True)
class UnitStats:
    """A unit's participation and results in a round (rolled up over its subtree)."""

    code: str
    name: str
    headcount: int | None
    participants: int
    attempts: int
    perfect: int
    score_sum_milli: int

    @property
    def participation_rate(self) -> float | None:
        """Participants over headcount; None when the headcount is unknown or zero."""
        return self.participants / self.headcount if self.headcount else None

    @property
    def average_score_milli(self) -> float | None:
        """Mean counted score; None without participants."""
        return self.score_sum_milli / self.participants if self.participants else None


@dataclass(frozen=True)
class CollectiveAward:
    """A collective prize for a unit."""

    unit_code: str
    name: str
    position: int
    participation_rate: float


def collective(units: Iterable[UnitStats], rules: CollectiveRules) -> list[CollectiveAward]:
    """Units at or above the threshold, best participation rate first (then average score,
    then code), the first `count` of them awarded; units without a headcount never qualify."""
    qualified = [u for u in units if u.participation_rate is not None
                 and u.participation_rate >= rules.min_participation_rate and u.participants]
    qualified.sort(key=lambda u: (-(u.participation_rate or 0.0),
                                  -(u.average_score_milli or 0.0), u.code))
    return [CollectiveAward(u.code, rules.name, i + 1, u.participation_rate or 0.0)
            for i, u in enumerate(qualified[:rules.count])]
