"""Recording integrity signals per attempt and turning them into flags.

Per-attempt flags (answer pace, attempt pace, hidden page) are computed when an attempt
closes, in the close's own transaction from the rows it already read (evaluate,
store_at_close); flags across participants (identical answers, shared devices, prediction
spreads) by `scan_round`, the periodic pass (the CLI and the review list run it). Nothing here
changes a score.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from contest.core.context import Services, log
from contest.domain import integrity as rules
from contest.domain.draw import QuestionText
from contest.domain.integrity import Flag, Thresholds
from contest.domain.vocabulary import AttemptStatus
from contest.errors import NotFound
from contest.setup.papers import bank_texts
from contest.storage.db import transaction
from contest.storage.integrity_tables import AttemptSignals, IntegrityFlag
from contest.storage.tables import Answer, Attempt, AttemptQuestion, Round, RoundEntry

THRESHOLDS = Thresholds()


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


# Core UPDATEs of the table (an ORM-enabled update would synchronise the session's objects)
_SIGNALS = AttemptSignals.__table__  # type: ignore[attr-defined]
_HIDDEN_ONCE_MORE = (
    update(_SIGNALS)
    .where(_SIGNALS.c.attempt_id == bindparam("aid"), _SIGNALS.c.participant_id == bindparam("pid"))
    .values(hidden_changes=_SIGNALS.c.hidden_changes + 1)
    .returning(_SIGNALS.c.hidden_changes)
)


async def note_visibility(ctx: Services, participant_id: str, attempt_id: str) -> int:
    """Count a 'page hidden' event the client reported, on the attempt's start note (one
    statement; the close reads it there); raises NotFound for others' attempts."""
    async with transaction(ctx.sm) as s:
        count = await s.scalar(_HIDDEN_ONCE_MORE, {"aid": attempt_id, "pid": participant_id})
        if count is None:  # someone else's, or an attempt started before start notes
            owner = await s.scalar(select(Attempt.participant_id)
                                   .where(Attempt.id == attempt_id))
            if owner != participant_id:
                raise NotFound()
            return 0
    return int(count)


def _upsert_flags(existing: dict[tuple[str, str, str], IntegrityFlag],
                  wanted: dict[tuple[str, str, str], Flag], round_id: int, now: datetime,
                  add: list[IntegrityFlag]) -> list[IntegrityFlag]:
    """Bring stored flags to `wanted`: update in place (keeping created_at), add new ones.

    Returns the stored flags no longer wanted (the caller deletes them). Keeping created_at
    matters: a review decision covers the flags that existed when it was taken.
    """
    for key, flag in wanted.items():
        row = existing.get(key)
        if row is None:
            pid, attempt_id, reason = key
            add.append(IntegrityFlag(round_id=round_id, participant_id=pid, attempt_id=attempt_id,
                                     reason=reason, strength=flag.strength,
                                     details=dict(flag.details), created_at=now))
        else:
            if rules.STRENGTH_ORDER[flag.strength] > rules.STRENGTH_ORDER.get(row.strength, 0):
                row.created_at = now  # stronger evidence is new evidence
            row.strength = flag.strength
            row.details = dict(flag.details)
    return [row for key, row in existing.items() if key not in wanted]


@dataclass(frozen=True)
class Signals:
    """A closed attempt's answer timings, answer digest and own flags, ready to store."""

    answers: list[list[Any]]
    digest: str | None
    flags: list[Flag]


def evaluate(started_at: datetime, duration_ms: int, auto: bool,
             paper: Sequence[tuple[int, Sequence[Sequence[Any]]]],
             saved: Mapping[int, tuple[Sequence[str], datetime]],
             texts: Mapping[int, QuestionText]) -> Signals:
    """The signals of a closed attempt from its paper ((question id, [[option id, public
    id], ...])), its saves (question id -> chosen public ids, first save) and its texts; the
    hidden-page flag is added where the stored count is read (with_hidden)."""
    saves: list[tuple[int, int, int]] = []
    chosen: dict[int, tuple[int, ...]] = {}
    for qid, options in paper:
        got = saved.get(qid)
        if got is None or not got[0]:
            continue
        public_to_option = {pub: oid for oid, pub in options}
        chosen[qid] = tuple(sorted(int(public_to_option[o]) for o in got[0]
                                   if o in public_to_option))
        qt = texts.get(qid)
        chars = len(qt.text) + sum(map(len, qt.options.values())) if qt else 0
        saves.append((qid, chars, _ms(got[1])))
    timings = rules.answer_timings(_ms(started_at), saves)
    flags = [f for f in (
        rules.fast_answers(timings, THRESHOLDS),
        None if auto else rules.fast_attempt(duration_ms, len(paper), THRESHOLDS),
    ) if f is not None]
    rows = [[t.question_id, list(chosen.get(t.question_id, ())), t.ms] for t in timings]
    return Signals(rows, rules.answers_digest(chosen) if chosen else None, flags)


