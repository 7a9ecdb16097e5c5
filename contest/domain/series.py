"""Weekly series of rounds: the windows of N consecutive weeks (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class WeeklySeries:
    """A round every week: it opens on `open_day` (0 = Monday) at `open_at` of the week
    starting on or after `first_day`, and closes `close_day`/`close_at` (a close weekday
    not after the open weekday, at a time not after the open, falls in the next week)."""

    first_day: date
    weeks: int
    open_day: int
    open_at: time
    close_day: int
    close_at: time


def windows(series: WeeklySeries, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """(opens, closes) of each week, aware in tz; raises ValueError for an impossible series."""
    if not 1 <= series.weeks <= 52:
        raise ValueError("số tuần phải từ 1 đến 52")
    if not (0 <= series.open_day <= 6 and 0 <= series.close_day <= 6):
        raise ValueError("ngày trong tuần không hợp lệ")
    first = series.first_day + timedelta(days=(series.open_day - series.first_day.weekday()) % 7)
    span = (series.close_day - series.open_day) % 7
    if span == 0 and series.close_at <= series.open_at:
        span = 7
    out = []
    for k in range(series.weeks):
        day = first + timedelta(weeks=k)
        opens = datetime.combine(day, series.open_at, tz)
        closes = datetime.combine(day + timedelta(days=span), series.close_at, tz)
        if closes <= opens:
            closes += timedelta(days=7)
        out.append((opens, closes))
    if len(out) > 1 and out[0][1] > out[1][0]:
        raise ValueError("mỗi đợt dài hơn một tuần: các đợt chồng lên nhau")
    return out


def shift(when: datetime, days: int) -> datetime:
    """The same wall-clock time `days` later in when's zone (clones keep their hours across
    daylight-saving changes)."""
    tz = when.tzinfo
    return (when.replace(tzinfo=None) + timedelta(days=days)).replace(tzinfo=tz)
