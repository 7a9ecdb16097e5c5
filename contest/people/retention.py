"""Retention purge: a finished contest's personal data removed, anonymous statistics kept.

A contest is due when its last round closed more than CONTEST_RETENTION_DAYS days ago. For each
of its participants not yet purged, the purge removes: phone (ciphertext and keyed hash, so the
number can register again), CCCD (ciphertext and hash), e-mail, the full name (replaced by a
neutral placeholder), the password hash (the account can no longer log in), the gender and the
day and month of birth; and, from the integrity signals, the IP address, device id and browser
string. It keeps what anonymous statistics need: the participant's opaque id, unit, group, birth
year (stored as 1 January of that year), consent version and date, every attempt with its
score and timings, and whether the attempt came from a phone (the browser string is reduced to
"Mobi" or nothing). Each purged contest gets one `data.purge` audit event; a second run finds
nothing left to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import delete, func, update
from sqlmodel import col, select

from contest.core import audit_log
from contest.core.context import Services
from contest.domain.devices import is_mobile
from contest.storage.db import transaction
from contest.storage.integrity_tables import AttemptSignals
from contest.storage.notify_tables import OutboxMessage, PasswordReset
from contest.storage.tables import Attempt, Contest, Participant, Round

PLACEHOLDER_NAME = "Người dự thi (đã xóa dữ liệu)"
# Not an argon2 hash: verification fails with InvalidHash, so nobody can log in with it.
PURGED_PASSWORD = "!purged"
BATCH = 500


@dataclass
class ContestPurge:
    """One contest due for the purge and how many participants it had (or has) to purge."""

    contest_id: int
    slug: str
    last_close: str
    participants: int


@dataclass
class PurgeReport:
    """What a purge did (or, for a dry run, would do)."""

    dry_run: bool
    contests: list[ContestPurge] = field(default_factory=list)

    @property
    def participants(self) -> int:
        """Participants purged (or to purge) in total."""
        return sum(c.participants for c in self.contests)


async def due_contests(ctx: Services) -> list[tuple[Contest, str]]:
    """Contests whose last round closed more than the retention period ago, with that time."""
    cutoff = ctx.now() - timedelta(days=ctx.settings.retention_days)
    async with ctx.sm() as s:
        rows = (await s.execute(
            select(Contest, func.max(col(Round.closes_at)))
            .join(Round, col(Round.contest_id) == Contest.id)
            .group_by(col(Contest.id)).order_by(col(Contest.id)))).all()
    return [(c, last.isoformat()) for c, last in rows if last is not None and last < cutoff]


async def purge(ctx: Services, dry_run: bool = False, actor: str = "cli") -> PurgeReport:
    """Purge the personal data of every due contest's participants, in batches; audited."""
    report = PurgeReport(dry_run)
    for contest, last_close in await due_contests(ctx):
        assert contest.id is not None
        async with ctx.sm() as s:
            todo = int(await s.scalar(
                select(func.count()).select_from(Participant)
                .where(col(Participant.contest_id) == contest.id,
                       col(Participant.purged_at).is_(None))) or 0)
        if todo == 0:
            continue
        report.contests.append(ContestPurge(contest.id, contest.slug, last_close, todo))
        if dry_run:
            continue
        done = 0
        while True:
            n = await _purge_batch(ctx, contest.id)
            done += n
            if n < BATCH:
                break
        async with transaction(ctx.sm) as s:
            audit_log.record(s, ctx.now(), actor, "data.purge", f"contest:{contest.id}",
                             participants=done, last_round_closed=last_close,
                             retention_days=ctx.settings.retention_days)
        report.contests[-1].participants = done
    return report


async def _purge_batch(ctx: Services, contest_id: int) -> int:
    """Purge up to BATCH not-yet-purged participants of a contest; returns how many."""
    now = ctx.now()
    async with transaction(ctx.sm) as s:
        rows = (await s.execute(
            select(col(Participant.id), col(Participant.birth_date))
            .where(col(Participant.contest_id) == contest_id, col(Participant.purged_at).is_(None))
            .order_by(col(Participant.id)).limit(BATCH))).all()
        if not rows:
            return 0
        ids = [pid for pid, _ in rows]
        by_year: dict[int, list[str]] = {}
        for pid, born in rows:
            by_year.setdefault(born.year, []).append(pid)
        for year, pids in by_year.items():
            await s.execute(
                update(Participant).where(col(Participant.id).in_(pids)).values(
                    phone_hash=None, phone_enc=None, id_number_enc=None, id_number_hash=None,
                    email_enc=None, full_name=PLACEHOLDER_NAME, password_hash=PURGED_PASSWORD,
                    gender=None, birth_date=date(year, 1, 1), purged_at=now))
        await s.execute(update(AttemptSignals).where(col(AttemptSignals.participant_id).in_(ids))
                        .values(ip=None, device=None, user_agent=None))
        # issue 15: messages to them (addresses) and their reset codes go too
        await s.execute(delete(OutboxMessage).where(col(OutboxMessage.participant_id).in_(ids)))
        await s.execute(delete(PasswordReset).where(col(PasswordReset.participant_id).in_(ids)))
        agents = (await s.execute(select(Attempt.id, Attempt.user_agent)
                                  .where(col(Attempt.participant_id).in_(ids),
                                         col(Attempt.user_agent).is_not(None)))).all()
        mobile = [aid for aid, ua in agents if is_mobile(ua)]
        other = [aid for aid, ua in agents if not is_mobile(ua)]
        if mobile:
            await s.execute(update(Attempt).where(col(Attempt.id).in_(mobile))
                            .values(user_agent="Mobi"))
        if other:
            await s.execute(update(Attempt).where(col(Attempt.id).in_(other))
                            .values(user_agent=None))
    return len(rows)