def with_hidden(flags: list[Flag], hidden: int) -> list[Flag]:
    """The flags with the hidden-page flag when the page was reported hidden often."""
    tab = rules.tab_hidden(hidden, THRESHOLDS)
    return [*flags, tab] if tab is not None else flags


_SIGNALS_DONE = (
    update(_SIGNALS)
    .where(_SIGNALS.c.attempt_id == bindparam("aid"))
    .values(answers=bindparam("answers"), answers_digest=bindparam("digest"),
            duration_ms=bindparam("duration"), computed_at=bindparam("now"))
    .returning(_SIGNALS.c.hidden_changes)
)


_FLAGS = IntegrityFlag.__table__  # type: ignore[attr-defined]


async def store_at_close(s: AsyncSession, att: Attempt, sig: Signals, now: datetime) -> None:
    """Store the signals of an attempt closed in this transaction: one UPDATE of the note
    its start wrote, returning the hidden-page count kept there (a row is added for
    attempts started without one). A first close has no per-attempt flags yet, so its
    flags are only added."""
    hidden = await s.scalar(_SIGNALS_DONE, {
        "aid": att.id, "answers": sig.answers, "digest": sig.digest,
        "duration": att.duration_ms, "now": now})
    if hidden is None:
        hidden = 0
        s.add(_filled(_note_of(att), sig, att, now))
    added: list[IntegrityFlag] = []
    _upsert_flags({}, _keyed(att, with_hidden(sig.flags, int(hidden))), att.round_id, now, added)
    if added:
        # A Core insert: the ORM's unit of work for these rows was a twentieth of a submit.
        await s.execute(insert(_FLAGS), [f.model_dump(exclude={"id"}) for f in added])


def _note_of(att: Attempt) -> AttemptSignals:
    """A start note for an attempt started without one (before notes were kept)."""
    return AttemptSignals(attempt_id=att.id, round_id=att.round_id,
                          participant_id=att.participant_id, started_at=att.started_at,
                          user_agent=att.user_agent)


def _filled(row: AttemptSignals, sig: Signals, att: Attempt, now: datetime) -> AttemptSignals:
    """The note with the attempt's computed signals."""
    row.answers = sig.answers
    row.answers_digest = sig.digest
    row.duration_ms = att.duration_ms
    row.computed_at = now
    return row


def _keyed(att: Attempt, flags: Iterable[Flag]) -> dict[tuple[str, str, str], Flag]:
    """An attempt's own flags by their stored key (participant, attempt, reason)."""
    return {(att.participant_id, att.id, f.reason): f for f in flags}


async def compute_attempt(ctx: Services, attempt_id: str) -> list[Flag]:
    """Compute and store a submitted attempt's signals and own flags again (the scan's
    catch-up for attempts closed before signals were kept at close); raises NotFound."""
    now = ctx.now()
    async with ctx.sm() as s:
        att = await s.get(Attempt, attempt_id)
        if att is None or att.status != AttemptStatus.SUBMITTED:
            raise NotFound()
        paper = (await s.scalars(
            select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt_id)
            .order_by(col(AttemptQuestion.position)))).all()
        # what the participant read, from this worker's cache of the bank version's texts
        version = await s.scalar(select(Round.bank_version_id).where(Round.id == att.round_id))
        assert version is not None
        bank = await bank_texts(ctx, s, version)
        answers = (await s.scalars(select(Answer).where(Answer.attempt_id == attempt_id))).all()
    by_public = {aq.public_id: aq.question_id for aq in paper}
    # The first save (a column the save writes); rows from before it: the last save.
    saved = {by_public[a.question_public_id]: (a.option_ids or [], a.first_saved_at or a.saved_at)
             for a in answers if a.question_public_id in by_public}
    sig = evaluate(att.started_at, att.duration_ms or 0, att.auto_submitted,
                   [(aq.question_id, aq.options) for aq in paper], saved, bank)
    async with transaction(ctx.sm) as s:
        row = await s.get(AttemptSignals, attempt_id)
        if row is None:  # started before signals were recorded, or the start note failed
            row = _note_of(att)
            s.add(row)
        _filled(row, sig, att, now)
        flags = with_hidden(sig.flags, row.hidden_changes)
        existing = {(f.participant_id, f.attempt_id, f.reason): f for f in (await s.scalars(
            select(IntegrityFlag).where(IntegrityFlag.attempt_id == attempt_id))).all()}
        added: list[IntegrityFlag] = []
        for stale in _upsert_flags(existing, _keyed(att, flags), att.round_id, now, added):
            await s.delete(stale)
        s.add_all(added)
    return flags


