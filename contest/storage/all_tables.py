"""Imports every table module so SQLModel.metadata knows them all (migrations, tests)."""

from __future__ import annotations

import contest.storage.console_tables
import contest.storage.integrity_tables
import contest.storage.notify_tables
import contest.storage.results_tables
import contest.storage.tables  # noqa: F401
