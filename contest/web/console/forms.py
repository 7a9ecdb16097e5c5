"""Typed reads of console forms, and the prize-structure form the wizard and the round page
share (tiers, split, caps, exclusions, collective prizes, the ordered tie-break chain)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request

from contest.console.wizard import PrizeInput, slugify
from contest.domain.final_ranking import CRITERIA
from contest.domain.rules_text import chain_text, prizes_text
from contest.errors import DraftInvalid
from contest.i18n import DEFAULT_LOCALE
from contest.web.console.messages import text
from contest.web.errors import locale_of

TIERS = (("nhat", "Giải Nhất"), ("nhi", "Giải Nhì"), ("ba", "Giải Ba"),
         ("kk", "Giải Khuyến khích"), ("", ""), ("", ""))


class Form:
    """Typed reads of a submitted form, collecting problems in the request's language (the
    `what` of a read is the field's name as shown: `f.say("form.field...")`)."""

    def __init__(self, form: FormData, tz: Any, locale: str = DEFAULT_LOCALE) -> None:
        self.raw = {k: v.strip() for k, v in form.multi_items() if isinstance(v, str)}
        self.form = form
        self.tz = tz
        self.locale = locale
        self.problems: list[str] = []

    def say(self, key: str, **params: object) -> str:
        """The console text of key in the form's language."""
        return text(key, self.locale, **params)

    def problem(self, key: str, **params: object) -> None:
        """Note a problem: the console text of key in the form's language."""
        self.problems.append(self.say(key, **params))

    def text(self, name: str) -> str:
        return self.raw.get(name, "")

    def integer(self, name: str, what: str, low: int, high: int,
                default: int | None = None) -> int | None:
        raw = self.text(name)
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            self.problem("form.problem.not_integer", what=what, raw=repr(raw))
            return default
        if not low <= value <= high:
            self.problem("form.problem.range", what=what, low=str(low), high=str(high))
        return value

    def number(self, name: str, what: str, low: float, high: float) -> float | None:
        raw = self.text(name).replace(",", ".")
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            self.problem("form.problem.not_number", what=what, raw=repr(raw))
            return None
        if not low <= value <= high:
            self.problem("form.problem.range", what=what, low=f"{low:g}", high=f"{high:g}")
        return value

    def when(self, name: str, what: str) -> datetime | None:
        try:
            return datetime.strptime(self.text(name), "%Y-%m-%dT%H:%M").replace(tzinfo=self.tz)
        except ValueError:
            self.problem("form.problem.needs_datetime", what=what)
            return None

    def day(self, name: str, what: str) -> date | None:
        try:
            return date.fromisoformat(self.text(name))
        except ValueError:
            self.problem("form.problem.needs_date", what=what)
            return None

    def clock(self, name: str, what: str) -> time | None:
        try:
            return time.fromisoformat(self.text(name))
        except ValueError:
            self.problem("form.problem.needs_time", what=what)
            return None

    def lines(self, name: str) -> list[str]:
        return [x.strip() for x in self.text(name).splitlines() if x.strip()]

    def done(self) -> None:
        if self.problems:
            raise DraftInvalid(count=len(self.problems), problems=self.problems)


async def read_form(request: Request) -> Form:
    """The request's form, read with the console's time zone and the request's language."""
    return Form(await request.form(), request.app.state.settings.tz, locale_of(request))


def prize_input(f: Form) -> PrizeInput:
    """The prize form's fields as a PrizeInput (problems collected in f)."""
    tiers = []
    for k in range(len(TIERS)):
        name = f.text(f"tier_name_{k}")
        count = f.integer(f"tier_count_{k}", f.say("form.field.tier_count", n=k + 1), 0, 100000)
        if not count:
            continue  # a tier with no prizes is left out (the blank rows of the form)
        code = f.text(f"tier_code_{k}") or slugify(name)[:16]
        tier: dict[str, Any] = {"code": code, "name": name or code, "count": count or 0}
        if f.text(f"tier_value_{k}"):
            tier["value"] = f.text(f"tier_value_{k}")
        tiers.append(tier)
    prizes: dict[str, Any] = {"tiers": tiers}
    split = f.text("split") or None
    prizes["split"] = split
    if split == "unit":
        prizes["split_level"] = f.integer("split_level", f.say("form.field.split_level"), 1, 10, 2)
    prizes["one_prize_per_person"] = f.text("one_prize_per_person") == "on"
    share = f.number("max_share_pct", f.say("form.field.max_share"), 0, 100)
    if share is not None:
        prizes["max_share"] = round(share / 100, 4)
    score = f.number("min_score", f.say("form.field.min_score"), 0, 1000)
    if score is not None:
        prizes["min_score_milli"] = round(score * 1000)
    excluded = [v for k, v in f.form.multi_items()
                if k == "excluded_groups" and isinstance(v, str)]
    if excluded:
        prizes["excluded_groups"] = excluded
    count = f.integer("collective_count", f.say("form.field.collective_count"), 0, 1000)
    if count:
        rate = f.number("collective_rate_pct", f.say("form.field.collective_rate"), 0, 100) or 0
        level = f.integer("collective_level", f.say("form.field.collective_level"), 1, 10, 2)
        prizes["collective"] = {"count": count, "name": f.text("collective_name") or
                                "Giải tập thể",
                                "level": level,
                                "min_participation_rate": round(rate / 100, 4)}
    chain = [f.text(f"chain_{k}") for k in range(len(CRITERIA)) if f.text(f"chain_{k}")]
    if len(set(chain)) != len(chain):
        f.problem("form.problem.chain_repeat")
    if any(c not in CRITERIA for c in chain):
        f.problem("form.problem.chain_unknown")
    move = f.text("move")
    if move:
        # "up:2" / "down:1": reorder the ordered list without JavaScript
        way, _, pos = move.partition(":")
        i = int(pos) if pos.isdigit() else -1
        j = i - 1 if way == "up" else i + 1
        if 0 <= i < len(chain) and 0 <= j < len(chain):
            chain[i], chain[j] = chain[j], chain[i]
    rounds = [v for k, v in f.form.multi_items() if k == "rounds" and isinstance(v, str)]
    has_prizes = bool(tiers) or "collective" in prizes
    return PrizeInput(rounds=rounds, prizes=prizes if has_prizes else None,
                                     tie_breaks=chain)


def preview(p: PrizeInput, groups: list[dict[str, str]]) -> dict[str, Any]:
    """What citizens will read of a prize structure and chain, or the error that stops it."""
    names = {g["code"]: g["name"] for g in groups}
    try:
        return {"chain": chain_text(p.tie_breaks), "prizes": prizes_text(p.prizes, names)}
    except ValueError as exc:
        return {"chain": "", "prizes": [], "error": str(exc)}


