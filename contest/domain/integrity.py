"""Integrity signal detectors: pure functions from recorded facts to flags.

Nothing here blocks anyone or changes a score: a flag only puts a participant on the review
list. Thresholds live in `Thresholds`; times are passed in as milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Strength = Literal["weak", "medium", "strong"]
STRENGTH_ORDER: dict[str, int] = {"weak": 1, "medium": 2, "strong": 3}

# Reason codes (stable: stored in the database and shown to reviewers through the locale).
FAST_ANSWERS = "answers_too_fast"
FAST_ATTEMPT = "attempt_too_fast"
IDENTICAL_ANSWERS = "identical_answers"
SHARED_DEVICE = "shared_device"
SAME_NETWORK_BROWSER = "same_network_and_browser"
PREDICTION_SPREAD = "prediction_spread"
TAB_HIDDEN = "tab_hidden"

# Reasons computed across participants by the periodic pass (recomputed as a whole).
CROSS_REASONS = (IDENTICAL_ANSWERS, SHARED_DEVICE, SAME_NETWORK_BROWSER, PREDICTION_SPREAD)


@dataclass(frozen=True)
class Flag:
    """A verdict of one detector: a reason code, a strength and what it saw."""

    reason: str
    strength: Strength
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Thresholds:
    """Every tunable of the detectors, with defaults chosen never to flag an honest class."""

    # A person needs at least base + per_char * characters to read a question and its options,
    # capped: a long question still takes a reader at least `answer_floor_max_ms`.
    answer_floor_base_ms: int = 500
    answer_floor_per_char_ms: int = 5
    answer_floor_max_ms: int = 1500
    min_answers: int = 3  # fewer answered questions say nothing
    fast_share_strong: float = 0.5  # share of answers under the floor for a strong flag
    fast_share_weak: float = 0.2
    attempt_floor_per_question_ms: int = 2000
    identical_min_answers: int = 5
    identical_tolerance_ms: int = 1000  # per answer, for "the same timing"
    identical_min_accounts: int = 3  # strong from here; 2 accounts give a medium flag
    cluster_window_s: int = 600
    device_min_accounts: int = 3  # medium from here
    device_strong_accounts: int = 5
    network_min_accounts: int = 30  # same IP and user agent: weak only (schools share both)
    spread_max_gap: int = 1
    spread_min_run: int = 5  # medium from here
    spread_strong_run: int = 8
    hidden_min_changes: int = 3


def answer_floor_ms(chars: int, th: Thresholds) -> int:
    """The fastest plausible time to read and answer a question of `chars` characters."""
    floor = th.answer_floor_base_ms + th.answer_floor_per_char_ms * chars
    return min(th.answer_floor_max_ms, floor)


@dataclass(frozen=True)
class AnswerTiming:
    """One answered question: its length in characters and the time since the previous answer."""

    question_id: int
    chars: int
    ms: int


def answer_timings(started_ms: int, first_saves: Sequence[tuple[int, int, int]]
                   ) -> list[AnswerTiming]:
    """Timings in answering order from (question id, chars, first-save ms) and the start time."""
    out: list[AnswerTiming] = []
    previous = started_ms
    for qid, chars, at in sorted(first_saves, key=lambda x: (x[2], x[0])):
        out.append(AnswerTiming(qid, chars, max(0, at - previous)))
        previous = max(previous, at)
    return out


def fast_answers(timings: Sequence[AnswerTiming], th: Thresholds = Thresholds()) -> Flag | None:
    """Flag answers given faster than a person can read them; None when plausible."""
    if len(timings) < th.min_answers:
        return None
    fast = [t for t in timings if t.ms < answer_floor_ms(t.chars, th)]
    share = len(fast) / len(timings)
    strength: Strength
    if share >= th.fast_share_strong:
        strength = "strong"
    elif share >= th.fast_share_weak and len(fast) >= 2:
        strength = "weak"
    else:
        return None
    return Flag(FAST_ANSWERS, strength, {
        "fast": len(fast), "answered": len(timings),
        "median_ms": int(statistics.median(t.ms for t in timings)),
    })


def fast_attempt(duration_ms: int, questions: int, th: Thresholds = Thresholds()) -> Flag | None:
    """Flag a whole attempt finished faster than the per-question floor allows."""
    floor = questions * th.attempt_floor_per_question_ms
    if questions <= 0 or duration_ms >= floor:
        return None
    return Flag(FAST_ATTEMPT, "strong", {"duration_ms": duration_ms, "floor_ms": floor})


def tab_hidden(changes: int, th: Thresholds = Thresholds()) -> Flag | None:
    """A weak flag for a page hidden often during the attempt (client-reported, forgeable)."""
    if changes < th.hidden_min_changes:
        return None
    return Flag(TAB_HIDDEN, "weak", {"changes": changes, "client_reported": True})


@dataclass(frozen=True)
class AnswerRecord:
    """A submitted attempt's answers: question -> option ids, and per-question timing."""

    attempt_id: str
    participant_id: str
    answers: dict[int, tuple[int, ...]]
    times_ms: dict[int, int]


def answers_digest(answers: dict[int, tuple[int, ...]]) -> str:
    """A stable digest of an answer set (question ids with their chosen options)."""
    canon = json.dumps(sorted((q, sorted(o)) for q, o in answers.items()), separators=(",", ":"))
    return hashlib.sha256(canon.encode()).hexdigest()[:32]


def _same_timing(a: AnswerRecord, b: AnswerRecord, tol: int) -> bool:
    return all(abs(a.times_ms.get(q, -10**9) - b.times_ms.get(q, 10**9)) <= tol for q in a.answers)


