"""The integrity detectors: table-driven cases and properties."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.domain import integrity as rules
from contest.domain.integrity import (
    AnswerRecord,
    AnswerTiming,
    PredictionRecord,
    StartRecord,
    Thresholds,
)

TH = Thresholds()
T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(("chars", "floor"), [
    (0, 500), (20, 600), (100, 1000), (200, 1500), (5000, 1500),
])
def test_answer_floor_scales_with_text_and_is_capped(chars: int, floor: int) -> None:
    assert rules.answer_floor_ms(chars, TH) == floor


def _timings(ms: list[int], chars: int = 120) -> list[AnswerTiming]:
    return [AnswerTiming(i, chars, m) for i, m in enumerate(ms)]


@pytest.mark.parametrize(("ms", "expected"), [
    ([200] * 10, "strong"),  # a script answering every 200 ms
    ([200] * 5 + [9000] * 5, "strong"),  # half the answers impossible
    ([300, 400] + [9000] * 8, "weak"),  # a couple of fast ones: visible, not damning
    ([300] + [9000] * 9, None),  # one quick click is a person who knew it
    ([9000, 15000, 22000, 4000, 31000, 12000, 8000, 6000, 18000, 25000], None),  # honest
    ([200, 200], None),  # too few answers to say anything
])
def test_fast_answers(ms: list[int], expected: str | None) -> None:
    flag = rules.fast_answers(_timings(ms), TH)
    assert (flag.strength if flag else None) == expected
    if flag:
        assert flag.reason == rules.FAST_ANSWERS
        assert flag.details["answered"] == len(ms)


def test_answer_timings_follow_first_saves_in_time_order() -> None:
    out = rules.answer_timings(1000, [(7, 50, 9000), (3, 80, 4000), (5, 10, 9000)])
    assert [(t.question_id, t.ms) for t in out] == [(3, 3000), (5, 5000), (7, 0)]


@given(st.lists(st.tuples(st.integers(1, 50), st.integers(0, 500), st.integers(0, 10**7)),
                max_size=40))
def test_answer_timings_sum_to_the_last_save(saves: list[tuple[int, int, int]]) -> None:
    out = rules.answer_timings(0, saves)
    assert len(out) == len(saves)
    assert all(t.ms >= 0 for t in out)
    assert sum(t.ms for t in out) == max((s[2] for s in saves), default=0)


@pytest.mark.parametrize(("duration", "questions", "flagged"), [
    (1000, 5, True), (9999, 5, True), (10000, 5, False), (600000, 20, False), (0, 0, False),
])
def test_fast_attempt(duration: int, questions: int, flagged: bool) -> None:
    assert (rules.fast_attempt(duration, questions, TH) is not None) is flagged


def test_tab_hidden_is_always_weak_and_labelled_client_reported() -> None:
    assert rules.tab_hidden(2, TH) is None
    flag = rules.tab_hidden(7, TH)
    assert flag is not None and flag.strength == "weak" and flag.details["client_reported"]


def _record(n: int, answers: dict[int, tuple[int, ...]], times: dict[int, int]) -> AnswerRecord:
    return AnswerRecord(f"a{n}", f"p{n}", answers, times)


ANSWERS = {q: (q * 10,) for q in range(8)}
TIMES = {q: 3000 + 100 * q for q in range(8)}


def test_three_identical_accounts_are_one_strong_cluster() -> None:
    recs = [_record(i, ANSWERS, {q: t + 50 * i for q, t in TIMES.items()}) for i in range(3)]
    out = rules.identical_answers(recs, TH)
    assert {r.participant_id for r, _ in out} == {"p0", "p1", "p2"}
    assert all(f.strength == "strong" and f.details["accounts"] == 3 for _, f in out)


def test_same_answers_at_a_different_pace_are_not_clustered() -> None:
    # Experts agree on the answers; they do not share a rhythm to the second.
    rng = random.Random(1)
    recs = [_record(i, ANSWERS, {q: rng.randint(3000, 40000) for q in ANSWERS})
            for i in range(20)]
    assert rules.identical_answers(recs, TH) == []


def test_two_identical_accounts_are_only_medium() -> None:
    out = rules.identical_answers([_record(i, ANSWERS, TIMES) for i in range(2)], TH)
    assert [f.strength for _, f in out] == ["medium", "medium"]


def test_short_answer_sets_are_not_compared() -> None:
    few = {0: (1,), 1: (2,)}
    assert rules.identical_answers([_record(i, few, {0: 1, 1: 1}) for i in range(5)], TH) == []


def test_answer_digest_ignores_order() -> None:
    assert rules.answers_digest({1: (3, 2), 2: (5,)}) == rules.answers_digest({2: (5,), 1: (2, 3)})
    assert rules.answers_digest({1: (3,)}) != rules.answers_digest({1: (4,)})


def _starts(n: int, *, device: str | None, ip: str = "10.0.0.1", ua: str = "Chrome",
            every_s: float = 30) -> list[StartRecord]:
    return [StartRecord(f"p{i}", T0 + timedelta(seconds=every_s * i), ip,
                        device if device else f"dev{i}", ua) for i in range(n)]


def test_one_device_many_accounts_is_strong() -> None:
    out = rules.account_clusters(_starts(6, device="D"), TH)
    assert len(out) == 6
    assert all(f.reason == rules.SHARED_DEVICE and f.strength == "strong"
               for flags in out.values() for f in flags)


def test_a_family_sharing_a_phone_is_medium_and_spread_out_is_nothing() -> None:
    out = rules.account_clusters(_starts(3, device="D"), TH)
    assert {f.strength for flags in out.values() for f in flags} == {"medium"}
    # the same three an hour apart: no window holds more than one
    assert rules.account_clusters(_starts(3, device="D", every_s=3600), TH) == {}


def test_a_school_behind_one_nat_is_at_most_weak() -> None:
    # 500 pupils, one IP, one browser build, own devices, all within a lesson
    out = rules.account_clusters(_starts(500, device=None, every_s=2), TH)
    assert out
    assert {f.strength for flags in out.values() for f in flags} == {"weak"}
    assert {f.reason for flags in out.values() for f in flags} == {rules.SAME_NETWORK_BROWSER}


def test_ten_adjacent_predictions_from_one_ip_are_flagged() -> None:
    preds = [PredictionRecord(f"p{i}", 100 + i, "1.2.3.4", f"d{i}") for i in range(10)]
    out = rules.prediction_spreads(preds, TH)
    assert set(out) == {f"p{i}" for i in range(10)}
    assert all(f.strength == "strong" and f.details["run"] == 10 and f.details["by"] == "ip"
               for f in out.values())


def test_adjacent_predictions_from_different_ips_are_not_flagged() -> None:
    preds = [PredictionRecord(f"p{i}", 100 + i, f"1.2.3.{i}", f"d{i}") for i in range(10)]
    assert rules.prediction_spreads(preds, TH) == {}


def test_an_honest_school_guessing_is_not_strongly_flagged() -> None:
    rng = random.Random(7)
    # 500 guesses from one NAT: scattered, with popular round numbers repeated
    values = [rng.choice([10000, 20000, 50000]) if rng.random() < 0.3
              else rng.randint(1000, 100000) for _ in range(500)]
    preds = [PredictionRecord(f"p{i}", v, "1.2.3.4", f"d{i}") for i, v in enumerate(values)]
    assert not [f for f in rules.prediction_spreads(preds, TH).values() if f.strength == "strong"]


@given(st.lists(st.tuples(st.integers(0, 300), st.sampled_from(["a", "b"])), max_size=60),
       st.randoms())
def test_prediction_spreads_do_not_depend_on_order(entries: list[tuple[int, str]],
                                                   rnd: random.Random) -> None:
    preds = [PredictionRecord(f"p{i}", v, ip, None) for i, (v, ip) in enumerate(entries)]
    shuffled = preds[:]
    rnd.shuffle(shuffled)
    first = rules.prediction_spreads(preds, TH)
    assert {k: v.strength for k, v in first.items()} == \
        {k: v.strength for k, v in rules.prediction_spreads(shuffled, TH).items()}
    # a flagged value always has a neighbour within the gap among its group's values
    for pid, _flag in first.items():
        mine = next(p for p in preds if p.participant_id == pid)
        group = {p.value for p in preds if p.ip == mine.ip}
        assert mine.value - 1 in group or mine.value + 1 in group


@given(st.lists(st.tuples(st.integers(0, 3600), st.sampled_from(["D1", "D2", "D3"])),
                max_size=40))
def test_cluster_flags_need_enough_accounts_in_a_window(events: list[tuple[int, str]]) -> None:
    starts = [StartRecord(f"p{i}", T0 + timedelta(seconds=s), None, d, None)
              for i, (s, d) in enumerate(events)]
    out = rules.account_clusters(starts, TH)
    for pid in out:
        me = next(s for s in starts if s.participant_id == pid)
        near = {s.participant_id for s in starts if s.device == me.device
                and abs((s.at - me.at).total_seconds()) <= TH.cluster_window_s}
        assert len(near) >= TH.device_min_accounts
