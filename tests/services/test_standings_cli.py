"""`contest leaderboard freeze|reveal|rebuild` against the test's database."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from contest.cli import main as cli
from contest.storage.tables import Round
from tests.conftest import World


async def run(*argv: str) -> int:
    return await asyncio.to_thread(cli.main, list(argv))


async def test_freeze_reveal_rebuild_commands(world: World, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATABASE_URL", world.ctx.settings.database_url)
    if world.ctx.settings.redis_url:
        monkeypatch.setenv("REDIS_URL", world.ctx.settings.redis_url)
    rid = str(world.round_id)
    assert await run("leaderboard", "freeze", "--round", rid, "--hours-before-close", "2") == 0
    async with world.ctx.sm() as s:
        r = await s.get(Round, world.round_id, populate_existing=True)
    assert r is not None and r.board_frozen_at == r.closes_at - timedelta(hours=2)
    assert "frozen from" in capsys.readouterr().out
    assert await run("leaderboard", "freeze", "--round", rid, "--at",
                     "2026-11-20T11:00") == 0  # a bare time is Asia/Ho_Chi_Minh
    async with world.ctx.sm() as s:
        r = await s.get(Round, world.round_id, populate_existing=True)
    assert r is not None and r.board_frozen_at is not None
    assert r.board_frozen_at.isoformat() == "2026-11-20T04:00:00+00:00"
    assert await run("leaderboard", "freeze", "--round", rid, "--at", "next tuesday") == 2
    assert await run("leaderboard", "freeze", "--round", rid, "--hours-before-close", "0") == 2
    assert await run("leaderboard", "reveal", "--round", rid) == 0
    async with world.ctx.sm() as s:
        r = await s.get(Round, world.round_id, populate_existing=True)
    assert r is not None and r.board_frozen_at is None
    assert await run("leaderboard", "reveal", "--round", "424242") == 1
    assert await run("leaderboard", "rebuild", "--round", rid) == 0
    assert "0 entries rebuilt" in capsys.readouterr().out


async def test_rebuild_command_explains_a_busy_lock_and_an_unknown_round(
        world: World, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATABASE_URL", world.ctx.settings.database_url)
    assert await run("leaderboard", "rebuild", "--round", "424242") == 1
    assert "not found" in capsys.readouterr().out
    if not world.ctx.settings.redis_url:
        return  # the command's embedded Redis is its own: the lock is shared on REDIS_URL
    monkeypatch.setenv("REDIS_URL", world.ctx.settings.redis_url)
    token = await world.ctx.boards.begin_rebuild(world.round_id)
    assert await run("leaderboard", "rebuild", "--round", str(world.round_id)) == 1
    assert "being rebuilt by another process" in capsys.readouterr().out
    await world.ctx.boards.abort_rebuild(world.round_id, token)
