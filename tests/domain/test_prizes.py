"""Prize rules: tiers, group and unit quotas, one prize per person, share cap, exclusions,
collective prizes."""

from __future__ import annotations

from datetime import date

import pytest

from contest.domain import prizes
from contest.domain.prizes import (
    CollectiveRules,
    Person,
    PrizeRules,
    Tier,
    UnitStats,
    allocate,
    collective,
    exclusion,
    parse_rules,
    split_key,
)

TIERS = (Tier("nhat", "Giải Nhất", 1), Tier("nhi", "Giải Nhì", 2), Tier("ba", "Giải Ba", 3))


def ranked(*splits: str) -> list[tuple[int, str, str]]:
    return [(i + 1, f"P{i + 1}", s) for i, s in enumerate(splits)]


def tiers_of(awards: list[prizes.Award]) -> list[tuple[str, str]]:
    return [(a.entry_id, a.tier_code) for a in awards]


def test_tiers_go_down_the_order() -> None:
    awards = allocate(ranked(*[""] * 10), PrizeRules(tiers=TIERS), entrants=10)
    assert tiers_of(awards) == [("P1", "nhat"), ("P2", "nhi"), ("P3", "nhi"),
                                ("P4", "ba"), ("P5", "ba"), ("P6", "ba")]


def test_group_quotas_with_a_per_group_override() -> None:
    rules = parse_rules({"split": "group", "tiers": [
        {"code": "nhat", "name": "Giải Nhất", "count": 1, "counts": {"hssv": 2}},
        {"code": "kk", "name": "Khuyến khích", "count": 1}]})
    order = ranked("cbcc", "cbcc", "cbcc", "hssv", "hssv", "hssv", "hssv")
    assert tiers_of(allocate(order, rules, entrants=7, splits={"cbcc", "hssv"})) == [
        ("P1", "nhat"), ("P2", "kk"), ("P4", "nhat"), ("P5", "nhat"), ("P6", "kk")]


def test_known_splits_let_allocation_stop_reading() -> None:
    rules = PrizeRules(tiers=(Tier("nhat", "Giải Nhất", 1),), split="group")
    read: list[int] = []

    def stream() -> object:
        for i in range(1000):
            read.append(i)
            yield (i + 1, f"P{i}", "a" if i % 2 else "b")

    awards = allocate(stream(), rules, entrants=1000, splits={"a", "b"})  # type: ignore[arg-type]
    assert len(awards) == 2 and len(read) == 2


def test_share_cap_limits_the_number_of_winners() -> None:
    rules = PrizeRules(tiers=TIERS, max_share=0.25)
    awards = allocate(ranked(*[""] * 12), rules, entrants=12)
    assert tiers_of(awards) == [("P1", "nhat"), ("P2", "nhi"), ("P3", "nhi")]
    assert prizes.cap(PrizeRules(max_share=0.1), 9) == 0
    assert prizes.cap(PrizeRules(max_share=0.3), 10) == 3  # no float rounding surprise


def person(**kw: object) -> Person:
    base: dict[str, object] = dict(entry_id="P1", group_code="tudo",
                                   unit_chain=("BP-BUDANG-THPT", "BP-BUDANG", "BP"),
                                   birth_date=date(1990, 1, 1), score_milli=8000)
    base.update(kw)
    return Person(**base)  # type: ignore[arg-type]


RULES_X = PrizeRules(min_age=18, excluded_groups=frozenset({"btc"}),
                     excluded_units=frozenset({"BP-DONGXOAI"}), min_score_milli=5000,
                     excluded_participants=frozenset({"P9"}))
DAY = date(2026, 11, 27)


