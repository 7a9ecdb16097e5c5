"""The review list and organisers' decisions; who is excluded from prizes.

A flag never changes a score. A participant is excluded from prizes when disqualified, or
when they carry a strong flag that no "cleared" decision has covered (a flag that appears
or grows stronger after the decision needs a new look).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlmodel import col, select

from contest.core import audit_log
from contest.core.context import Services
from contest.domain.integrity import STRENGTH_ORDER
from contest.errors import NotFound, ValidationFailed
from contest.integrity import signals as integrity
from contest.storage.db import transaction
from contest.storage.integrity_tables import IntegrityFlag, ReviewDecision
from contest.storage.tables import Participant, Round

Decision = Literal["cleared", "disqualified"]
DECISIONS: dict[str, Decision] = {"clear": "cleared", "cleared": "cleared",
                                  "disqualify": "disqualified", "disqualified": "disqualified"}


@dataclass
class ReviewItem:
    """One participant on a round's review list."""

    participant_id: str
    full_name: str
    unit_code: str
    strength: str  # the strongest flag: weak | medium | strong
    flags: list[IntegrityFlag] = field(default_factory=list)
    decision: ReviewDecision | None = None
    excluded: bool = False


def _excluded(flags: list[IntegrityFlag], decision: ReviewDecision | None) -> bool:
    if decision is not None and decision.decision == "disqualified":
        return True
    covered = decision.decided_at if decision is not None else None
    return any(f.strength == "strong" and (covered is None or f.created_at > covered)
               for f in flags)


async def _load(ctx: Services, round_id: int
                ) -> tuple[dict[str, list[IntegrityFlag]], dict[str, ReviewDecision]]:
    async with ctx.sm() as s:
        if await s.get(Round, round_id) is None:
            raise NotFound()
        flags = (await s.scalars(select(IntegrityFlag).where(IntegrityFlag.round_id == round_id)
                                 .order_by(col(IntegrityFlag.id)))).all()
        decisions = (await s.scalars(select(ReviewDecision).where(
            ReviewDecision.round_id == round_id))).all()
    by_pid: dict[str, list[IntegrityFlag]] = {}
    for f in flags:
        by_pid.setdefault(f.participant_id, []).append(f)
    return by_pid, {d.participant_id: d for d in decisions}


async def review_list(ctx: Services, round_id: int, scan: bool = True,
                      units: set[str] | None = None) -> list[ReviewItem]:
    """Flagged or decided participants of a round, strongest and undecided first; only those
    of `units` when given (a staff member's scope, contest.core.scope).

    Runs the round's integrity pass first unless scan is False; raises NotFound.
    """
    if scan:
        await integrity.scan_round(ctx, round_id)
    flags, decisions = await _load(ctx, round_id)
    pids = set(flags) | set(decisions)
    async with ctx.sm() as s:
        people = {p.id: p for p in (await s.scalars(select(Participant).where(
            col(Participant.id).in_(pids)))).all()} if pids else {}
    items = []
    for pid in pids:
        fl = flags.get(pid, [])
        p = people.get(pid)
        if units is not None and (p is None or p.unit_code not in units):
            continue
        items.append(ReviewItem(
            participant_id=pid, full_name=p.full_name if p else "",
            unit_code=p.unit_code if p else "",
            strength=max((f.strength for f in fl), key=lambda x: STRENGTH_ORDER[x], default="weak"),
            flags=fl, decision=decisions.get(pid), excluded=_excluded(fl, decisions.get(pid))))
    items.sort(key=lambda i: (i.decision is not None, -STRENGTH_ORDER[i.strength],
                              -len(i.flags), i.participant_id))
    return items


async def decide(ctx: Services, round_id: int, participant_id: str, decision: str, reason: str,
                 reviewer: str, ip: str | None = None,
                 units: set[str] | None = None) -> ReviewDecision:
    """Clear or disqualify a participant, recording reviewer, time and reason in the audit log.
    Only a participant of `units` when given (the reviewer's scope).

    Raises ValidationFailed (decision, reason), NotFound (round or participant, or out of scope).
    """
    problems: dict[str, str] = {}
    verdict = DECISIONS.get(decision)
    if verdict is None:
        problems["decision"] = "field.decision"
    reason = (reason or "").strip()
    if not 3 <= len(reason) <= 2000:
        problems["reason"] = "field.reason"
    if problems:
        raise ValidationFailed(fields=problems)
    assert verdict is not None
    now = ctx.now()
    async with transaction(ctx.sm) as s:
        r = await s.get(Round, round_id)
        p = await s.get(Participant, participant_id)
        if r is None or p is None or p.contest_id != r.contest_id or (
                units is not None and p.unit_code not in units):
            raise NotFound()
        flags = (await s.scalars(select(IntegrityFlag).where(
            IntegrityFlag.round_id == round_id,
            IntegrityFlag.participant_id == participant_id))).all()
        row = await s.get(ReviewDecision, (round_id, participant_id))
        previous = row.decision if row else None
        if row is None:
            row = ReviewDecision(round_id=round_id, participant_id=participant_id,
                                 decision=verdict, reason=reason, reviewer=reviewer, decided_at=now)
            s.add(row)
        else:
            row.decision, row.reason, row.reviewer, row.decided_at = verdict, reason, reviewer, now
        audit_log.record(s, now, reviewer, f"review.{verdict}",
                         f"round:{round_id}/participant:{participant_id}", ip,
                         reason=reason, previous=previous,
                         flags=[{"reason": f.reason, "strength": f.strength} for f in flags])
    return row


async def excluded_participants(ctx: Services, round_id: int, scan: bool = True) -> set[str]:
    """Participants of a round excluded from prizes: disqualified, or strongly flagged and not
    cleared since. Runs the integrity pass first unless scan is False; raises NotFound.
    """
    if scan:
        await integrity.scan_round(ctx, round_id)
    flags, decisions = await _load(ctx, round_id)
    return {pid for pid in set(flags) | set(decisions)
            if _excluded(flags.get(pid, []), decisions.get(pid))}


async def prize_eligibility(ctx: Services, round_id: int, participant_ids: list[str],
                            scan: bool = True) -> dict[str, bool]:
    """Whether each participant may receive a prize in the round; raises NotFound."""
    excluded = await excluded_participants(ctx, round_id, scan)
    return {pid: pid not in excluded for pid in participant_ids}


def item_out(item: ReviewItem, when: Any = None) -> dict[str, Any]:
    """A review list entry as JSON (for the API and the CLI)."""
    def iso(d: datetime | None) -> str | None:
        return d.isoformat() if d else None

    return {
        "participant_id": item.participant_id,
        "full_name": item.full_name,
        "unit_code": item.unit_code,
        "strength": item.strength,
        "excluded_from_prizes": item.excluded,
        "flags": [{"reason": f.reason, "strength": f.strength, "attempt_id": f.attempt_id or None,
                   "details": f.details, "created_at": iso(f.created_at)} for f in item.flags],
        "decision": None if item.decision is None else {
            "decision": item.decision.decision, "reason": item.decision.reason,
            "reviewer": item.decision.reviewer, "decided_at": iso(item.decision.decided_at)},
    }
