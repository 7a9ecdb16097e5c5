"""The contest wizard: a contest built in steps as a draft contest file, then published.

A draft is the contest file itself (contest/1 YAML, `contest_file`): every step changes the
parsed file and is stored only when the whole file passes the same checks `contest load`
makes (the file format's rules, then each round against its bank), so a draft is always a
loadable contest file. Publishing loads it exactly as `contest load` would; exporting a draft
or a published contest gives the file that round-trips to the same contest. Clones (a
contest for next year, a round for next week) shift every date by a number of days.
"""

from __future__ import annotations

import copy
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from contest.core import audit_log
from contest.core.context import Services
from contest.domain.phrase import Phrase
from contest.domain.series import WeeklySeries, shift, windows
from contest.domain.vocabulary import RoundKind
from contest.errors import ConfigInvalid, DraftInvalid, NotFound
from contest.people import consent
from contest.setup.contest_as_code import LoadReport, check_spec, load_spec, spec_of
from contest.setup.contest_file import (
    BankRef,
    ConsentSpec,
    ContestFileInvalid,
    ContestSpec,
    RoundSpec,
    UnitSpec,
    parse,
    render,
)
from contest.storage.console_tables import ContestDraft
from contest.storage.db import transaction
from contest.storage.tables import Contest

STEPS = ("basics", "people", "rounds", "prizes", "publish")
DEFAULT_GROUPS = [
    {"code": "cbccvc", "name": "Cán bộ, công chức, viên chức, người lao động"},
    {"code": "hssv", "name": "Học sinh, sinh viên"},
    {"code": "tudo", "name": "Người dân (thí sinh tự do)"},
]


@dataclass
class Basics:
    """Step 1: name, organiser, rules and the contest's part of the unit tree."""

    title: str
    slug: str
    organiser: str = ""
    rules: str = ""
    visible: bool = True
    unit_root: str | None = None
    units: list[UnitSpec] = field(default_factory=list)


@dataclass
class People:
    """Step 2: who may register, and the consent text they accept."""

    groups: list[dict[str, str]]
    min_age: int | None
    consent_version: str
    consent_text: str
    purposes: list[str]


@dataclass
class RoundInput:
    """One round as the wizard's round form gives it (times aware)."""

    title: str
    opens_at: datetime
    closes_at: datetime
    bank: str
    bank_version: int | None
    questions: int
    quotas: list[dict[str, Any]] = field(default_factory=list)
    time_limit_s: int = 900
    max_attempts: int | None = 1
    counting: str = "best"
    kind: str = RoundKind.RANKED
    prediction_prompt: str | None = None
    prediction_kind: str | None = None


@dataclass
class SeriesInput:
    """A weekly series: one round per week from the same template, an optional final."""

    template: RoundInput  # title is the prefix ("Tuần"); times are ignored
    series: WeeklySeries
    topics: list[str] = field(default_factory=list)  # one per week (a topic quota), optional
    sets: list[str] = field(default_factory=list)  # one question set per week, optional
    final: RoundInput | None = None
    split_bank: bool = False  # deal the bank into one disjoint bank per week (no repeats)
    final_best: int | None = None  # the final only for the best N of each week (issue 17)


@dataclass
class PrizeInput:
    """Step 4 for some rounds (by title; empty: every ranked round)."""

    rounds: list[str]
    prizes: dict[str, Any] | None
    tie_breaks: list[str]


@dataclass
class Draft:
    """A draft and the contest file it holds, parsed."""

    row: ContestDraft
    spec: ContestSpec

    @property
    def id(self) -> int:
        """The draft's id."""
        return self.row.id or 0


def slugify(title: str) -> str:
    """A URL-safe slug from a Vietnamese title ("Cuộc thi 2026" -> "cuoc-thi-2026")."""
    plain = unicodedata.normalize("NFKD", title.replace("đ", "d").replace("Đ", "D"))
    ascii_ = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    words = "".join(c if c.isalnum() else " " for c in ascii_).split()
    return "-".join(words)[:60] or "cuoc-thi"


def _file(draft_id: int) -> str:
    return f"ban-nhap-{draft_id}.yaml"


def new_spec(title: str, today: datetime, tz_name: str) -> ContestSpec:
    """A fresh draft's contest: default groups and consent text, no rounds yet."""
    return ContestSpec(
        slug=slugify(title), title=title.strip(), timezone=tz_name,
        groups=[dict(g) for g in DEFAULT_GROUPS],
        consent=ConsentSpec(f"{today:%Y-%m}-v1", consent.DEFAULT_TEXT,
                            list(consent.DEFAULT_PURPOSES)))


