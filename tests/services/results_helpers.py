"""Seeding finished rounds straight into SQL for the results tests (no HTTP round trips)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from contest.core.context import Services
from contest.core.crypto import cipher
from contest.storage.db import transaction
from contest.storage.tables import Attempt, Participant, Round, RoundEntry


@dataclass(frozen=True)
class Person:
    """One entrant of a seeded round."""

    pid: str
    score: int
    duration_ms: int = 60_000
    prediction: int | None = 1
    unit: str = "BP-BUDANG-THPT"
    group: str = "tudo"
    name: str = "Nguyễn Thị Bích Ngọc"
    birth: date = date(1990, 5, 21)
    submitted_after_s: int = 100
    max_score: int = 5000
    phone: str | None = None


async def seed_entries(ctx: Services, round_id: int, people: list[Person],
                       contest_id: int | None = None) -> None:
    """Participants with one submitted, counted attempt each in the round."""
    async with transaction(ctx.sm) as s:
        r = await s.get(Round, round_id)
        assert r is not None
        cid = contest_id or r.contest_id
        data = cipher(ctx.settings)
        for i, p in enumerate(people):
            if await s.get(Participant, p.pid) is None:
                phone = p.phone or f"09{i:08d}"
                s.add(Participant(
                    id=p.pid, contest_id=cid, phone_hash=data.lookup("phone", phone),
                    phone_enc=data.encrypt(phone),
                    password_hash="x", full_name=p.name, birth_date=p.birth,
                    unit_code=p.unit, group_code=p.group, consent_at=r.opens_at,
                    created_at=r.opens_at))
        await s.flush()
        for p in people:
            sub: datetime = r.opens_at + timedelta(seconds=p.submitted_after_s)
            aid = f"a{round_id}-{p.pid}"[:32]
            s.add(Attempt(id=aid, round_id=round_id, participant_id=p.pid, number=1,
                          status="submitted",
                          started_at=sub - timedelta(milliseconds=p.duration_ms),
                          deadline=sub + timedelta(minutes=5), submitted_at=sub,
                          score_milli=p.score, max_score_milli=p.max_score,
                          duration_ms=p.duration_ms, prediction=p.prediction))
            await s.flush()
            s.add(RoundEntry(round_id=round_id, participant_id=p.pid, prediction=p.prediction,
                             counted_attempt_id=aid, attempts_submitted=1))


async def set_round(ctx: Services, round_id: int, **values: Any) -> None:
    """Update a round's columns (prize structure, chain, window)."""
    async with transaction(ctx.sm) as s:
        r = await s.get(Round, round_id)
        assert r is not None
        for k, v in values.items():
            setattr(r, k, v)