def identical_answers(records: Iterable[AnswerRecord], th: Thresholds = Thresholds()
                      ) -> list[tuple[AnswerRecord, Flag]]:
    """Flag groups of accounts with the same answers on the same questions at the same pace.

    Honest experts share answers but not a per-question rhythm; a script replaying a leaked
    list shares both. Records are bucketed by their answer digest, then clustered by timing.
    """
    buckets: dict[str, list[AnswerRecord]] = defaultdict(list)
    for r in records:
        if len(r.answers) >= th.identical_min_answers:
            buckets[answers_digest(r.answers)].append(r)
    out: list[tuple[AnswerRecord, Flag]] = []
    for digest, group in buckets.items():
        clusters: list[list[AnswerRecord]] = []
        for r in sorted(group, key=lambda x: x.attempt_id):
            for c in clusters:
                if _same_timing(c[0], r, th.identical_tolerance_ms):
                    c.append(r)
                    break
            else:
                clusters.append([r])
        for c in clusters:
            accounts = {r.participant_id for r in c}
            if len(accounts) < 2:
                continue
            big = len(accounts) >= th.identical_min_accounts
            strength: Strength = "strong" if big else "medium"
            for r in c:
                others = sorted(accounts - {r.participant_id})
                out.append((r, Flag(IDENTICAL_ANSWERS, strength, {
                    "accounts": len(accounts), "others": others[:20], "digest": digest[:12]})))
    return out


@dataclass(frozen=True)
class StartRecord:
    """Where an attempt was started from: network address, device cookie, browser."""

    participant_id: str
    at: datetime
    ip: str | None
    device: str | None
    user_agent: str | None


def _windows(events: list[tuple[datetime, str]], window_s: int, minimum: int
             ) -> tuple[int, set[str]]:
    """(largest distinct-account count in any window, accounts in windows reaching minimum)."""
    events.sort()
    best, hit = 0, set[str]()
    inside: Counter[str] = Counter()
    lo = 0
    for at, pid in events:
        inside[pid] += 1
        while (at - events[lo][0]).total_seconds() > window_s:
            gone = events[lo][1]
            inside[gone] -= 1
            if not inside[gone]:
                del inside[gone]
            lo += 1
        best = max(best, len(inside))
        if len(inside) >= minimum:
            hit.update(inside)
    return best, hit


def account_clusters(starts: Iterable[StartRecord], th: Thresholds = Thresholds()
                     ) -> dict[str, list[Flag]]:
    """Flag accounts started from one device, or one network and browser, in a short window.

    One device cookie behind many accounts is a mass-account farm (a family sharing a phone
    stays under `device_strong_accounts`); one IP and browser is how a school looks, so that
    signal is weak and needs many accounts.
    """
    by_device: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    by_network: dict[tuple[str, str], list[tuple[datetime, str]]] = defaultdict(list)
    for s in starts:
        if s.device:
            by_device[s.device].append((s.at, s.participant_id))
        if s.ip and s.user_agent:
            by_network[(s.ip, s.user_agent)].append((s.at, s.participant_id))
    out: dict[str, list[Flag]] = defaultdict(list)
    for device, events in by_device.items():
        best, hit = _windows(events, th.cluster_window_s, th.device_min_accounts)
        strength: Strength = "strong" if best >= th.device_strong_accounts else "medium"
        for p in hit:
            out[p].append(Flag(SHARED_DEVICE, strength,
                               {"accounts": best, "device": device[:8],
                                "window_s": th.cluster_window_s}))
    for (ip, _ua), events in by_network.items():
        best, hit = _windows(events, th.cluster_window_s, th.network_min_accounts)
        for p in hit:
            out[p].append(Flag(SAME_NETWORK_BROWSER, "weak",
                               {"accounts": best, "ip": ip, "window_s": th.cluster_window_s}))
    return dict(out)


@dataclass(frozen=True)
class PredictionRecord:
    """A participant's tie-break prediction and where it came from."""

    participant_id: str
    value: int
    ip: str | None
    device: str | None


def prediction_spreads(preds: Iterable[PredictionRecord], th: Thresholds = Thresholds()
                       ) -> dict[str, Flag]:
    """Flag accounts of one network or device whose predictions cover a run of adjacent numbers.

    Spreading guesses 100, 101, ..., 109 over mass accounts buys the prediction tie-break;
    honest guesses of one school are scattered and often repeat round numbers, so only
    distinct values with gaps of at most `spread_max_gap` count towards a run.
    """
    groups: dict[tuple[str, str], list[PredictionRecord]] = defaultdict(list)
    for p in preds:
        if p.ip:
            groups[("ip", p.ip)].append(p)
        if p.device:
            groups[("device", p.device)].append(p)
    out: dict[str, Flag] = {}
    for (kind, _key), members in groups.items():
        by_value: dict[int, set[str]] = defaultdict(set)
        for m in members:
            by_value[m.value].add(m.participant_id)
        values = sorted(by_value)
        run = [values[0]] if values else []
        for v in [*values[1:], None]:
            if v is not None and v - run[-1] <= th.spread_max_gap:
                run.append(v)
                continue
            if len(run) >= th.spread_min_run:
                strength: Strength = "strong" if len(run) >= th.spread_strong_run else "medium"
                flag = Flag(PREDICTION_SPREAD, strength,
                            {"by": kind, "run": len(run), "low": run[0], "high": run[-1]})
                for value in run:
                    for pid in by_value[value]:
                        old = out.get(pid)
                        if old is None or STRENGTH_ORDER[strength] > STRENGTH_ORDER[old.strength]:
                            out[pid] = flag
            if v is not None:
                run = [v]
    return out