async def drafts(ctx: Services) -> list[ContestDraft]:
    """Every draft, newest first."""
    async with ctx.sm() as s:
        return list((await s.scalars(select(ContestDraft)
                                     .order_by(col(ContestDraft.id).desc()))).all())


async def create(ctx: Services, title: str, actor: str, ip: str | None = None) -> Draft:
    """Start a draft from a title; raises DraftInvalid for an empty title."""
    if not title.strip():
        raise DraftInvalid(count=1, problems=[Phrase("wizard.problem.no_title")])
    spec = new_spec(title, ctx.now().astimezone(ctx.settings.tz), ctx.settings.timezone)
    return await _insert(ctx, spec, actor, ip)


async def _insert(ctx: Services, spec: ContestSpec, actor: str, ip: str | None,
                  step: str = "basics", **details: Any) -> Draft:
    now = ctx.now()
    async with transaction(ctx.sm) as s:
        row = ContestDraft(title=spec.title, document=render(spec), step=step,
                           created_by=actor, created_at=now, updated_at=now)
        s.add(row)
        await s.flush()
        audit_log.record(s, now, actor, "draft.create", f"draft:{row.id}", ip=ip, **details)
    return Draft(row, spec)


async def get(ctx: Services, draft_id: int) -> Draft:
    """A draft with its parsed contest file; raises NotFound."""
    async with ctx.sm() as s:
        row = await s.get(ContestDraft, draft_id)
    if row is None:
        raise NotFound()
    return Draft(row, parse(row.document, _file(draft_id), ctx.settings.timezone))


def _normalise(spec: ContestSpec) -> None:
    """Rounds in opening order, and the bank list the rounds need (what `dump` writes)."""
    spec.rounds.sort(key=lambda r: r.opens_at)
    used: list[str] = []
    for r in spec.rounds:
        if r.bank not in used:
            used.append(r.bank)
    spec.banks = [BankRef(code) for code in used]


async def problems_of(ctx: Services, draft: Draft, spec: ContestSpec) -> list[Phrase]:
    """What stops spec from being stored: the contest file's checks, and a slug that belongs
    to a contest other than the one this draft published (Phrases: said in the page's
    language)."""
    found = [p.phrase for p in await check_spec(ctx, spec, _file(draft.id))]
    async with ctx.sm() as s:
        other = await s.scalar(select(Contest.id).where(col(Contest.slug) == spec.slug))
    if other is not None and other != draft.row.published_contest_id:
        found.insert(0, Phrase("wizard.problem.slug_taken", slug=spec.slug))
    return found


async def _store(ctx: Services, draft: Draft, spec: ContestSpec, step: str, actor: str,
                 ip: str | None, action: str) -> Draft:
    """Store spec as the draft's file after the shared checks; raises DraftInvalid."""
    if draft.row.published_contest_id is not None:
        raise ConfigInvalid(detail=Phrase("detail.wizard.draft_published"))
    _normalise(spec)
    found = await problems_of(ctx, draft, spec)
    if found:
        raise DraftInvalid(count=len(found), problems=found)
    furthest = max(STEPS.index(draft.row.step), STEPS.index(step))
    async with transaction(ctx.sm) as s:
        row = await s.get(ContestDraft, draft.id)
        if row is None:
            raise NotFound()
        row.document, row.title, row.step = render(spec), spec.title, STEPS[furthest]
        row.updated_at = ctx.now()
        s.add(row)
        audit_log.record(s, ctx.now(), actor, f"draft.{action}", f"draft:{draft.id}", ip=ip,
                         step=step)
    return Draft(row, spec)


def _copy(spec: ContestSpec) -> ContestSpec:
    return replace(spec, groups=[dict(g) for g in spec.groups], units=list(spec.units),
                   banks=list(spec.banks), rounds=[replace(r) for r in spec.rounds])


async def save_basics(ctx: Services, draft_id: int, b: Basics, actor: str,
                      ip: str | None = None) -> Draft:
    """Step 1; raises NotFound, DraftInvalid."""
    d = await get(ctx, draft_id)
    spec = _copy(d.spec)
    spec.title, spec.slug, spec.organiser, spec.rules = b.title, b.slug, b.organiser, b.rules
    spec.visible, spec.units = b.visible, b.units
    spec.unit_root = b.unit_root or (b.units[0].code if b.units else None)
    return await _store(ctx, d, spec, "basics", actor, ip, "basics")


