"""A served process sets its garbage collector for a server (contest.core.gc_tuning); run in
a child process, since freezing the test process's objects would keep its garbage."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

_PROBE = """
import gc, json
from contest.app import factory
factory()
print(json.dumps({"threshold": gc.get_threshold(), "frozen": gc.get_freeze_count()}))
"""


@pytest.mark.parametrize(("setting", "young"), [(None, 20000), ("5000", 5000), ("0", 700)])
def test_the_served_process_freezes_startup_and_spaces_young_passes(
        setting: str | None, young: int, tmp_path: object) -> None:
    env = {**os.environ, "CONTEST_DEV": "1",
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/gc.sqlite3"}
    env.pop("CONTEST_GC_THRESHOLD", None)
    if setting is not None:
        env["CONTEST_GC_THRESHOLD"] = setting
    out = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True,
                         text=True, timeout=60, check=True)
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    assert probe["threshold"][0] == young
    assert probe["frozen"] > 50_000  # the imports' functions, types and constants
