"""Imports every table module so SQLModel.metadata knows them all (migrations, tests)."""

from __future__ import annotations

import contest.storage.integrity_tables  # noqa: F401
import contest.storage.results_tables  # noqa: F401
import contest.storage.console_tables  # noqa: F401
import contest.storage.tables  # noqa: F401