@pytest.mark.parametrize(("changes", "reason"), [
    ({}, None),
    ({"entry_id": "P7"}, prizes.REVIEW),
    ({"entry_id": "P8"}, prizes.PRIOR_PRIZE),
    ({"entry_id": "P9"}, prizes.EXCLUDED_PERSON),
    ({"birth_date": date(2008, 11, 28)}, prizes.UNDER_AGE),
    ({"birth_date": date(2008, 11, 27)}, None),  # 18 today
    ({"group_code": "btc"}, prizes.EXCLUDED_GROUP),
    ({"unit_chain": ("BP-DONGXOAI", "BP")}, prizes.EXCLUDED_UNIT),
    ({"score_milli": 4999}, prizes.BELOW_MIN_SCORE),
])
def test_exclusions(changes: dict[str, object], reason: str | None) -> None:
    got = exclusion(person(**changes), RULES_X, DAY, review_excluded={"P7"},
                    prior_winners={"P8"})
    assert got == reason


def test_prior_winners_may_win_again_when_configured() -> None:
    rules = PrizeRules(one_prize_per_person=False)
    assert exclusion(person(entry_id="P8"), rules, DAY, review_excluded=(),
                     prior_winners={"P8"}) is None


def test_one_prize_per_person_across_rounds() -> None:
    # Round 1's winner P1 is excluded from round 2, so P2 takes the first prize there.
    rules = PrizeRules(tiers=(Tier("nhat", "Giải Nhất", 1),))
    round1 = allocate(ranked("", ""), rules, entrants=2)
    prior = {a.entry_id for a in round1}
    eligible = [(pos, eid, k) for pos, eid, k in ranked("", "")
                if exclusion(person(entry_id=eid), rules, DAY, review_excluded=(),
                             prior_winners=prior) is None]
    assert tiers_of(allocate(eligible, rules, entrants=2)) == [("P2", "nhat")]


def test_unit_split_key_uses_the_configured_level() -> None:
    rules = parse_rules({"split": "unit", "split_level": 2, "tiers": []})
    assert split_key(rules, "tudo", ("BP", "BP-BUDANG", "BP-BUDANG-THPT")) == "BP-BUDANG"
    assert split_key(rules, "tudo", ("BP",)) == "BP"
    assert split_key(parse_rules({"split": "group"}), "hssv", ("BP",)) == "hssv"
    assert split_key(PrizeRules(), "hssv", ("BP",)) == ""


def test_collective_prizes_by_participation_rate_with_a_threshold() -> None:
    units = [
        UnitStats("A", "Huyện A", 100, 50, 60, 3, 50 * 8000),   # 50%
        UnitStats("B", "Huyện B", 100, 50, 55, 1, 50 * 9000),   # 50%, better average
        UnitStats("C", "Huyện C", 100, 20, 20, 0, 20 * 9000),   # 20%: below threshold
        UnitStats("D", "Huyện D", None, 500, 500, 0, 0),        # no headcount: never
        UnitStats("E", "Huyện E", 10, 9, 9, 0, 9 * 1000),       # 90%
    ]
    got = collective(units, CollectiveRules(count=2, min_participation_rate=0.3))
    assert [(c.unit_code, c.position) for c in got] == [("E", 1), ("B", 2)]
    assert [c.unit_code for c in collective(units, CollectiveRules(count=9,
            min_participation_rate=0.3))] == ["E", "B", "A"]


@pytest.mark.parametrize(("raw", "message"), [
    ({"tiers": [{"code": "a"}]}, "giải thứ 1 cần có mã"),
    ({"tiers": [{"code": "a", "name": "Giải Ba", "count": -1}]},
     "số lượng Giải Ba phải là số nguyên ≥ 0"),
    ({"tiers": [{"code": "a", "name": "A"}, {"code": "a", "name": "B"}]}, "hai giải trùng mã"),
    ({"split": "district"}, "split"),
    ({"max_share": 1.5}, "max_share"),
    ({"collective": {"count": 1, "min_participation_rate": "x"}}, "min_participation_rate"),
    ({"excluded_groups": "btc"}, "excluded_groups"),
])
def test_parse_rules_refuses(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_rules(raw)