async def save_people(ctx: Services, draft_id: int, p: People, actor: str,
                      ip: str | None = None) -> Draft:
    """Step 2; raises NotFound, DraftInvalid."""
    d = await get(ctx, draft_id)
    spec = _copy(d.spec)
    spec.groups, spec.min_age = p.groups, p.min_age
    spec.consent = ConsentSpec(p.consent_version, p.consent_text, p.purposes)
    return await _store(ctx, d, spec, "people", actor, ip, "people")


def _round_spec(r: RoundInput, **changes: Any) -> RoundSpec:
    rs = RoundSpec(title=r.title, opens_at=r.opens_at, closes_at=r.closes_at, bank=r.bank,
                   bank_version=r.bank_version, questions_per_attempt=r.questions,
                   quotas=[dict(q) for q in r.quotas], time_limit_s=r.time_limit_s,
                   max_attempts=r.max_attempts, counting=r.counting, kind=r.kind,
                   prediction_prompt=r.prediction_prompt, prediction_kind=r.prediction_kind)
    return replace(rs, **changes)


async def add_round(ctx: Services, draft_id: int, r: RoundInput, actor: str,
                    ip: str | None = None) -> Draft:
    """Step 3: one more round; raises NotFound, DraftInvalid."""
    d = await get(ctx, draft_id)
    spec = _copy(d.spec)
    spec.rounds.append(_round_spec(r))
    return await _store(ctx, d, spec, "rounds", actor, ip, "round_add")


def series_rounds(si: SeriesInput, tz: Any) -> list[RoundSpec]:
    """The rounds of a weekly series (and its final); raises DraftInvalid for a bad series."""
    try:
        spans = windows(si.series, tz)
    except ValueError as exc:
        raise DraftInvalid(count=1, problems=[
            Phrase("wizard.problem.series", detail=str(exc))]) from exc
    if si.topics and len(si.topics) != si.series.weeks:
        raise DraftInvalid(count=1, problems=[Phrase(
            "wizard.problem.topics_count", weeks=si.series.weeks, count=len(si.topics))])
    if si.sets and len(si.sets) != si.series.weeks:
        raise DraftInvalid(count=1, problems=[Phrase(
            "wizard.problem.sets_count", weeks=si.series.weeks, count=len(si.sets))])
    out = []
    for k, (opens, closes) in enumerate(spans):
        quotas = ([{"count": si.template.questions, "topic": si.topics[k], "difficulty": None}]
                  if si.topics else si.template.quotas)
        out.append(_round_spec(si.template, title=f"{si.template.title} {k + 1}".strip(),
                               opens_at=opens, closes_at=closes, quotas=quotas,
                               question_set=si.sets[k] if si.sets else None))
    if si.final is not None:
        if si.final.opens_at < spans[-1][1]:
            raise DraftInvalid(count=1, problems=[Phrase("wizard.problem.final_too_early")])
        qualify = ({"best_per_round": si.final_best, "from": [r.title for r in out]}
                   if si.final_best else None)
        out.append(_round_spec(si.final, qualify=qualify))
    return out


async def add_series(ctx: Services, draft_id: int, si: SeriesInput, actor: str,
                     ip: str | None = None) -> Draft:
    """Step 3: a weekly series of rounds at once; raises NotFound, DraftInvalid."""
    d = await get(ctx, draft_id)
    spec = _copy(d.spec)
    rounds = series_rounds(si, ctx.settings.tz)
    if si.split_bank:
        from contest.console.banks import split_bank

        try:
            parts = await split_bank(ctx, si.template.bank, si.template.bank_version,
                                     si.series.weeks, si.template.questions, actor)
        except (ConfigInvalid, NotFound) as exc:
            why = exc.params.get("detail") or Phrase("wizard.problem.not_found")
            raise DraftInvalid(count=1, problems=[
                Phrase("wizard.problem.split_failed", detail=why)]) from exc
        for r, (code, number) in zip(rounds, parts, strict=False):
            r.bank, r.bank_version = code, number
    spec.rounds += rounds
    return await _store(ctx, d, spec, "rounds", actor, ip, "series_add")


