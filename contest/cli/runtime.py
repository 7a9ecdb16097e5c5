"""What every command group shares: settings from the environment (with the demo's own
keys) and the services opened around one command."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from contest.core.context import Services
from contest.errors import ContestError
from contest.i18n import t
from contest.settings import Settings
from contest.storage.db import make_engine, make_sessionmaker
from contest.storage.redis_client import make_redis

T = TypeVar("T")


async def with_services(settings: Settings, fn: Callable[[Services], Awaitable[Any]]) -> Any:
    """Run fn with services open on settings' database and Redis, then close them."""
    engine = make_engine(settings.database_url)
    redis = make_redis(settings.redis_url)
    try:
        return await fn(Services(settings=settings, sm=make_sessionmaker(engine), redis=redis))
    finally:
        await redis.aclose()
        await engine.dispose()


DEMO_SECRETS = "demo-secrets.json"
DEMO_WARNING = (
    "contest: DEMO MODE - plain HTTP, a demo contest and keys kept in {path}. Do not use it "
    "for a real contest: set SECRET_KEY, CONTEST_DATA_KEYS and CONTEST_LOOKUP_KEY and run "
    "without --demo (README, 'Running in production')."
)


def demo_folder(database_url: str) -> Path:
    """The demo's data folder: the SQLite file's folder, else ./var."""
    prefix = "sqlite+aiosqlite:///"
    if database_url.startswith(prefix) and not database_url.endswith(":memory:"):
        return Path(database_url[len(prefix):]).parent
    return Path("var")


def demo_secrets(folder: Path) -> dict[str, str]:
    """The demo's random cookie secret, data key and look-up key, made on first run and kept
    (owner-only) in folder, so a restart keeps sessions and can still read stored phones."""
    from contest.core.crypto import new_key

    path = folder / DEMO_SECRETS
    if path.exists():
        found: dict[str, str] = json.loads(path.read_text("utf-8"))
        return found
    folder.mkdir(parents=True, exist_ok=True)
    made = {"secret_key": secrets.token_urlsafe(48), "data_keys": new_key(),
            "lookup_key": secrets.token_urlsafe(48)}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(made, f)
    return made


def load_settings(demo: bool = False) -> Settings:
    """Settings from the environment. Without SECRET_KEY, the demo gets its own random keys
    (made once, kept in its data folder), and the other commands reuse them when a demo
    made them, so `contest staff create` and the data commands work on a demo database."""
    base = Settings.from_env()
    if os.environ.get("SECRET_KEY"):
        return base
    folder = demo_folder(base.database_url)
    if not demo and not (folder / DEMO_SECRETS).exists():
        return base
    keys = demo_secrets(folder)
    print(DEMO_WARNING.format(path=folder / DEMO_SECRETS), file=sys.stderr)
    return Settings.from_env(None, dev_mode=True, secret_key=keys["secret_key"],
                             data_keys=keys["data_keys"], lookup_key=keys["lookup_key"])


def run(fn: Callable[[Services], Awaitable[T]]) -> T:
    """Run fn with services open on the environment's settings; its result."""
    result: T = asyncio.run(with_services(load_settings(), fn))
    return result


def fail(exc: ContestError) -> int:
    """Print a ContestError in Vietnamese; the exit code 1."""
    print(f"contest: {t('error.' + exc.code, 'vi', **exc.params)}")
    return 1
