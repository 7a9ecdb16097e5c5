"""Contest and round configuration from the console: validation against the bank, audit."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from contest.core import audit_log
from contest.core.context import Services
from contest.domain.draw import check_quotas
from contest.domain.final_ranking import parse_chain
from contest.domain.phrase import Phrase
from contest.domain.policy import SCORE_SHOWN
from contest.domain.prizes import parse_rules
from contest.domain.qualify import parse as parse_qualify
from contest.domain.question_sets import SetUse, shared_set
from contest.domain.vocabulary import AttemptStatus, RoundKind
from contest.errors import CloseEarlierUnconfirmed, ConfigInvalid, NotFound
from contest.setup.contest_file import valid_oa_id
from contest.setup.papers import bank_questions, quota_from_dict
from contest.storage.db import transaction
from contest.storage.tables import (
    Attempt,
    Bank,
    BankVersion,
    Contest,
    Participant,
    Round,
    Unit,
)

COUNTINGS = ("best", "first", "last")
KINDS = (RoundKind.RANKED, RoundKind.PRACTICE)
PREDICTION_KINDS = ("participants", "perfect")


@dataclass
class RoundSettings:
    """A round as the organiser entered it (times already converted to aware datetimes)."""

    title: str
    opens_at: datetime
    closes_at: datetime
    bank_version_id: int
    questions_per_attempt: int
    quotas: list[dict[str, Any]] = field(default_factory=list)
    time_limit_s: int = 900
    grace_s: int = 5
    max_attempts: int | None = 1
    counting: str = "best"
    partial_credit: bool = False
    kind: str = RoundKind.RANKED
    prediction_prompt: str | None = None
    prediction_kind: str | None = None
    prizes: dict[str, Any] | None = None
    tie_breaks: list[str] | None = None
    score_shown: str | None = None  # submit | close; None: policy.score_shown_default
    question_set: str | None = None  # draw from this set of the bank; None: the whole bank
    qualify: dict[str, Any] | None = None  # contest.domain.qualify: a final for the best N


async def contests(ctx: Services) -> list[tuple[Contest, list[Round]]]:
    """Every contest with its rounds, newest first."""
    async with ctx.sm() as s:
        found = (await s.scalars(select(Contest).order_by(col(Contest.id).desc()))).all()
        rounds = (await s.scalars(select(Round).order_by(col(Round.opens_at)))).all()
    return [(c, [r for r in rounds if r.contest_id == c.id]) for c in found]


async def contest(ctx: Services, contest_id: int) -> tuple[Contest, list[Round]]:
    """One contest and its rounds; raises NotFound."""
    for c, rounds in await contests(ctx):
        if c.id == contest_id:
            return c, rounds
    raise NotFound()


async def bank_versions(ctx: Services) -> list[tuple[BankVersion, Bank, int]]:
    """Every bank version with its bank and question count, newest first."""
    from sqlalchemy import func

    from contest.storage.tables import Question

    async with ctx.sm() as s:
        rows = (await s.execute(
            select(BankVersion, Bank, func.count(col(Question.id)))
            .join(Bank, col(Bank.id) == BankVersion.bank_id)
            .join(Question, col(Question.bank_version_id) == BankVersion.id, isouter=True)
            .group_by(col(BankVersion.id), col(Bank.id))
            .order_by(col(BankVersion.id).desc()))).all()
    return [(v, b, int(n)) for v, b, n in rows]


async def update_contest(ctx: Services, contest_id: int, *, title: str, rules: str,
                         groups: list[dict[str, str]], min_age: int | None, visible: bool,
                         actor: str, ip: str | None, zalo_oa_id: str | None = None) -> Contest:
    """Change a contest's public text, groups, eligibility and Zalo share button's Official
    Account; raises NotFound, ConfigInvalid."""
    if not title.strip():
        raise ConfigInvalid(detail=Phrase("detail.contest.title_empty"))
    if not groups:
        raise ConfigInvalid(detail=Phrase("detail.contest.groups_missing"))
    if min_age is not None and not 0 <= min_age <= 120:
        raise ConfigInvalid(detail=Phrase("detail.contest.min_age_range"))
    if zalo_oa_id and not valid_oa_id(zalo_oa_id):
        raise ConfigInvalid(detail=Phrase("detail.contest.zalo_oa_id"))
    async with transaction(ctx.sm) as s:
        c = await s.get(Contest, contest_id)
        if c is None:
            raise NotFound()
        before = {"title": c.title, "groups": c.groups, "min_age": c.min_age, "visible": c.visible,
                  "zalo_oa_id": c.zalo_oa_id}
        c.title, c.rules, c.groups, c.min_age, c.visible = title.strip(), rules, groups, min_age, \
            visible
        c.zalo_oa_id = zalo_oa_id or None
        s.add(c)
        audit_log.record(s, ctx.now(), actor, "contest.update", f"contest:{contest_id}", ip=ip,
                         before=before, after={"title": c.title, "groups": groups,
                                               "min_age": min_age, "visible": visible,
                                               "zalo_oa_id": c.zalo_oa_id})
    return c


async def _bank_of(s: AsyncSession, version_id: int) -> int | None:
    return await s.scalar(select(col(BankVersion.bank_id)).where(col(BankVersion.id) == version_id))


async def check_key_leak(ctx: Services, rs: RoundSettings, round_id: int | None = None,
                         siblings: Sequence[RoundSettings] = (),
                         replaced: Callable[[Round], bool] = lambda _r: False) -> None:
    """Refuse a practice round and a ranked round that has not closed on the same bank (any
    version): the practice review shows its key at once, so it would show the ranked round's.

    `round_id` is the round being edited, `siblings` the other rounds of a contest file being
    loaded, `replaced` says which stored rounds that file rewrites. Raises ConfigInvalid
    naming both rounds.
    """
    now = ctx.now()
    async with ctx.sm() as s:
        bank = await _bank_of(s, rs.bank_version_id)
        stored = (await s.execute(
            select(Round).join(BankVersion, col(BankVersion.id) == col(Round.bank_version_id))
            .where(col(BankVersion.bank_id) == bank, col(Round.id) != (round_id or -1)))).all()
        others = [(r.title, r.kind, r.closes_at) for (r,) in stored if not replaced(r)]
        for sib in siblings:
            if sib is not rs and await _bank_of(s, sib.bank_version_id) == bank:
                others.append((sib.title, sib.kind, sib.closes_at))
    for title, kind, closes_at in others:
        if {kind, rs.kind} != {RoundKind.RANKED, RoundKind.PRACTICE}:
            continue
        ranked_closes = closes_at if kind == RoundKind.RANKED else rs.closes_at
        if ranked_closes <= now:
            continue
        practice, ranked = (rs.title, title) if rs.kind == RoundKind.PRACTICE else (title, rs.title)
        raise ConfigInvalid(detail=Phrase("detail.round.key_leak", practice=practice,
                                          ranked=ranked))


async def check_shared_set(ctx: Services, rs: RoundSettings, round_id: int | None = None,
                           siblings: Sequence[RoundSettings] = (),
                           replaced: Callable[[Round], bool] = lambda _r: False,
                           contest_id: int | None = None) -> None:
    """Refuse a round naming the same question set of the same bank (any version) as another
    round of its contest (`contest_id`'s stored rounds, None: none yet, and `siblings`; other
    arguments as check_key_leak); raises ConfigInvalid naming both rounds and the set."""
    if rs.question_set is None:
        return
    async with ctx.sm() as s:
        bank = await _bank_of(s, rs.bank_version_id)
        code = await s.scalar(select(col(Bank.code)).where(col(Bank.id) == bank)) or ""
        stored = (await s.execute(
            select(Round).join(BankVersion, col(BankVersion.id) == col(Round.bank_version_id))
            .where(col(BankVersion.bank_id) == bank, col(Round.id) != (round_id or -1),
                   col(Round.contest_id) == (contest_id or -1),
                   col(Round.question_set) == rs.question_set))).all()
        others = [SetUse(r.title, code, r.question_set) for (r,) in stored if not replaced(r)]
        for sib in siblings:
            if sib is not rs and await _bank_of(s, sib.bank_version_id) == bank:
                others.append(SetUse(sib.title, code, sib.question_set))
    use = SetUse(rs.title, code, rs.question_set)
    other = shared_set(use, others)
    if other is not None:
        raise ConfigInvalid(detail=Phrase(
            "detail.round.shared_set", round=use.round_title, other=other.round_title,
            set=use.question_set, bank=use.bank))


async def check_round(ctx: Services, rs: RoundSettings, round_id: int | None = None,
                      siblings: Sequence[RoundSettings] = (),
                      replaced: Callable[[Round], bool] = lambda _r: False,
                      contest_id: int | None = None) -> None:
    """Raise ConfigInvalid naming the first thing wrong with a round's settings (see
    check_key_leak for round_id, siblings and replaced, check_shared_set for contest_id)."""
    if not rs.title.strip():
        raise ConfigInvalid(detail=Phrase("detail.round.title_empty"))
    if rs.closes_at <= rs.opens_at:
        raise ConfigInvalid(detail=Phrase("detail.round.closes_before_opens"))
    if not 1 <= rs.questions_per_attempt <= 200:
        raise ConfigInvalid(detail=Phrase("detail.round.questions_range"))
    if not 30 <= rs.time_limit_s <= 6 * 3600:
        raise ConfigInvalid(detail=Phrase("detail.round.time_limit_range"))
    if not 0 <= rs.grace_s <= 120:
        raise ConfigInvalid(detail=Phrase("detail.round.grace_range"))
    if rs.max_attempts is not None and not 1 <= rs.max_attempts <= 100:
        raise ConfigInvalid(detail=Phrase("detail.round.max_attempts_range"))
    if rs.question_set is not None and not rs.question_set.strip():
        raise ConfigInvalid(detail=Phrase("detail.round.set_name_empty"))
    if rs.kind not in KINDS:
        raise ConfigInvalid(detail=Phrase("detail.round.kind"))
    if rs.score_shown is not None and rs.score_shown not in SCORE_SHOWN:
        raise ConfigInvalid(detail=Phrase("detail.round.score_shown"))
    if rs.counting not in COUNTINGS:
        raise ConfigInvalid(detail=Phrase("detail.round.counting"))
    if rs.prediction_kind is not None and rs.prediction_kind not in PREDICTION_KINDS:
        raise ConfigInvalid(detail=Phrase("detail.round.prediction_kind"))
    if rs.prediction_kind and not rs.prediction_prompt:
        raise ConfigInvalid(detail=Phrase("detail.round.prediction_prompt"))
    try:
        quotas = [quota_from_dict(q) for q in rs.quotas]
        parse_rules(rs.prizes)
        parse_chain(rs.tie_breaks)
        parse_qualify(rs.qualify)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigInvalid(detail=str(exc)) from exc
    if quotas and sum(q.count for q in quotas) != rs.questions_per_attempt:
        raise ConfigInvalid(detail=Phrase("detail.round.quota_total",
                                          total=sum(q.count for q in quotas),
                                          questions=rs.questions_per_attempt))
    async with ctx.sm() as s:
        if await s.get(BankVersion, rs.bank_version_id) is None:
            raise ConfigInvalid(detail=Phrase("detail.round.no_bank"))
        questions = await bank_questions(ctx, s, rs.bank_version_id, rs.question_set)
    from contest.domain.draw import Quota

    whole = rs.question_set is None  # the whole bank, or one of its question sets
    if not questions:
        raise ConfigInvalid(detail=Phrase("detail.round.bank_empty") if whole else
                            Phrase("detail.round.set_missing", set=rs.question_set))
    problems = check_quotas(questions, quotas or [Quota(count=rs.questions_per_attempt)])
    if problems:
        # the problems are check_quotas' own (Vietnamese) sentences
        joined = "; ".join(problems)
        raise ConfigInvalid(detail=Phrase("detail.round.bank_short", problems=joined) if whole
                            else Phrase("detail.round.set_short", set=rs.question_set,
                                        problems=joined))
    await check_key_leak(ctx, rs, round_id, siblings, replaced)
    await check_shared_set(ctx, rs, round_id, siblings, replaced, contest_id)


@dataclass(frozen=True)
class RunningAttempt:
    """A running attempt a change of close time would cut short (no personal data)."""

    attempt_id: str
    unit_code: str
    started_at: datetime
    deadline: datetime


async def running_past(s: AsyncSession, round_id: int, close: datetime) -> list[RunningAttempt]:
    """The round's running attempts whose deadline is after `close`."""
    rows = (await s.execute(
        select(Attempt.id, Participant.unit_code, Attempt.started_at, Attempt.deadline)
        .join(Participant, col(Participant.id) == Attempt.participant_id)
        .where(col(Attempt.round_id) == round_id, col(Attempt.status) == AttemptStatus.RUNNING,
               col(Attempt.deadline) > close)
        .order_by(col(Attempt.started_at)))).all()
    return [RunningAttempt(a, u, st, d) for a, u, st, d in rows]