async def _catch_up(ctx: Services, attempt_id: str) -> None:
    """compute_attempt for the scan, logging rather than failing it (the next scan retries)."""
    try:
        await compute_attempt(ctx, attempt_id)
    except Exception:
        log.exception("integrity signals of attempt %s not computed; the scan will retry",
                      attempt_id)


@dataclass(frozen=True)
class ScanReport:
    """What a pass over a round did."""

    computed: int
    flagged_participants: int


def _strongest(flags: Iterable[Flag]) -> dict[str, Flag]:
    out: dict[str, Flag] = {}
    for f in flags:
        old = out.get(f.reason)
        if old is None or rules.STRENGTH_ORDER[f.strength] > rules.STRENGTH_ORDER[old.strength]:
            out[f.reason] = f
    return out


async def scan_round(ctx: Services, round_id: int, th: Thresholds = THRESHOLDS) -> ScanReport:
    """Compute missing per-attempt signals, then the flags across participants of a round."""
    async with ctx.sm() as s:
        pending = (await s.scalars(
            select(Attempt.id)
            .outerjoin(AttemptSignals, col(AttemptSignals.attempt_id) == Attempt.id)
            .where(Attempt.round_id == round_id, Attempt.status == AttemptStatus.SUBMITTED,
                   col(AttemptSignals.computed_at).is_(None))
        )).all()
    for attempt_id in pending:
        await _catch_up(ctx, attempt_id)
    now = ctx.now()
    async with ctx.sm() as s:
        signals = (await s.scalars(select(AttemptSignals).where(
            AttemptSignals.round_id == round_id))).all()
        predictions = (await s.execute(select(RoundEntry.participant_id, RoundEntry.prediction)
                                       .where(RoundEntry.round_id == round_id,
                                              col(RoundEntry.prediction).is_not(None)))).all()
    found: dict[str, list[Flag]] = defaultdict(list)
    records = [rules.AnswerRecord(
        sig.attempt_id, sig.participant_id,
        {int(q): tuple(o) for q, o, _ in sig.answers or [] if o},
        {int(q): int(ms) for q, _, ms in sig.answers or []},
    ) for sig in signals if sig.computed_at is not None]
    for rec, flag in rules.identical_answers(records, th):
        found[rec.participant_id].append(flag)
    starts = [rules.StartRecord(sig.participant_id, sig.started_at, sig.ip, sig.device,
                                sig.user_agent) for sig in signals]
    for pid, flags in rules.account_clusters(starts, th).items():
        found[pid].extend(flags)
    origin: dict[str, AttemptSignals] = {}
    for sig in sorted(signals, key=lambda x: x.started_at):
        # the first attempt's origin: the locked prediction was sent from there or later
        origin.setdefault(sig.participant_id, sig)
    preds = [rules.PredictionRecord(pid, int(value), origin[pid].ip if pid in origin else None,
                                    origin[pid].device if pid in origin else None)
             for pid, value in predictions]
    for pid, flag in rules.prediction_spreads(preds, th).items():
        found[pid].append(flag)
    wanted = {(pid, "", reason): flag for pid, flags in found.items()
              for reason, flag in _strongest(flags).items()}
    async with transaction(ctx.sm) as s:
        existing = {(f.participant_id, f.attempt_id, f.reason): f for f in (await s.scalars(
            select(IntegrityFlag).where(IntegrityFlag.round_id == round_id,
                                        IntegrityFlag.attempt_id == "",
                                        col(IntegrityFlag.reason).in_(rules.CROSS_REASONS)))
        ).all()}
        added: list[IntegrityFlag] = []
        for row in _upsert_flags(existing, wanted, round_id, now, added):
            await s.delete(row)
        s.add_all(added)
    return ScanReport(computed=len(pending), flagged_participants=len(found))
