"""Settings: read from the environment, refuse unsafe values, every one documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from contest.app import create_app
from contest.settings import DEV_SECRET, Settings, SettingsError, settings_table

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_setting_is_in_the_readme_table() -> None:
    text = README.read_text("utf-8")
    missing = [env for env, _, _ in settings_table() if f"| `{env}` |" not in text]
    assert not missing, f"settings missing from the README's settings table: {missing}"


def test_reads_environment_with_types() -> None:
    s = Settings.from_env(
        {
            "DATABASE_URL": "postgresql+asyncpg://x/y",
            "WEB_CONCURRENCY": "3",
            "CONTEST_DEV": "1",
            "CONTEST_SWEEP_INTERVAL": "0.5",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert s.database_url == "postgresql+asyncpg://x/y"
    assert s.workers == 3 and s.dev_mode is True and s.sweep_interval_s == 0.5
    assert s.embedded_redis is False


def test_malformed_number_is_named() -> None:
    with pytest.raises(SettingsError, match="WEB_CONCURRENCY"):
        Settings.from_env({"WEB_CONCURRENCY": "many"})


def test_default_secret_refused_outside_dev() -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        Settings(secret_key=DEV_SECRET).check()
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        create_app(Settings(secret_key="short"))


def test_several_workers_need_a_real_redis() -> None:
    with pytest.raises(SettingsError, match="REDIS_URL"):
        Settings(dev_mode=True, workers=4).check()
    Settings(dev_mode=True, workers=4, redis_url="redis://127.0.0.1:6379/0").check()


def test_unknown_time_zone_refused() -> None:
    with pytest.raises(SettingsError, match="CONTEST_TZ"):
        Settings(dev_mode=True, timezone="Mars/Olympus").check()