async def remove_round(ctx: Services, draft_id: int, title: str, actor: str,
                       ip: str | None = None) -> Draft:
    """Step 3: drop a round by title; raises NotFound, DraftInvalid."""
    d = await get(ctx, draft_id)
    spec = _copy(d.spec)
    kept = [r for r in spec.rounds if r.title != title]
    if len(kept) == len(spec.rounds):
        raise NotFound()
    spec.rounds = kept
    return await _store(ctx, d, spec, "rounds", actor, ip, "round_remove")


async def save_prizes(ctx: Services, draft_id: int, p: PrizeInput, actor: str,
                      ip: str | None = None) -> Draft:
    """Step 4: prizes and the tie-break chain of the named rounds (none: every ranked
    round); raises NotFound, DraftInvalid."""
    d = await get(ctx, draft_id)
    spec = _copy(d.spec)
    targets = [r for r in spec.rounds
               if (r.title in p.rounds if p.rounds else r.kind == RoundKind.RANKED)]
    if not targets:
        raise DraftInvalid(count=1, problems=[Phrase("wizard.problem.no_ranked_round")])
    for r in targets:
        r.prizes = copy.deepcopy(p.prizes) or None
        r.tie_breaks = list(p.tie_breaks) or None
    return await _store(ctx, d, spec, "prizes", actor, ip, "prizes")


async def publish(ctx: Services, draft_id: int, actor: str, ip: str | None = None) -> LoadReport:
    """Create the contest of a draft exactly as `contest load` would; raises NotFound,
    DraftInvalid (with the loader's problems), ConfigInvalid (already published)."""
    d = await get(ctx, draft_id)
    if d.row.published_contest_id is not None:
        raise ConfigInvalid(detail=Phrase("detail.wizard.already_published"))
    found = await problems_of(ctx, d, d.spec)
    if not d.spec.rounds:
        found.append(Phrase("wizard.problem.no_rounds"))
    if found:
        raise DraftInvalid(count=len(found), problems=found)
    try:
        report = await load_spec(ctx, d.spec, Path(_file(d.id)), actor)
    except ContestFileInvalid as exc:
        raise DraftInvalid(count=len(exc.problems),  # Phrases: said in the page's language
                           problems=[p.phrase for p in exc.problems]) from exc
    async with transaction(ctx.sm) as s:
        row = await s.get(ContestDraft, d.id)
        assert row is not None
        row.published_contest_id, row.step, row.updated_at = report.contest_id, "publish", \
            ctx.now()
        s.add(row)
        audit_log.record(s, ctx.now(), actor, "draft.publish", f"draft:{d.id}", ip=ip,
                         contest=report.contest_id)
    return report


async def import_file(ctx: Services, text: str, filename: str, actor: str,
                      ip: str | None = None) -> Draft:
    """A new draft from an uploaded contest file; raises DraftInvalid listing its problems."""
    try:
        spec = parse(text, filename, ctx.settings.timezone)
    except ContestFileInvalid as exc:
        raise DraftInvalid(count=len(exc.problems),  # Phrases: said in the page's language
                           problems=[p.shown for p in exc.problems]) from exc
    if spec.units_file or any(b.path for b in spec.banks):
        raise DraftInvalid(count=1, problems=[Phrase("wizard.problem.file_points_elsewhere")])
    return await _insert(ctx, spec, actor, ip, step="publish", file=filename)


async def clone_contest(ctx: Services, contest_id: int, days: int, title: str, slug: str,
                        actor: str, ip: str | None = None) -> Draft:
    """A draft copying a contest with every round shifted by `days` (next year's contest);
    raises NotFound, DraftInvalid."""
    if not -3660 <= days <= 3660:
        raise DraftInvalid(count=1, problems=["Số ngày dời phải từ -3660 đến 3660."])
    async with ctx.sm() as s:
        c = await s.get(Contest, contest_id)
    if c is None:
        raise NotFound()
    spec = await spec_of(ctx, c.slug)
    spec.title, spec.slug = title.strip() or spec.title, slug.strip() or slugify(title)
    for r in spec.rounds:
        r.opens_at, r.closes_at = shift(r.opens_at, days), shift(r.closes_at, days)
    # Stored as it is (a copy to edit): the publish step lists anything still to change.
    return await _insert(ctx, spec, actor, ip, step="publish", cloned_from=contest_id,
                         days=days)