async def save_round(ctx: Services, contest_id: int, round_id: int | None, rs: RoundSettings,
                     actor: str, ip: str | None, confirm_close_earlier: bool = False) -> Round:
    """Create (round_id None) or update a round after checking it against its bank.

    Moving the close earlier than it was while attempts are running needs
    confirm_close_earlier; the running attempts' deadlines then move to the new close, and the
    audit event names them. Raises NotFound, ConfigInvalid (including quotas the bank cannot
    fill), CloseEarlierUnconfirmed (params: running, new_close, affected).
    """
    await check_round(ctx, rs, round_id, contest_id=contest_id)
    values = {k: getattr(rs, k) for k in RoundSettings.__dataclass_fields__}
    cut: list[RunningAttempt] = []
    async with transaction(ctx.sm) as s:
        if await s.get(Contest, contest_id) is None:
            raise NotFound()
        if rs.qualify is not None:
            await _check_sources(s, contest_id, rs)
        if round_id is None:
            r = Round(contest_id=contest_id, secret=secrets.token_bytes(32), **values)
            before: dict[str, Any] = {}
        else:
            found = await s.get(Round, round_id)
            if found is None or found.contest_id != contest_id:
                raise NotFound()
            r = found
            if r.finalised_at is not None:
                raise ConfigInvalid(detail=Phrase("detail.round.finalised"))
            before = {k: _jsonable(getattr(r, k)) for k in values}
            if rs.closes_at < r.closes_at:
                cut = await running_past(s, r.id or 0, rs.closes_at)
                if cut and not confirm_close_earlier:
                    raise CloseEarlierUnconfirmed(
                        running=len(cut), affected=cut,
                        new_close=rs.closes_at.astimezone(ctx.settings.tz)
                        .strftime("%d/%m/%Y %H:%M"))
                if cut:
                    # deadline = min(start + limit, close): the new close caps them now
                    await s.execute(update(Attempt).where(
                        col(Attempt.id).in_([a.attempt_id for a in cut]))
                        .values(deadline=rs.closes_at))
            for k, v in values.items():
                setattr(r, k, v)
        s.add(r)
        await s.flush()
        await store_nulls(s, r, values)
        extra: dict[str, Any] = {}
        if cut:
            extra["close_moved_earlier"] = {
                "from": before["closes_at"], "to": rs.closes_at.isoformat(),
                "running_attempts": [a.attempt_id for a in cut]}
        audit_log.record(s, ctx.now(), actor, "round.create" if round_id is None else
                         "round.update", f"round:{r.id}", ip=ip, before=before,
                         after={k: _jsonable(v) for k, v in values.items()}, **extra)
    return r


