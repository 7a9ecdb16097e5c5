"""Winner notices (issue 16 item 9): after finalisation, one message per winner and round
with the prize and how to receive it, through the outbox; its state per person.

"Never twice" is the outbox's unique dedupe key `winner:<round>:<participant>`: pressing the
button again, or two officers pressing it at once, inserts nothing new (ON CONFLICT DO
NOTHING; on PostgreSQL the second transaction waits for the first and then skips).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlmodel import col, select

from contest.core import audit_log
from contest.core.context import Services
from contest.domain import documents
from contest.domain.phrase import Phrase
from contest.domain.vocabulary import PrizeKind, RoundKind
from contest.errors import ConfigInvalid, NotFound, RoundNotFinalised
from contest.notify.outbox import NewMessage, enqueue
from contest.notify.recipients import reach
from contest.results.result_rows import load_tree
from contest.storage.db import transaction
from contest.storage.notify_tables import OutboxMessage
from contest.storage.results_tables import PrizeAward
from contest.storage.tables import Contest, Participant, Round

BATCH = 500


def notice_key(round_id: int, participant_id: str) -> str:
    """The outbox dedupe key of a winner's notice: one per person and round."""
    return f"winner:{round_id}:{participant_id}"


@dataclass(frozen=True)
class Sent:
    """What one press of "send" did: new messages, ones queued before, people unreachable."""

    queued: int
    already: int
    unreachable: int


@dataclass(frozen=True)
class NoticeState:
    """A winner's notice as the console shows it."""

    state: str  # pending | sending | sent | failed (the outbox's states)
    channel: str
    at: datetime  # sent_at once sent, else when it was queued
    error: str | None


async def _round(ctx: Services, round_id: int) -> tuple[Round, Contest]:
    """The finalised ranked round and its contest; raises NotFound, RoundNotFinalised."""
    async with ctx.sm() as s:
        r = await s.get(Round, round_id)
        if r is None or r.kind != RoundKind.RANKED:
            raise NotFound()
        if r.finalised_at is None:
            raise RoundNotFinalised()
        c = await s.get(Contest, r.contest_id)
    assert c is not None
    return r, c


async def send(ctx: Services, round_id: int, actor: str) -> Sent:
    """Queue the notice of every individual winner of a finalised round not notified yet.

    Raises NotFound (no such ranked round) or RoundNotFinalised.
    """
    r, c = await _round(ctx, round_id)
    async with ctx.sm() as s:
        rows = (await s.execute(
            select(PrizeAward.tier_name, Participant)
            .join(Participant, col(Participant.id) == col(PrizeAward.participant_id))
            .where(col(PrizeAward.round_id) == round_id,
                   col(PrizeAward.kind) == PrizeKind.INDIVIDUAL)
            .order_by(col(PrizeAward.position)))).all()
        tree = await load_tree(s)
    prizes: dict[str, list[str]] = {}
    people: dict[str, Participant] = {}
    for tier, p in rows:  # a person may hold more than one prize of the round: one notice
        prizes.setdefault(p.id, [])
        if tier not in prizes[p.id]:
            prizes[p.id].append(tier)
        people[p.id] = p
    messages: list[NewMessage] = []
    unreachable = 0
    for pid, p in people.items():
        target = None if p.purged_at else reach(ctx.settings, p)
        if target is None:
            unreachable += 1
            continue
        claim = documents.claim_text(c.documents, tree.chains.get(p.unit_code, (p.unit_code,)))
        params = {"contest": c.title, "round": r.title, "prize": ", ".join(prizes[pid]),
                  "claim": claim}
        messages.append(NewMessage(target[0], target[1], "winner", params,
                                   notice_key(round_id, pid), pid, p.unit_code))
    queued = 0
    async with transaction(ctx.sm) as s:
        for i in range(0, len(messages), BATCH):
            queued += await enqueue(s, ctx, messages[i:i + BATCH])
        audit_log.record(s, ctx.now(), actor, "results.notify", f"round:{round_id}",
                         queued=queued, already=len(messages) - queued,
                         unreachable=unreachable)
    return Sent(queued, len(messages) - queued, unreachable)


async def states(ctx: Services, round_id: int, participant_ids: Iterable[str]
                 ) -> dict[str, NoticeState]:
    """The notice of each of these winners that has been queued, by participant id."""
    keys = {notice_key(round_id, pid): pid for pid in participant_ids}
    if not keys:
        return {}
    async with ctx.sm() as s:
        rows = (await s.execute(  # six columns: sqlmodel's typed select stops at four
            sa_select(col(OutboxMessage.dedupe_key), col(OutboxMessage.state),
                      col(OutboxMessage.channel), col(OutboxMessage.sent_at),
                      col(OutboxMessage.created_at), col(OutboxMessage.last_error))
            .where(col(OutboxMessage.dedupe_key).in_(list(keys))))).all()
    return {keys[key]: NoticeState(state, channel, sent_at or created_at, error)
            for key, state, channel, sent_at, created_at, error in rows}


async def set_claim(ctx: Services, contest_id: int, text: str, actor: str) -> None:
    """Set the contest's "how to receive the prize" text (empty: the default); audited.

    Raises NotFound (no contest) or ConfigInvalid (too long).
    """
    clean = " ".join(text.split())
    if len(clean) > documents.CLAIM_MAX:
        raise ConfigInvalid(detail=Phrase("detail.notice.claim_too_long",
                                          max=documents.CLAIM_MAX))
    async with transaction(ctx.sm) as s:
        c = await s.get(Contest, contest_id)
        if c is None:
            raise NotFound()
        doc = dict(c.documents or {})
        if clean:
            doc[documents.CLAIM] = clean
        else:
            doc.pop(documents.CLAIM, None)
        c.documents = doc  # a new dict, so the JSON column is written
        s.add(c)
        audit_log.record(s, ctx.now(), actor, "contest.prize_claim", f"contest:{contest_id}",
                         text=clean)


async def claim_of(ctx: Services, contest_id: int) -> str:
    """The contest's own "how to receive the prize" text ('' when the default applies)."""
    async with ctx.sm() as s:
        c = await s.get(Contest, contest_id)
    return str((c.documents or {}).get(documents.CLAIM, "")) if c else ""
