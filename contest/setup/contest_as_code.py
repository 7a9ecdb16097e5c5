"""Contest as code: load a contest file into SQL (create or update), dump a contest back.

A contest is found by slug, its rounds by title. Units and banks named in the file are loaded
first (both are idempotent: units are upserted by code, an identical bank re-import returns the
existing version); the contest, its consent text and its rounds are then written in one
transaction, so a file with a problem changes nothing of the contest. Round secrets are never
read into a dump.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from contest.core import audit_log
from contest.core.context import Services
from contest.domain.final_ranking import parse_chain
from contest.domain.phrase import Phrase
from contest.errors import ConfigInvalid
from contest.setup import round_settings
from contest.setup.contest_file import (
    BankRef,
    ConsentSpec,
    ContestFileInvalid,
    ContestSpec,
    RoundSpec,
    parse,
    render,
)
from contest.setup.units import UnitFileError, UnitRow, load_units, parse_units
from contest.setup.yaml_reader import FileProblem, verbatim
from contest.storage.console_tables import ConsentText
from contest.storage.db import transaction
from contest.storage.tables import Bank, BankVersion, Contest, Round

MAX_FILE = 2 * 1024 * 1024
# Round columns the file describes (RoundSpec name -> Round column); secret is never among them.
_ROUND_FIELDS = ("title", "kind", "opens_at", "closes_at", "questions_per_attempt", "quotas",
                 "time_limit_s", "grace_s", "max_attempts", "counting", "partial_credit",
                 "prediction_prompt", "prediction_kind", "prizes", "tie_breaks", "score_shown",
                 "question_set", "qualify")


@dataclass(frozen=True)
class RoundLine:
    """A round of a loaded contest as `contest load` lists it."""

    id: int
    title: str
    opens_at: datetime
    closes_at: datetime
    bank: str
    bank_version: int
    state: str  # created | updated | unchanged


@dataclass
class LoadReport:
    """What a load did: the contest, whether it was new, each change made, and its rounds."""

    contest_id: int
    created: bool
    changes: list[str] = field(default_factory=list)
    slug: str = ""
    title: str = ""
    rounds: list[RoundLine] = field(default_factory=list)

    def table(self, tz: tzinfo) -> str:
        """The contest and its rounds (id, window in tz, bank) as an aligned text table."""
        head = (f"{'tạo' if self.created else 'cập nhật'} cuộc thi {self.contest_id} "
                f"{self.slug}: {self.title}")
        rows = [("id", "đợt", "mở", "đóng", "ngân hàng", "trạng thái")]
        rows += [(str(r.id), r.title, f"{r.opens_at.astimezone(tz):%Y-%m-%d %H:%M}",
                  f"{r.closes_at.astimezone(tz):%Y-%m-%d %H:%M}",
                  f"{r.bank} v{r.bank_version}", _STATES[r.state]) for r in self.rounds]
        widths = [max(len(row[i]) for row in rows) for i in range(6)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
                 for row in rows]
        return "\n".join([head, *lines])


_STATES = {"created": "mới", "updated": "đã sửa", "unchanged": "không đổi"}


def read_file(path: Path, default_tz: str) -> ContestSpec:
    """Parse a contest file from disk; raises ContestFileInvalid."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContestFileInvalid([FileProblem(str(path), None, Phrase(
            "contest_file.unreadable_file", detail=str(exc)))]) from exc
    if len(data) > MAX_FILE:
        raise ContestFileInvalid([FileProblem(str(path), None, Phrase(
            "contest_file.too_large", max_mb=MAX_FILE // (1024 * 1024)))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ContestFileInvalid([FileProblem(str(path), None,
                                              Phrase("contest_file.not_utf8"))]) from exc
    return parse(text, str(path), default_tz)


async def load(ctx: Services, path: Path, actor: str = "cli") -> LoadReport:
    """Create or update the contest a file describes; raises ContestFileInvalid (nothing of the
    contest is changed then)."""
    return await load_spec(ctx, read_file(path, ctx.settings.timezone), path, actor)


async def check_rounds(ctx: Services, spec: ContestSpec, file: str,
                       versions: dict[tuple[str, int | None], int]) -> list[FileProblem]:
    """The problems of each round against its bank (quotas, limits, tie-break chain): the
    checks a contest file and the console wizard share."""
    problems: list[FileProblem] = []
    settings = [_settings_of(rs, versions[rs.bank, rs.bank_version]) for rs in spec.rounds]
    async with ctx.sm() as s:
        existing = await s.scalar(select(col(Contest.id)).where(col(Contest.slug) == spec.slug))
    titles = {rs.title for rs in spec.rounds}

    def replaced(r: Round) -> bool:  # the file rewrites these stored rounds
        return r.contest_id == existing and r.title in titles

    for rs, rset in zip(spec.rounds, settings, strict=True):
        try:
            parse_chain(rs.tie_breaks)
            await round_settings.check_round(ctx, rset, siblings=settings, replaced=replaced,
                                             contest_id=existing)
        except ValueError as exc:
            problems.append(FileProblem(file, rs.line, Phrase(
                "contest_file.round_tie_breaks", title=repr(rs.title), detail=str(exc))))
        except ConfigInvalid as exc:
            problems.append(FileProblem(file, rs.line, Phrase(
                "contest_file.round_problem", title=repr(rs.title), detail=_detail(exc))))
    return problems


async def check_spec(ctx: Services, spec: ContestSpec, file: str) -> list[FileProblem]:
    """Every problem of a contest (the file format's rules, then banks and rounds) without
    changing anything; the console wizard validates each step with it."""
    try:
        spec = parse(render(spec), file, ctx.settings.timezone)
    except ContestFileInvalid as exc:
        return exc.problems
    try:
        versions = await _resolve_banks(ctx, spec, Path(file))
    except ContestFileInvalid as exc:
        return exc.problems
    return await check_rounds(ctx, spec, file, versions)


async def load_spec(ctx: Services, spec: ContestSpec, path: Path,
                    actor: str = "cli") -> LoadReport:
    """Create or update the contest of a parsed contest file (relative paths from path's
    folder); raises ContestFileInvalid (nothing of the contest is changed then)."""
    file = str(path)
    await _load_units(ctx, spec, path)
    versions = await _resolve_banks(ctx, spec, path, actor)
    problems = await check_rounds(ctx, spec, file, versions)
    if problems:
        raise ContestFileInvalid(problems)
    try:
        return await _apply(ctx, spec, versions, actor, file)
    except ConfigInvalid as exc:
        detail = _detail(exc)
        raise ContestFileInvalid([FileProblem(
            file, exc.params.get("line"),  # type: ignore[arg-type]
            detail if isinstance(detail, Phrase) else verbatim(detail))]) from exc


def _detail(exc: ConfigInvalid) -> Phrase | str:
    """The error's detail, a Phrase still to be said in the reader's language (or a text
    already worded, or the error's code when it has no detail)."""
    detail = exc.params.get("detail", exc.code)
    return detail if isinstance(detail, Phrase) else str(detail)


async def _load_units(ctx: Services, spec: ContestSpec, path: Path) -> None:
    """Upsert the units the file brings (a CSV beside it and/or inline ones)."""
    rows: list[UnitRow] = []
    if spec.units_file:
        csv_path = (path.parent / spec.units_file).resolve()
        try:
            rows += parse_units(csv_path.read_text("utf-8-sig"), str(csv_path))
        except (OSError, UnicodeDecodeError, UnitFileError) as exc:
            raise ContestFileInvalid([FileProblem(str(path), None, Phrase(
                "contest_file.units_file", detail=str(exc)))]) from exc
    rows += [UnitRow(u.code, u.name, u.parent_code, u.level, u.headcount) for u in spec.units]
    if rows:
        await load_units(ctx, rows)
    if spec.unit_root:
        from contest.storage.tables import Unit

        async with ctx.sm() as s:
            if await s.scalar(select(Unit.id).where(col(Unit.code) == spec.unit_root)) is None:
                raise ContestFileInvalid([FileProblem(
                    str(path), None, Phrase("contest_file.root_unknown", root=spec.unit_root))])


async def _resolve_banks(ctx: Services, spec: ContestSpec, path: Path,
                         actor: str = "cli") -> dict[tuple[str, int | None], int]:
    """(bank code, version number or None) -> bank version id for every round, importing
    banks given with a path first; raises ContestFileInvalid."""
    from contest.banks.io import load_bank
    from contest.banks.messages import render as render_problem
    from contest.banks.problems import BankInvalid
    from contest.setup.bank_versions import import_bank

    file = str(path)
    problems: list[FileProblem] = []
    declared = {b.code: b for b in spec.banks}
    for ref in spec.banks:
        if ref.path is None:
            continue
        try:
            bank, _ = load_bank((path.parent / ref.path).resolve())
        except BankInvalid as exc:
            # contest.banks.messages words a bank's problems itself (not a catalogue key)
            problems += [FileProblem(file, ref.line, Phrase(
                "contest_file.bank_problem", code=ref.code, detail=render_problem(p, "vi")))
                for p in exc.problems]
            continue
        except OSError as exc:
            problems.append(FileProblem(file, ref.line, Phrase(
                "contest_file.bank_problem", code=ref.code, detail=str(exc))))
            continue
        if bank.code != ref.code:
            problems.append(FileProblem(file, ref.line, Phrase(
                "contest_file.bank_code_mismatch", path=ref.path, actual=bank.code,
                code=ref.code)))
            continue
        await import_bank(ctx, bank, actor=actor, source=ref.path)
    out: dict[tuple[str, int | None], int] = {}
    async with ctx.sm() as s:
        for rs in spec.rounds:
            if spec.banks and rs.bank not in declared:
                problems.append(FileProblem(file, rs.line, Phrase(
                    "contest_file.round_bank_undeclared", title=repr(rs.title), bank=rs.bank)))
                continue
            q = (select(BankVersion.id).join(Bank, col(Bank.id) == BankVersion.bank_id)
                 .where(col(Bank.code) == rs.bank))
            if rs.bank_version is not None:
                q = q.where(col(BankVersion.number) == rs.bank_version)
            vid = await s.scalar(q.order_by(col(BankVersion.number).desc()).limit(1))
            if vid is None:
                problems.append(FileProblem(file, rs.line, Phrase(
                    "contest_file.round_bank_version_missing", title=repr(rs.title),
                    bank=rs.bank, version=rs.bank_version) if rs.bank_version else Phrase(
                    "contest_file.round_bank_missing", title=repr(rs.title), bank=rs.bank)))
                continue
            out[rs.bank, rs.bank_version] = vid
    if problems:
        raise ContestFileInvalid(problems)
    return out


def _settings_of(rs: RoundSpec, version_id: int) -> round_settings.RoundSettings:
    return round_settings.RoundSettings(
        title=rs.title, opens_at=rs.opens_at, closes_at=rs.closes_at,
        bank_version_id=version_id, questions_per_attempt=rs.questions_per_attempt,
        quotas=rs.quotas, time_limit_s=rs.time_limit_s, grace_s=rs.grace_s,
        max_attempts=rs.max_attempts, counting=rs.counting, partial_credit=rs.partial_credit,
        score_shown=rs.score_shown, kind=rs.kind, prediction_prompt=rs.prediction_prompt,
        prediction_kind=rs.prediction_kind, prizes=rs.prizes, tie_breaks=rs.tie_breaks,
        question_set=rs.question_set, qualify=rs.qualify)


def _round_values(rs: RoundSpec, version_id: int) -> dict[str, Any]:
    values = {k: getattr(rs, k) for k in _ROUND_FIELDS}
    values["bank_version_id"] = version_id
    return values


async def _apply(ctx: Services, spec: ContestSpec, versions: dict[tuple[str, int | None], int],
                 actor: str, file: str) -> LoadReport:
    """Write the contest, consent and rounds in one transaction; raises ConfigInvalid."""
    now = ctx.now()
    async with transaction(ctx.sm) as s:
        c = await s.scalar(select(Contest).where(col(Contest.slug) == spec.slug))
        created = c is None
        if c is None:
            c = Contest(slug=spec.slug, title=spec.title, created_at=now)
        report = LoadReport(0, created, slug=spec.slug, title=spec.title)
        wanted = {"title": spec.title, "organiser": spec.organiser, "rules": spec.rules,
                  "groups": spec.groups,
                  "unit_root": spec.unit_root, "min_age": spec.min_age, "visible": spec.visible,
                  "documents": spec.documents, "zalo_oa_id": spec.zalo_oa_id}
        changed = [k for k, v in wanted.items() if created or getattr(c, k) != v]
        for k in changed:
            setattr(c, k, wanted[k])
        s.add(c)
        await s.flush()
        assert c.id is not None
        report.contest_id = c.id
        if changed:
            report.changes.append(f"tạo cuộc thi {spec.slug}: {spec.title}" if created
                                  else "sửa cuộc thi: " + ", ".join(changed))
            audit_log.record(s, now, actor, "contest.create" if created else "contest.update",
                             f"contest:{c.id}", file=file, fields=changed)
        if spec.consent is not None:
            await _apply_consent(s, c.id, spec.consent, report, actor, now)
        rounds = {r.title: r for r in (await s.scalars(
            select(Round).where(col(Round.contest_id) == c.id))).all()}
        numbers: dict[int, int] = {vid: n for vid, n in (await s.execute(
            select(BankVersion.id, BankVersion.number))).all()}
        for rs in spec.rounds:
            values = _round_values(rs, versions[rs.bank, rs.bank_version])
            r = rounds.get(rs.title)
            if r is None:
                r = Round(contest_id=c.id, secret=secrets.token_bytes(32), **values)
                s.add(r)
                await s.flush()
                await round_settings.store_nulls(s, r, values)
                report.changes.append(f"tạo đợt {rs.title!r}")
                audit_log.record(s, now, actor, "round.create", f"round:{r.id}", file=file)
                report.rounds.append(_line(r, rs, numbers, "created"))
                continue
            diff = [k for k, v in values.items() if getattr(r, k) != v]
            if not diff:
                report.rounds.append(_line(r, rs, numbers, "unchanged"))
                continue
            if r.finalised_at is not None:
                raise ConfigInvalid(detail=Phrase("detail.round.finalised_named",
                                                  title=rs.title),
                                    line=rs.line)
            for k in diff:
                setattr(r, k, values[k])
            s.add(r)
            await s.flush()
            await round_settings.store_nulls(s, r, {k: values[k] for k in diff})
            report.changes.append(f"sửa đợt {rs.title!r}: {', '.join(diff)}")
            audit_log.record(s, now, actor, "round.update", f"round:{r.id}", file=file,
                             fields=diff)
            report.rounds.append(_line(r, rs, numbers, "updated"))
    return report


def _line(r: Round, rs: RoundSpec, numbers: dict[int, int], state: str) -> RoundLine:
    return RoundLine(r.id or 0, r.title, r.opens_at, r.closes_at, rs.bank,
                     numbers[r.bank_version_id], state)


async def _apply_consent(s: Any, contest_id: int, spec: ConsentSpec, report: LoadReport,
                         actor: str, now: Any) -> None:
    """Publish the file's consent text unless it is already the current one."""
    rows = (await s.scalars(select(ConsentText).where(col(ConsentText.contest_id) == contest_id)
                            .order_by(col(ConsentText.id)))).all()
    same_version = next((x for x in rows if x.version == spec.version), None)
    if same_version is not None:
        if (same_version.text, list(same_version.purposes)) != (spec.text, spec.purposes):
            raise ConfigInvalid(detail=Phrase("detail.consent.version_changed",
                                              version=spec.version), line=spec.line)
        if rows[-1] is same_version:
            return
        raise ConfigInvalid(detail=Phrase("detail.consent.version_older", version=spec.version,
                                          current=rows[-1].version), line=spec.line)
    s.add(ConsentText(contest_id=contest_id, version=spec.version, text=spec.text,
                      purposes=spec.purposes, created_at=now))
    report.changes.append(f"công bố văn bản đồng ý {spec.version}")
    audit_log.record(s, now, actor, "consent.publish", f"contest:{contest_id}",
                     version=spec.version)


async def spec_of(ctx: Services, slug: str) -> ContestSpec:
    """The stored contest as a ContestSpec (no round secrets); raises NotFound."""
    from contest.errors import NotFound

    async with ctx.sm() as s:
        c = await s.scalar(select(Contest).where(col(Contest.slug) == slug))
        if c is None or c.id is None:
            raise NotFound()
        rounds = (await s.scalars(select(Round).where(col(Round.contest_id) == c.id)
                                  .order_by(col(Round.opens_at), col(Round.id)))).all()
        banks = {vid: (code, number) for vid, code, number in (await s.execute(
            select(BankVersion.id, Bank.code, BankVersion.number)
            .join(Bank, col(Bank.id) == BankVersion.bank_id))).all()}
        consent = await s.scalar(select(ConsentText)
                                 .where(col(ConsentText.contest_id) == c.id)
                                 .order_by(col(ConsentText.id).desc()).limit(1))
    spec = ContestSpec(slug=c.slug, title=c.title, organiser=c.organiser, rules=c.rules,
                       visible=c.visible,
                       timezone=ctx.settings.timezone, min_age=c.min_age,
                       groups=[{"code": g["code"], "name": g["name"]} for g in c.groups],
                       unit_root=c.unit_root, documents=dict(c.documents or {}),
                       zalo_oa_id=c.zalo_oa_id)
    if consent is not None:
        spec.consent = ConsentSpec(consent.version, consent.text, list(consent.purposes))
    used: list[str] = []
    for r in rounds:
        code, number = banks[r.bank_version_id]
        if code not in used:
            used.append(code)
        spec.rounds.append(RoundSpec(
            title=r.title, opens_at=r.opens_at, closes_at=r.closes_at, bank=code,
            bank_version=number, questions_per_attempt=r.questions_per_attempt, kind=r.kind,
            quotas=[dict(q) for q in r.quotas], time_limit_s=r.time_limit_s, grace_s=r.grace_s,
            max_attempts=r.max_attempts, counting=r.counting, partial_credit=r.partial_credit,
            prediction_prompt=r.prediction_prompt, prediction_kind=r.prediction_kind,
            prizes=r.prizes, tie_breaks=r.tie_breaks, score_shown=r.score_shown,
            question_set=r.question_set, qualify=r.qualify))
    spec.banks = [BankRef(code) for code in used]
    return spec


async def dump(ctx: Services, slug: str) -> str:
    """The contest file of a stored contest (never its round secrets); raises NotFound."""
    return render(await spec_of(ctx, slug))
