"""The background sender: delivers due outbox messages and schedules reminders (issue 15)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from contest.core.context import Services
from contest.notify import announcements, reminders
from contest.notify.channels import channels, log
from contest.notify.outbox import BATCH, deliver_due


async def _run(ctx: Services) -> None:
    """Deliver due messages and enqueue due reminders, forever (cancelled at shutdown)."""
    loop = asyncio.get_running_loop()
    next_reminders = 0.0
    while True:
        try:
            if loop.time() >= next_reminders:
                next_reminders = loop.time() + ctx.settings.reminder_interval_s
                await reminders.schedule(ctx)
                await announcements.schedule(ctx)
            while sum((await deliver_due(ctx)).values()) >= BATCH:
                pass  # a full batch: more may be due, keep going before sleeping
        except Exception:  # keep going: a passing DB or Redis outage must not end the task
            log.exception("outbox pass failed; retrying")
        await asyncio.sleep(ctx.settings.notify_interval_s)


@contextlib.asynccontextmanager
async def running(ctx: Services, enabled: bool = True) -> AsyncIterator[None]:
    """Run the outbox sender (and reminder scheduler) while the block runs.

    Raises SettingsError when CONTEST_NOTIFY_CHANNELS is malformed.
    """
    channels(ctx.settings)  # refuse to start with a malformed channel list
    task = asyncio.create_task(_run(ctx)) if enabled else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
