"""What every service needs: the SQL sessions, the live boards, settings and the clock."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contest.domain.draw import DrawQuestion, QuestionText
from contest.settings import Settings
from contest.storage.live import LiveBoards

if TYPE_CHECKING:
    from contest.core.paper_cache import PaperCache
    from contest.storage.answer_writes import AnswerWriter
    from contest.storage.start_writes import PostgresStarter

log = logging.getLogger("contest")


def utc_now() -> datetime:
    """The server's clock, the only one the engine trusts."""
    return datetime.now(UTC)


@dataclass
class Services:
    """Shared handles, opened in the app's lifespan; caches hold immutable data only."""

    settings: Settings
    sm: async_sessionmaker[AsyncSession]
    redis: aioredis.Redis
    now: Callable[[], datetime] = utc_now
    boards: LiveBoards = field(init=False)
    # (bank version id, question set or None) -> the draw's view of its questions (bank
    # versions never change)
    bank_cache: dict[tuple[int, str | None], list[DrawQuestion]] = field(default_factory=dict)
    # bank version id -> question id -> what participants read (texts never change either)
    text_cache: dict[int, dict[int, QuestionText]] = field(default_factory=dict)
    # unit code -> (codes of the unit and its ancestors), refreshed when the tree is loaded
    unit_chains: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # rounds whose boards missed an update while Redis was unreachable
    stale_rounds: set[int] = field(default_factory=set)

    # attempt id -> its immutable paper and facts, for answer saves (bounded LRU)
    papers: PaperCache = field(init=False)
    # the one-statement answer upsert (asyncpg on PostgreSQL), opened lazily
    answer_writer: AnswerWriter = field(init=False)
    # a first start's two statements (asyncpg on PostgreSQL; None on SQLite), opened lazily
    starter: PostgresStarter | None = field(init=False)

    def __post_init__(self) -> None:
        from contest.core.paper_cache import PaperCache
        from contest.storage.answer_writes import make_answer_writer
        from contest.storage.start_writes import make_starter

        self.boards = LiveBoards(self.redis)
        self.papers = PaperCache()
        engine = self.sm.kw["bind"]
        self.answer_writer = make_answer_writer(engine)
        self.starter = make_starter(engine)

    async def close(self) -> None:
        """Release what the services opened themselves (the writers' pools)."""
        await self.answer_writer.close()
        if self.starter is not None:
            await self.starter.close()
