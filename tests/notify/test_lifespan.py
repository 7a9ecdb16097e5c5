"""The app's lifespan runs the outbox sender; a malformed channel list refuses to start."""

from __future__ import annotations

from dataclasses import replace

import pytest

from contest.app import create_app
from contest.core.context import Services
from contest.notify.outbox import NewMessage, enqueue
from contest.settings import SettingsError
from contest.storage.db import transaction
from tests.conftest import World
from tests.notify.conftest import Receiver
from tests.waiting import until


async def test_the_running_app_sends_in_the_background(world: World, receiver: Receiver) -> None:
    app = create_app(replace(world.ctx.settings, notify_interval_s=0.02), now=world.clock.now,
                     sweep=True)
    async with app.router.lifespan_context(app):
        ctx: Services = app.state.services
        async with transaction(ctx.sm) as s:
            await enqueue(s, ctx, [NewMessage("sms", "0912345678", "results",
                                              {"contest": "C", "round": "R"}, "bg:1")])
        await until(lambda: receiver.accepted, 5, "the sender delivered the message")
    assert [b["id"] for b in receiver.accepted] == ["bg:1"]


async def test_malformed_channels_refuse_to_start(world: World) -> None:
    app = create_app(replace(world.ctx.settings, notify_channels="sms=ftp://x"), sweep=False)
    with pytest.raises(SettingsError, match="unknown scheme"):
        async with app.router.lifespan_context(app):
            pass
