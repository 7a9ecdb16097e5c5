"""What a load run records and how it is printed: latency by endpoint, status counts,
completed attempts per minute, and the client-side log of acknowledged writes."""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of values, 0 for none."""
    if not values:
        return 0.0
    s = sorted(values)
    k = max(0, min(len(s) - 1, math.ceil(p / 100 * len(s)) - 1))
    return s[k]


@dataclass
class Recording:
    """Raw figures of one run (picklable, so load processes can hand theirs back)."""

    t0: float = field(default_factory=time.monotonic)
    lat: dict[str, list[tuple[float, float]]] = field(default_factory=lambda: defaultdict(list))
    status: Counter[tuple[str, str]] = field(default_factory=Counter)
    completed: list[float] = field(default_factory=list)  # attempt submit times (rel)
    # (attempt id, question id, option ids) of every save the server answered 200
    acks: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    # (participant id, attempt id, deadline) of every start answered 200/201
    starts: list[tuple[str, str, str]] = field(default_factory=list)
    # (attempt id, score) of every submit answered 200
    submits: list[tuple[str, float]] = field(default_factory=list)
    # (attempt id, client ip the harness bound to) for the proxy check
    sources: list[tuple[str, str]] = field(default_factory=list)
    resume_mismatch: int = 0
    resumes: int = 0
    sse_first_event: list[float] = field(default_factory=list)
    sse_events: int = 0
    lag: list[float] = field(default_factory=list)  # arrival schedule lag of the generator
    notes: list[str] = field(default_factory=list)

    def rel(self) -> float:
        """Seconds since the run began."""
        return time.monotonic() - self.t0

    def hit(self, endpoint: str, status: str, started: float) -> None:
        """Count one response (or failure) of an endpoint with its latency."""
        now = time.monotonic()
        self.status[(endpoint, status)] += 1
        self.lat[endpoint].append((now - self.t0, now - started))

    def merge(self, other: Recording) -> None:
        """Add another process's figures (its clock is aligned by t0)."""
        shift = other.t0 - self.t0
        for ep, xs in other.lat.items():
            self.lat[ep].extend((t + shift, v) for t, v in xs)
        self.status.update(other.status)
        self.completed.extend(t + shift for t in other.completed)
        self.acks.extend(other.acks)
        self.starts.extend(other.starts)
        self.submits.extend(other.submits)
        self.sources.extend(other.sources)
        self.resume_mismatch += other.resume_mismatch
        self.resumes += other.resumes
        self.sse_first_event.extend(other.sse_first_event)
        self.sse_events += other.sse_events
        self.lag.extend(other.lag)
        self.notes.extend(other.notes)


def summary(rec: Recording, window: tuple[float, float] | None = None) -> dict[str, Any]:
    """Figures of a run (or of a time window of it) as plain data."""
    lo, hi = window or (0.0, math.inf)
    span = max(1e-9, min(hi, max((t for xs in rec.lat.values() for t, _ in xs), default=0.0))
               - lo)
    by_ep: dict[str, Any] = {}
    for ep, xs in sorted(rec.lat.items()):
        vals = [v for t, v in xs if lo <= t < hi]
        if not vals:
            continue
        by_ep[ep] = {"n": len(vals), "rps": round(len(vals) / span, 1),
                     "p50_ms": round(pct(vals, 50) * 1000, 1),
                     "p95_ms": round(pct(vals, 95) * 1000, 1),
                     "p99_ms": round(pct(vals, 99) * 1000, 1),
                     "max_ms": round(max(vals) * 1000, 1)}
    done = [t for t in rec.completed if lo <= t < hi]
    statuses: dict[str, int] = {}
    for (ep, st), n in sorted(rec.status.items()):
        statuses[f"{ep} {st}"] = n
    errors = {k: v for k, v in statuses.items() if not k.split()[-1].startswith("2")}
    return {
        "seconds": round(span, 1),
        "completed_attempts": len(done),
        "attempts_per_min": round(len(done) / span * 60, 1),
        "endpoints": by_ep,
        "statuses": statuses,
        "errors": errors,
        "resumes": rec.resumes,
        "resume_mismatch": rec.resume_mismatch,
        "sse_first_event_p50_ms": round(pct(rec.sse_first_event, 50) * 1000, 1),
        "sse_events": rec.sse_events,
        "generator_lag_p99_ms": round(pct(rec.lag, 99) * 1000, 1),
    }


def per_minute(rec: Recording) -> list[int]:
    """Completed attempts in each minute of the run."""
    if not rec.completed:
        return []
    out = [0] * (int(max(rec.completed) // 60) + 1)
    for t in rec.completed:
        out[int(t // 60)] += 1
    return out


def render(title: str, s: dict[str, Any], minutes: list[int] | None = None) -> str:
    """A run's figures as the text block the harness prints."""
    lines = [f"== {title} ==",
             f"duration {s['seconds']} s; completed attempts {s['completed_attempts']} "
             f"({s['attempts_per_min']}/min)"]
    if minutes:
        lines.append("completed attempts per minute: " + ", ".join(map(str, minutes)))
    lines.append(f"{'endpoint':<12}{'n':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
                 f"{'p99 ms':>9}{'max ms':>9}")
    for ep, e in s["endpoints"].items():
        lines.append(f"{ep:<12}{e['n']:>8}{e['rps']:>9}{e['p50_ms']:>9}{e['p95_ms']:>9}"
                     f"{e['p99_ms']:>9}{e['max_ms']:>9}")
    lines.append("errors by status: " + (", ".join(f"{k}: {v}" for k, v in s["errors"].items())
                                         or "none"))
    if s["resumes"]:
        lines.append(f"reloads {s['resumes']}, deadline/answers changed on reload: "
                     f"{s['resume_mismatch']}")
    if s["sse_events"]:
        lines.append(f"SSE: {s['sse_events']} events, first event p50 "
                     f"{s['sse_first_event_p50_ms']} ms")
    lines.append(f"load generator schedule lag p99: {s['generator_lag_p99_ms']} ms")
    return "\n".join(lines)
