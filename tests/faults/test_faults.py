"""Fault tolerance under load, on private PostgreSQL and Redis servers started for the test
(the shared ones are never touched): the drills of bench/faults.py at a small size.

Real servers only: skipped in the embedded run (no REDIS_URL) and where the PostgreSQL server
binaries or redis-server are not installed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench import faults
from bench.servers import have_private_postgres, have_redis_server
from tests.conftest import REAL_REDIS

pytestmark = [
    pytest.mark.skipif(not REAL_REDIS, reason="fault drills run in the real-server run"),
    pytest.mark.skipif(not (have_private_postgres() and have_redis_server()),
                       reason="needs PostgreSQL server binaries and redis-server"),
]


@pytest.fixture(scope="module")
def stage() -> Iterator[faults.Stage]:
    """Private PostgreSQL + Redis with a seeded contest, one round per drill; citizens think
    briefly so each drill's attempts finish within seconds."""
    think = faults.THINK_S
    faults.THINK_S = 0.02
    try:
        with faults.stage_up(participants=400) as st:
            yield st
    finally:
        faults.THINK_S = think


def test_kill_worker_loses_nothing_and_keeps_deadlines(stage: faults.Stage) -> None:
    """kill -9 of a worker mid-load: clients retry; acknowledged saves, deadlines and the
    one-attempt rule survive, and the supervisor replaces the worker."""
    r = faults.kill_worker(stage, citizens=20, seconds=6)
    assert r.figures["killed_pid"], "no worker was killed"
    assert r.figures["workers_after"] == 2
    assert r.figures["resume_mismatch"] == 0
    assert r.reconciliation["checked"]["acknowledged saves"] > 0
    assert r.ok, r.reconciliation


def test_redis_restarted_empty_boards_rebuilt_equal_sql(stage: faults.Stage) -> None:
    """Redis killed and started empty mid-round: submits go on and the board equals SQL."""
    r = faults.redis_restart(stage, citizens=20, seconds=6, down_s=1.0)
    assert r.reconciliation["checked"]["submitted attempts"] > 0
    assert r.reconciliation["checked"]["board entries"] == \
        r.reconciliation["checked"]["submitted attempts"]
    assert r.ok, r.reconciliation


def test_postgres_outage_is_a_quick_503_and_recovers(stage: faults.Stage) -> None:
    """PostgreSQL stopped: answers are 503 `unavailable` within seconds, never 500 or a
    hang, and the service answers 200 again by itself once PostgreSQL is back."""
    r = faults.postgres_outage(stage, citizens=10, seconds=12, down_s=5)
    f = r.figures
    assert f["probe_statuses_during"] == [503], f
    assert f["probe_error_codes_during"] == ["unavailable"], f
    assert f["probe_max_latency_during_ms"] < 5000, f
    assert f["probe_500s"] == 0
    assert f["recovered_after_s"] is not None and f["recovered_after_s"] < 15, f
    assert r.ok, r.reconciliation


def test_slow_sse_client_does_not_block_others(stage: faults.Stage) -> None:
    """200 never-read leaderboard streams: other citizens still finish their attempts."""
    r = faults.slow_sse(stage, citizens=10, seconds=4, slow=200)
    f = r.figures
    assert f["attempts_per_min_with"] > 0
    assert f["answer_p99_ms_with"] < 5000, f
    assert r.ok, r.reconciliation
