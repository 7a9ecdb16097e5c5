"""Announcements (issue 16 item 11): short notices on the contest page (results published, a
round moved, a question corrected), optionally sent through the outbox.

Sending is not done in the organiser's request: an announcement marked `notify` is picked up
by the outbox task's pass (`schedule`), which enqueues one message per participant who opted
in to reminders, in batches, with the dedupe key `announce:<id>:<participant>`; any number
of workers may run the pass, and a finished one sets `notified_at`. Unpublishing withdraws
the messages not sent yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import col, select

from contest.core import audit_log
from contest.core.context import Services
from contest.domain.phrase import Phrase
from contest.domain.vocabulary import OutboxState
from contest.errors import ConfigInvalid, NotFound
from contest.notify.outbox import NewMessage, enqueue
from contest.notify.recipients import reach
from contest.storage.db import transaction
from contest.storage.notify_tables import Announcement, OutboxMessage
from contest.storage.tables import Contest, Participant, Round

TITLE_MAX = 160
BODY_MAX = 2000
MESSAGE_BODY_MAX = 300  # the outbox text is a summary: SMS are short, the page has it all
PUBLIC_LIMIT = 20
BATCH = 500


@dataclass(frozen=True)
class Draft:
    """An announcement as the organiser wrote it."""

    title: str
    body: str
    round_id: int | None = None
    notify: bool = False


@dataclass(frozen=True)
class Shown:
    """An announcement with the title of its round (if any)."""

    item: Announcement
    round_title: str | None


def key(announcement_id: int, participant_id: str) -> str:
    """The outbox dedupe key of an announcement's message to one person."""
    return f"announce:{announcement_id}:{participant_id}"


def summary(body: str, limit: int = MESSAGE_BODY_MAX) -> str:
    """The body on one line, cut at a word boundary to at most limit characters."""
    text = " ".join(body.split())
    if len(text) <= limit:
        return text
    return text[:limit - 1].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"


def _checked(d: Draft) -> Draft:
    """The draft trimmed; raises ConfigInvalid for an empty or too long title or body."""
    title = " ".join(d.title.split())
    body = "\n".join(line.rstrip() for line in d.body.strip().splitlines())
    if not title or len(title) > TITLE_MAX:
        raise ConfigInvalid(detail=Phrase("detail.announcement.title_length", max=TITLE_MAX))
    if not body or len(body) > BODY_MAX:
        raise ConfigInvalid(detail=Phrase("detail.announcement.body_length", max=BODY_MAX))
    return Draft(title, body, d.round_id, d.notify)


async def publish(ctx: Services, contest_id: int, draft: Draft, actor: str) -> int:
    """Publish a new announcement now; its id. Audited.

    Raises NotFound (no contest) or ConfigInvalid (bad text, a round of another contest).
    """
    d = _checked(draft)
    now = ctx.now()
    async with transaction(ctx.sm) as s:
        if await s.get(Contest, contest_id) is None:
            raise NotFound()
        if d.round_id is not None:
            r = await s.get(Round, d.round_id)
            if r is None or r.contest_id != contest_id:
                raise ConfigInvalid(detail=Phrase("detail.round_of_another_contest"))
        a = Announcement(contest_id=contest_id, round_id=d.round_id, title=d.title,
                         body=d.body, created_at=now, created_by=actor, published_at=now,
                         notify=d.notify)
        s.add(a)
        await s.flush()
        assert a.id is not None
        audit_log.record(s, now, actor, "announcement.publish", f"announcement:{a.id}",
                         contest_id=contest_id, title=d.title, notify=d.notify)
        return a.id


