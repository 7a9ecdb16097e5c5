"""Question banks from the console: upload (validated, imported and audited together), the
bank browser (filters, usage, per-question and per-option statistics with wrong-key and leak
flags) and the editor (an edit or a retirement is the bank's next version: attempts keep the
version they saw; rounds not yet open can move to it)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from contest.banks.io import detect_format, parse_bytes
from contest.banks.messages import message, where
from contest.banks.problems import BankInvalid, Loc, Problem, error
from contest.core import audit_log
from contest.core.context import Services
from contest.domain.bank import DIFFICULTIES, Bank, BankOption, BankQuestion
from contest.domain.item_stats import ItemStats, Response, item_stats
from contest.domain.phrase import Phrase
from contest.domain.vocabulary import AttemptStatus
from contest.errors import ConfigInvalid, NotFound
from contest.setup import round_settings
from contest.setup.bank_versions import import_bank
from contest.storage.db import transaction
from contest.storage.tables import (
    Answer,
    Attempt,
    AttemptQuestion,
    BankVersion,
    Option,
    Question,
    Round,
)
from contest.storage.tables import Bank as BankRow

MAX_UPLOAD = 10 * 1024 * 1024


@dataclass
class BankUpload:
    """What an upload did: the per-row report, and the import when the file was valid."""

    filename: str
    report: list[dict[str, Any]] = field(default_factory=list)
    imported: tuple[Bank, BankVersion, bool] | None = None


def _report(problems: list[Problem], locale: str) -> list[dict[str, Any]]:
    return [{"where": where(p, locale), "row": p.row or p.line, "column": p.column or "",
             "severity": p.severity, "message": message(p, locale)} for p in problems]


async def upload(ctx: Services, filename: str, data: bytes, locale: str, actor: str,
                 ip: str | None) -> BankUpload:
    """Validate an uploaded bank file and, when it has no errors, store it as a new version
    with its `bank.import` audit event in the same transaction; never raises for bad files."""
    problems: list[Problem] = []
    bank = None
    if len(data) > MAX_UPLOAD:
        problems = [error("file_too_large", Loc(filename), size=len(data), limit=MAX_UPLOAD)]
    else:
        fmt = detect_format(filename)
        try:
            if fmt is None:
                problems = [error("unknown_extension", Loc(filename), name=filename)]
            else:
                bank, problems = parse_bytes(data, filename, fmt)
        except BankInvalid as exc:
            bank, problems = None, exc.problems
    out = BankUpload(filename, _report(problems, locale))
    if bank is None or any(p.is_error for p in problems):
        return out
    version, created = await import_bank(ctx, bank, actor=actor, ip=ip, source=filename)
    out.imported = (bank, version, created)
    return out


# --- bank browser and editor (issue 17) ---------------------------------------------------


@dataclass(frozen=True)
class QuestionFilter:
    """What the bank browser lists: text search and the classification filters."""

    q: str = ""
    topic: str = ""
    difficulty: str = ""
    source: str = ""
    usage: str = ""  # "" | "used" | "unused" | "flagged"


@dataclass
class QuestionRow:
    """A question of the browser with how often it was drawn and its statistics."""

    question: Question
    usage: int
    stats: ItemStats


@dataclass(frozen=True)
class QuestionEdit:
    """An organiser's edit of a question (options in order, keys by position)."""

    text: str
    options: tuple[str, ...]
    keys: frozenset[int]
    topic: str
    difficulty: str
    basis: str
    explanation: str | None


async def _version(s: Any, version_id: int) -> tuple[BankVersion, BankRow]:
    v = await s.get(BankVersion, version_id)
    if v is None:
        raise NotFound()
    b = await s.get(BankRow, v.bank_id)
    assert b is not None
    return v, b


async def _stats(s: Any, qids: list[int]) -> tuple[dict[int, ItemStats], dict[int, int]]:
    """Statistics and draw counts of questions over every submitted attempt that saw them."""
    if not qids:
        return {}, {}
    options: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for qid, oid, ok in (await s.execute(
            select(Option.question_id, Option.id, Option.correct)
            .where(col(Option.question_id).in_(qids)).order_by(col(Option.position)))).all():
        options[qid].append((oid, ok))
    usage: dict[int, int] = dict((await s.execute(
        select(AttemptQuestion.question_id, func.count())
        .where(col(AttemptQuestion.question_id).in_(qids))
        .group_by(col(AttemptQuestion.question_id)))).all())
    seen = (await s.execute(
        sa_select(col(AttemptQuestion.question_id), col(AttemptQuestion.attempt_id),
                  col(AttemptQuestion.public_id), col(AttemptQuestion.options),
                  col(Attempt.score_milli), col(Attempt.max_score_milli),
                  col(Attempt.submitted_at))
        .join(Attempt, col(Attempt.id) == AttemptQuestion.attempt_id)
        .where(col(AttemptQuestion.question_id).in_(qids),
               col(Attempt.status) == AttemptStatus.SUBMITTED))).all()
    attempt_ids = sorted({a for _, a, *_ in seen})
    answers: dict[tuple[str, str], tuple[list[str], datetime]] = {}
    for i in range(0, len(attempt_ids), 500):
        for aid, pub, opts, saved in (await s.execute(
                select(Answer.attempt_id, Answer.question_public_id, Answer.option_ids,
                       Answer.saved_at)
                .where(col(Answer.attempt_id).in_(attempt_ids[i:i + 500])))).all():
            answers[aid, pub] = (opts, saved)
    responses: dict[int, list[Response]] = defaultdict(list)
    for qid, aid, pub, opts_map, score, top, submitted in seen:
        by_public = {p: o for o, p in opts_map}
        chosen, saved = answers.get((aid, pub), ([], submitted))
        responses[qid].append(Response(
            score=(score or 0) / top if top else 0.0,
            chosen=frozenset(by_public[p] for p in chosen if p in by_public), at=saved))
    return ({q: item_stats(options[q], responses.get(q, [])) for q in qids},
            {q: int(usage.get(q, 0)) for q in qids})


