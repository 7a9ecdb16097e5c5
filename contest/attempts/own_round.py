"""What a participant sees of their own round: the counted attempt, every attempt, the live
rank, attempts left (an attempt past its deadline is finished first)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from contest.attempts.attempts import finish, round_of
from contest.attempts.views import expired
from contest.core.context import Services
from contest.domain.vocabulary import AttemptStatus, RoundKind
from contest.errors import NotFound
from contest.live import standings
from contest.storage.tables import Attempt, Participant, RoundEntry


async def attempts_of(ctx: Services, participant_id: str, round_id: int) -> list[Attempt]:
    """A participant's attempts in a round, oldest first."""
    async with ctx.sm() as s:
        return list(
            (
                await s.scalars(
                    select(Attempt)
                    .where(Attempt.participant_id == participant_id, Attempt.round_id == round_id)
                    .order_by(col(Attempt.number))
                )
            ).all()
        )


@dataclass(frozen=True)
class MyRound:
    """A participant's standing in a round: the counted attempt, all attempts, the rank."""

    counted: Attempt | None
    attempts: list[Attempt]
    rank: int | None
    prediction: int | None
    attempts_left: int | None


async def my_round(ctx: Services, participant_id: str, round_id: int) -> MyRound:
    """The participant's counted attempt, attempts and live rank; raises NotFound."""
    now = ctx.now()
    async with ctx.sm() as s:
        r = await round_of(s, round_id)
        participant = await s.get(Participant, participant_id)
        if participant is None or participant.contest_id != r.contest_id:
            raise NotFound()
        running = await s.scalar(
            select(Attempt).where(
                Attempt.participant_id == participant_id,
                Attempt.round_id == round_id,
                Attempt.status == AttemptStatus.RUNNING,
            )
        )
    if running is not None and expired(running, r, now):
        await finish(ctx, running.id, now, prediction=None, auto=True)
    attempts = await attempts_of(ctx, participant_id, round_id)
    async with ctx.sm() as s:
        entry = await s.get(RoundEntry, (round_id, participant_id))
    counted = next((a for a in attempts if entry and a.id == entry.counted_attempt_id), None)
    rank = (
        await standings.live_rank(ctx, round_id, participant_id)
        if counted and r.kind != RoundKind.PRACTICE
        else None
    )
    left = (
        None
        if r.max_attempts is None or r.kind == RoundKind.PRACTICE
        else max(0, r.max_attempts - len(attempts))
    )
    return MyRound(counted, attempts, rank, entry.prediction if entry else None, left)
