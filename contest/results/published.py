"""The published results of a finalised round: the manifest anyone can verify, the answer key."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from contest.core.context import Services
from contest.domain.people import mask_name
from contest.domain.question_sets import released
from contest.domain.vocabulary import PrizeKind, RoundKind
from contest.errors import AnswerKeyNotAvailable, NotFound, ResultsNotPublished
from contest.i18n import t
from contest.results.result_rows import load_tree
from contest.storage.results_tables import PrizeAward, RoundDraw, RoundResult
from contest.storage.tables import BankVersion, Contest, Option, Participant, Question, Round

ELIGIBLE_PATH = "/api/v1/rounds/{id}/results/eligible.csv"


def chain_sentence(chain: list[str], locale: str = "vi") -> str:
    """The round's tie-break order in words, then the draw (what citizens read)."""
    names = [t(f"chain.{c}", locale) for c in chain]
    if not names:
        return t("chain.draw", locale)
    lead = t("chain.lead", locale, first=names[0])
    if len(names) > 1:
        lead += "; " + t("chain.then", locale, rest=t("chain.and", locale).join(names[1:]))
    return f"{lead}. {t('chain.draw', locale)}"


def local_text(iso_value: str | None, tz: ZoneInfo) -> str:
    """An ISO time as people read it: dd/mm/yyyy HH:MM in the contest's time zone."""
    if not iso_value:
        return ""
    return datetime.fromisoformat(iso_value).astimezone(tz).strftime("%d/%m/%Y %H:%M")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def _public_round(s: AsyncSession, round_id: int) -> Round:
    """A ranked round of a visible contest; raises NotFound (a hidden contest's results and
    key are not served by direct URL either)."""
    r = await s.get(Round, round_id)
    if r is None or r.kind != RoundKind.RANKED:
        raise NotFound()
    visible = await s.scalar(select(col(Contest.visible)).where(col(Contest.id) == r.contest_id))
    if not visible:
        raise NotFound()
    return r


async def manifest(ctx: Services, round_id: int) -> dict[str, Any]:
    """The public results of a round (winners masked) with everything `contest draw verify`
    needs besides the eligible list; raises NotFound, ResultsNotPublished."""
    async with ctx.sm() as s:
        r = await _public_round(s, round_id)
        res = await s.get(RoundResult, round_id)
        if res is None:
            raise ResultsNotPublished()
        tree = await load_tree(s)
        rows = (await s.execute(
            select(PrizeAward, col(Participant.full_name), col(Participant.unit_code))
            .outerjoin(Participant, col(Participant.id) == col(PrizeAward.participant_id))
            .where(col(PrizeAward.round_id) == round_id)
            .order_by(col(PrizeAward.kind).desc(), col(PrizeAward.position)))).all()
    winners, collective = [], []
    for a, name, unit in rows:
        if a.kind == PrizeKind.INDIVIDUAL:
            district = tree.at_level(unit or "", 2)
            winners.append({
                "position": a.position, "entry_id": a.participant_id, "tier_code": a.tier_code,
                "tier_name": a.tier_name, "split": a.split_key, "name": mask_name(name or ""),
                "unit": tree.names.get(unit or "", ""),
                "district": tree.names.get(district, "") if district else ""})
        else:
            collective.append({"position": a.position, "unit_code": a.unit_code,
                               "unit": tree.names.get(a.unit_code or "", ""),
                               "tier_name": a.tier_name})
    return {
        "round": {"id": r.id, "title": r.title, "opens_at": _iso(r.opens_at),
                  "closes_at": _iso(r.closes_at), "finalised_at": _iso(res.finalised_at),
                  "prediction_kind": r.prediction_kind},
        "engine_version": res.engine_version,
        "commitment": res.commitment,
        "committed_before_open": res.committed_before_open,
        "seed": res.seed_hex,
        "chain": res.chain,
        "actual_figure": res.actual_figure,
        "entrants": res.entrants,
        "eligible_count": res.eligible,
        "eligible_hash": res.eligible_hash,
        "eligible_list": ELIGIBLE_PATH.format(id=round_id),
        "prizes": res.prizes,
        "winners": winners,
        "collective": collective,
    }


async def public_commitment(ctx: Services, round_id: int) -> dict[str, Any]:
    """The draw commitment of a round, publishable before it opens; raises NotFound."""
    async with ctx.sm() as s:
        await _public_round(s, round_id)
        draw = await s.get(RoundDraw, round_id)
    if draw is None:
        raise NotFound()
    return {"round_id": round_id, "commitment": draw.commitment,
            "committed_at": _iso(draw.committed_at)}


async def answer_key(ctx: Services, round_id: int
                     ) -> tuple[Round, list[dict[str, Any]], int]:
    """The questions a closed round drew from (its question set, else its bank version) with
    their correct options, less those a not-yet-closed round of the same bank can still draw
    (matched by question id across versions); (round, questions, number withheld).

    Raises NotFound, AnswerKeyNotAvailable (the round is not closed, or every one of its
    questions is still in an open round's pool: publishing would leak its answers).
    """
    now = ctx.now()
    async with ctx.sm() as s:
        r = await _public_round(s, round_id)
        if now < r.closes_at:
            raise AnswerKeyNotAvailable()
        bank_id = select(col(BankVersion.bank_id)).where(
            col(BankVersion.id) == r.bank_version_id).scalar_subquery()
        still_open = (await s.execute(
            select(col(Round.bank_version_id), col(Round.question_set))
            .join(BankVersion, col(BankVersion.id) == col(Round.bank_version_id))
            .where(col(BankVersion.bank_id) == bank_id, col(Round.closes_at) > now,
                   col(Round.id) != round_id))).all()
        open_pools = [await _pool_ids(s, vid, qset) for vid, qset in set(still_open)]
        pool = (await s.scalars(_pool(r.bank_version_id, r.question_set)
                                .order_by(col(Question.id)))).all()
        shown = released([q.ext_id for q in pool], open_pools)
        questions = [q for q in pool if q.ext_id in shown]
        if not questions:
            raise AnswerKeyNotAvailable()
        options = (await s.scalars(select(Option).where(
            col(Option.question_id).in_([q.id for q in questions]))
            .order_by(col(Option.question_id), col(Option.position)))).all()
    by_q: dict[int, list[Option]] = {}
    for o in options:
        by_q.setdefault(o.question_id, []).append(o)
    out = []
    for n, q in enumerate(questions, start=1):
        out.append({"number": n, "text": q.text, "topic": q.topic, "basis": q.basis,
                    "explanation": q.explanation,
                    "options": [{"letter": "ABCDEFGH"[i] if i < 8 else str(i + 1),
                                 "text": o.text, "correct": o.correct}
                                for i, o in enumerate(by_q.get(q.id or 0, []))]})
    return r, out, len(pool) - len(questions)


def _pool(version_id: int, question_set: str | None) -> Any:
    """The questions a round draws from: its set of the bank version, else all of it."""
    q = select(Question).where(col(Question.bank_version_id) == version_id)
    return q if question_set is None else q.where(col(Question.question_set) == question_set)



async def _pool_ids(s: AsyncSession, version_id: int, question_set: str | None) -> list[str]:
    """The bank ids (ext_id) of a round's pool."""
    q = select(col(Question.ext_id)).where(col(Question.bank_version_id) == version_id)
    if question_set is not None:
        q = q.where(col(Question.question_set) == question_set)
    return list((await s.scalars(q)).all())