async def browse(ctx: Services, version_id: int,
                 f: QuestionFilter) -> tuple[BankVersion, BankRow, list[QuestionRow]]:
    """The questions of a bank version matching the filter, with usage and statistics;
    raises NotFound."""
    async with ctx.sm() as s:
        v, b = await _version(s, version_id)
        questions = list((await s.scalars(select(Question).where(
            col(Question.bank_version_id) == version_id).order_by(col(Question.id)))).all())
        stats, usage = await _stats(s, [q.id for q in questions if q.id is not None])
    rows = []
    needle = f.q.lower()
    for q in questions:
        assert q.id is not None
        st = stats[q.id]
        if needle and needle not in q.text.lower() and needle not in q.ext_id.lower():
            continue
        if (f.topic and q.topic != f.topic) or (f.difficulty and q.difficulty != f.difficulty):
            continue
        if f.source and f.source.lower() not in q.basis.lower():
            continue
        if (f.usage == "used" and not usage[q.id]) or (f.usage == "unused" and usage[q.id]):
            continue
        if f.usage == "flagged" and not (st.wrong_key or st.leak):
            continue
        rows.append(QuestionRow(q, usage[q.id], st))
    return v, b, rows


async def question(ctx: Services, version_id: int, question_id: int) -> tuple[
        BankVersion, BankRow, Question, list[Option], QuestionRow]:
    """One question with its options and statistics; raises NotFound."""
    async with ctx.sm() as s:
        v, b = await _version(s, version_id)
        q = await s.get(Question, question_id)
        if q is None or q.bank_version_id != version_id:
            raise NotFound()
        options = list((await s.scalars(select(Option).where(
            col(Option.question_id) == question_id).order_by(col(Option.position)))).all())
        stats, usage = await _stats(s, [question_id])
    return v, b, q, options, QuestionRow(q, usage[question_id], stats[question_id])


async def as_bank(s: Any, v: BankVersion, b: BankRow) -> list[BankQuestion]:
    """The questions of a stored bank version, as the importers build them."""
    questions = (await s.scalars(select(Question).where(
        col(Question.bank_version_id) == v.id).order_by(col(Question.id)))).all()
    opts: dict[int, list[Option]] = defaultdict(list)
    for o in (await s.scalars(select(Option).where(col(Option.question_id).in_(
            [q.id for q in questions])).order_by(col(Option.position)))).all():
        opts[o.question_id].append(o)
    return [BankQuestion(ext_id=q.ext_id, kind=q.kind,
                         text=q.text, topic=q.topic,
                         difficulty=q.difficulty,
                         basis=q.basis, explanation=q.explanation,
                         options=tuple(BankOption(o.text, o.correct) for o in opts[q.id or 0]))
            for q in questions]


def check_edit(kind: str, e: QuestionEdit) -> None:
    """Raise ConfigInvalid naming what is wrong with an edited question."""
    if not e.text.strip():
        raise ConfigInvalid(detail=Phrase("detail.question_edit.text_empty"))
    if not 2 <= len(e.options) <= 8 or any(not o.strip() for o in e.options):
        raise ConfigInvalid(detail=Phrase("detail.question_edit.options", min=2, max=8))
    if not e.keys or any(not 0 <= k < len(e.options) for k in e.keys):
        raise ConfigInvalid(detail=Phrase("detail.question_edit.key_missing"))
    if kind != "multiple" and len(e.keys) != 1:
        raise ConfigInvalid(detail=Phrase("detail.question_edit.single_key"))
    if e.difficulty not in DIFFICULTIES:
        raise ConfigInvalid(detail=Phrase("detail.question_edit.difficulty"))