async def _check_sources(s: AsyncSession, contest_id: int, rs: RoundSettings) -> None:
    """Refuse a final whose named source rounds are not other rounds of its contest."""
    titles = set((await s.scalars(select(col(Round.title))
                                  .where(col(Round.contest_id) == contest_id))).all())
    missing = [t for t in (rs.qualify or {}).get("from") or ()
               if t == rs.title or t not in titles]
    if missing:
        raise ConfigInvalid(detail=Phrase("detail.round.final_sources_missing",
                                          titles=", ".join(missing)))


async def store_nulls(s: AsyncSession, r: Round, values: dict[str, Any]) -> None:
    """Write None explicitly where a column has a default (max_attempts: None is unlimited).

    The ORM leaves a None out of an INSERT when the column has a default, so the default (1)
    would be stored instead of "unlimited".
    """
    nulls = {k: None for k, v in values.items() if v is None
             and Round.__table__.c[k].default is not None}  # type: ignore[attr-defined]
    if nulls:
        await s.execute(update(Round).where(col(Round.id) == r.id).values(**nulls))
        for k in nulls:
            setattr(r, k, None)


def _jsonable(v: Any) -> Any:
    return v.isoformat() if isinstance(v, datetime) else v


async def upload_units(ctx: Services, filename: str, data: bytes, actor: str,
                       ip: str | None) -> int:
    """Load a unit-tree CSV (upserted by code, audited in the same transaction); returns the
    number of rows; raises ConfigInvalid naming the problem."""
    from contest.setup.units import UnitFileError, load_units, parse_units

    try:
        rows = parse_units(data.decode("utf-8-sig"), filename)
    except UnicodeDecodeError as exc:
        raise ConfigInvalid(detail=Phrase("detail.units.not_utf8", file=filename)) from exc
    except UnitFileError as exc:
        raise ConfigInvalid(detail=str(exc)) from exc
    return await load_units(ctx, rows, actor=actor, ip=ip, source=filename)


async def unit_roots(ctx: Services, deepest: int = 2) -> list[Unit]:
    """Units a contest can be rooted at (levels 1..deepest), in tree order by code."""
    async with ctx.sm() as s:
        return list((await s.scalars(select(Unit).where(col(Unit.level) <= deepest)
                                     .order_by(col(Unit.code)))).all())
