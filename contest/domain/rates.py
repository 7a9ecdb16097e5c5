"""Rate limits as "count/seconds" strings and the GCRA arithmetic the Redis script runs."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    """At most `count` requests in any `period_s` seconds, all of them allowed in one burst."""

    count: int
    period_s: float

    @property
    def interval_ms(self) -> int:
        """Time one request 'costs' (the GCRA emission interval), in whole milliseconds."""
        return max(1, math.ceil(self.period_s * 1000 / self.count))

    @property
    def burst_ms(self) -> int:
        """The GCRA tolerance: how far ahead of now the bucket may be filled."""
        return self.interval_ms * self.count

    def __str__(self) -> str:
        return f"{self.count}/{self.period_s:g}"


def parse_rate(text: str) -> Rate:
    """Parse "count/seconds" (e.g. "120/60"); raises ValueError."""
    count, _, period = text.strip().partition("/")
    rate = Rate(int(count), float(period))
    if rate.count < 1 or not rate.period_s > 0:
        raise ValueError(f"rate {text!r}: count and seconds must be positive")
    return rate


def gcra(tat_ms: int | None, now_ms: int, rate: Rate) -> tuple[int, int]:
    """(wait ms, new theoretical arrival time): wait 0 means allowed (mirrors the Lua script)."""
    tat = max(tat_ms or 0, now_ms)
    new = tat + rate.interval_ms
    allow_at = new - rate.burst_ms
    if allow_at > now_ms:
        return allow_at - now_ms, tat
    return 0, new


def lockout_ms(failures: int, free: int, base_ms: int, cap_ms: int) -> int:
    """The lock after the n-th consecutive login failure: 0 for the first `free`, then doubling."""
    if failures <= free:
        return 0
    return int(min(cap_ms, base_ms * 2 ** min(failures - free - 1, 30)))