async def _new_version(ctx: Services, v: BankVersion, b: BankRow,
                       questions: list[BankQuestion], move_rounds: bool, actor: str,
                       ip: str | None, action: str, **details: Any) -> tuple[BankVersion, int]:
    """Import questions as the bank's next version; with move_rounds, rounds not yet open
    that use v switch to it (each re-checked against it). Returns (version, rounds moved)."""
    bank = Bank(code=b.code, title=b.title, questions=tuple(questions), language=v.language,
                version=v.label, sources=tuple(v.sources), topics=tuple(v.topics))
    new, _ = await import_bank(ctx, bank, reuse_same=False, actor=actor, ip=ip,
                               source=f"console:{action}")
    moved = 0
    if move_rounds:
        async with ctx.sm() as s:
            waiting = (await s.scalars(select(Round).where(
                col(Round.bank_version_id) == v.id, col(Round.opens_at) > ctx.now()))).all()
        for r in waiting:
            rs = round_settings.RoundSettings(
                **{k: getattr(r, k) for k in round_settings.RoundSettings.__dataclass_fields__})
            rs.bank_version_id = new.id or 0
            await round_settings.check_round(ctx, rs, r.id, contest_id=r.contest_id)
        async with transaction(ctx.sm) as s:
            for r in waiting:
                await s.execute(update(Round).where(col(Round.id) == r.id)
                                .values(bank_version_id=new.id))
                moved += 1
            audit_log.record(s, ctx.now(), actor, action, f"bank:{b.code}", ip=ip,
                             version=new.number, rounds_moved=[r.id for r in waiting],
                             **details)
    else:
        async with transaction(ctx.sm) as s:
            audit_log.record(s, ctx.now(), actor, action, f"bank:{b.code}", ip=ip,
                             version=new.number, rounds_moved=[], **details)
    return new, moved


async def edit_question(ctx: Services, version_id: int, question_id: int, e: QuestionEdit,
                        move_rounds: bool, actor: str,
                        ip: str | None) -> tuple[BankVersion, int]:
    """Store the bank with one question changed as its next version (attempts keep the
    version they saw); raises NotFound, ConfigInvalid."""
    async with ctx.sm() as s:
        v, b = await _version(s, version_id)
        q = await s.get(Question, question_id)
        if q is None or q.bank_version_id != version_id:
            raise NotFound()
        questions = await as_bank(s, v, b)
    check_edit(q.kind, e)
    changed = BankQuestion(
        ext_id=q.ext_id, kind=q.kind, text=e.text.strip(),  # type: ignore[arg-type]
        options=tuple(BankOption(t.strip(), i in e.keys) for i, t in enumerate(e.options)),
        topic=e.topic.strip(), difficulty=e.difficulty,  # type: ignore[arg-type]
        basis=e.basis.strip(), explanation=(e.explanation or "").strip() or None)
    questions = [changed if x.ext_id == q.ext_id else x for x in questions]
    return await _new_version(ctx, v, b, questions, move_rounds, actor, ip, "question.edit",
                              question=q.ext_id, from_version=v.number)


async def retire_question(ctx: Services, version_id: int, question_id: int, move_rounds: bool,
                          actor: str, ip: str | None) -> tuple[BankVersion, int]:
    """Store the bank without one question as its next version; raises NotFound,
    ConfigInvalid (a round waiting to open could no longer fill its quotas)."""
    async with ctx.sm() as s:
        v, b = await _version(s, version_id)
        q = await s.get(Question, question_id)
        if q is None or q.bank_version_id != version_id:
            raise NotFound()
        questions = [x for x in await as_bank(s, v, b) if x.ext_id != q.ext_id]
    if not questions:
        raise ConfigInvalid(detail=Phrase("detail.bank_split.last_question"))
    return await _new_version(ctx, v, b, questions, move_rounds, actor, ip, "question.retire",
                              question=q.ext_id, from_version=v.number)


async def split_bank(ctx: Services, code: str, number: int | None, parts: int, per_part: int,
                     actor: str) -> list[tuple[str, int]]:
    """Deal a bank version's questions into `parts` disjoint banks (code-tuan-1, ...), each
    balanced by topic and difficulty, imported (an identical part reuses its version);
    returns (bank code, version number) of each. Raises NotFound, ConfigInvalid (too few
    questions for `per_part` each)."""
    async with ctx.sm() as s:
        q = (select(BankVersion).join(BankRow, col(BankRow.id) == BankVersion.bank_id)
             .where(col(BankRow.code) == code))
        if number is not None:
            q = q.where(col(BankVersion.number) == number)
        v = await s.scalar(q.order_by(col(BankVersion.number).desc()).limit(1))
        if v is None:
            raise NotFound()
        v, b = await _version(s, v.id or 0)
        questions = await as_bank(s, v, b)
    if len(questions) < parts * per_part:
        raise ConfigInvalid(detail=Phrase("detail.bank_split.too_few", code=code,
                                           count=len(questions), parts=parts,
                                           per_part=per_part))
    ordered = sorted(questions, key=lambda x: (x.topic, x.difficulty, x.ext_id))
    out = []
    for k in range(parts):
        part = Bank(code=f"{code}-tuan-{k + 1}"[:64], title=f"{b.title} — tuần {k + 1}",
                    questions=tuple(ordered[k::parts]), language=v.language, version=v.label,
                    sources=tuple(v.sources), topics=tuple(v.topics))
        made, _ = await import_bank(ctx, part, actor=actor, source=f"{code} v{v.number}")
        out.append((part.code, made.number))
    return out