async def set_published(ctx: Services, contest_id: int, announcement_id: int, published: bool,
                        actor: str) -> None:
    """Show (again) or hide an announcement of the contest; hiding withdraws its messages not
    sent yet. Audited. Raises NotFound."""
    now = ctx.now()
    async with transaction(ctx.sm) as s:
        a = await s.get(Announcement, announcement_id)
        if a is None or a.contest_id != contest_id:
            raise NotFound()
        a.published_at = now if published else None
        s.add(a)
        withdrawn = 0
        if not published:
            result = await s.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.dedupe_key).startswith(f"announce:{announcement_id}:"),
                       col(OutboxMessage.state) == OutboxState.PENDING)
                .values(state=OutboxState.FAILED,
                        last_error="withdrawn: the announcement was hidden"))
            withdrawn = int(result.rowcount or 0)  # type: ignore[attr-defined]
        audit_log.record(s, now, actor,
                         "announcement.publish" if published else "announcement.unpublish",
                         f"announcement:{announcement_id}", contest_id=contest_id,
                         withdrawn=withdrawn)


async def listing(ctx: Services, contest_id: int, only_published: bool = False,
                  limit: int = 200) -> list[Shown]:
    """The contest's announcements, newest first (published ones by publication time)."""
    q = (select(Announcement, Round.title)
         .outerjoin(Round, col(Round.id) == col(Announcement.round_id))
         .where(col(Announcement.contest_id) == contest_id))
    if only_published:
        q = q.where(col(Announcement.published_at).is_not(None)).order_by(
            col(Announcement.published_at).desc(), col(Announcement.id).desc())
    else:
        q = q.order_by(col(Announcement.id).desc())
    async with ctx.sm() as s:
        rows = (await s.execute(q.limit(limit))).all()
    return [Shown(a, title) for a, title in rows]


async def public(ctx: Services, contest_id: int) -> list[Shown]:
    """What the contest page shows: the newest published announcements."""
    return await listing(ctx, contest_id, only_published=True, limit=PUBLIC_LIMIT)


async def schedule(ctx: Services) -> int:
    """Enqueue the messages of published announcements marked notify and not sent yet; how
    many messages were new."""
    async with ctx.sm() as s:
        due = (await s.execute(
            select(Announcement, Contest.title)
            .join(Contest, col(Contest.id) == col(Announcement.contest_id))
            .where(col(Announcement.notify), col(Announcement.notified_at).is_(None),
                   col(Announcement.published_at).is_not(None)))).all()
    total = 0
    for a, title in due:
        total += await _pass(ctx, a, title)
    return total


async def _pass(ctx: Services, a: Announcement, contest_title: str) -> int:
    """Enqueue one announcement to every opted-in participant, a batch at a time."""
    assert a.id is not None
    # the template puts a full stop after the title: do not double one the title has
    params = {"contest": contest_title, "title": a.title.rstrip(" ."), "body": summary(a.body)}
    query = select(Participant).where(col(Participant.contest_id) == a.contest_id,
                                      col(Participant.reminders),
                                      col(Participant.purged_at).is_(None))
    total, after = 0, ""
    while True:
        async with ctx.sm() as s:
            batch = (await s.scalars(query.where(col(Participant.id) > after)
                                     .order_by(col(Participant.id)).limit(BATCH))).all()
            still = await s.scalar(select(Announcement.published_at)
                                   .where(col(Announcement.id) == a.id))
        if not batch or still is None:  # done, or hidden meanwhile: stop sending
            break
        after = batch[-1].id
        messages = []
        for p in batch:
            found = reach(ctx.settings, p, prefer_email=True)
            if found is not None:
                messages.append(NewMessage(found[0], found[1], "announcement", params,
                                           key(a.id, p.id), p.id, p.unit_code))
        async with transaction(ctx.sm) as s:
            total += await enqueue(s, ctx, messages)
    async with transaction(ctx.sm) as s:
        await s.execute(update(Announcement)
                        .where(col(Announcement.id) == a.id,
                               col(Announcement.published_at).is_not(None),
                               col(Announcement.notified_at).is_(None))
                        .values(notified_at=ctx.now()))
    return total
