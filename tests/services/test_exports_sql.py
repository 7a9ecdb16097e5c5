"""The set-based exports: PostgreSQL's COPY writes the same ranking CSV as the row writer."""

from __future__ import annotations

import pytest

from contest.domain import export_rows as xr
from contest.results import exports, finalise
from tests.conftest import REAL_DB, World
from tests.services.results_helpers import Person, seed_entries, set_round

pytestmark = pytest.mark.skipif(not REAL_DB, reason="COPY is PostgreSQL's")


async def body(chunks: object) -> bytes:
    return b"".join([c async for c in chunks])  # type: ignore[attr-defined]


async def test_copy_ranking_csv_equals_the_row_writer(world: World) -> None:
    ctx, rid = world.ctx, world.round_id
    await set_round(ctx, rid, prizes={
        "tiers": [{"code": "nhat", "name": "Giải \"Nhất\", đặc biệt", "count": 1}],
        "excluded_groups": ["hssv"], "min_score_milli": 1000})
    await seed_entries(ctx, rid, [
        Person("C1", 5000, name="Nguyễn Văn A, \"Tí\"", duration_ms=61_234),
        Person("C2", 4500, name="Lê Thị Ánh", group="hssv", prediction=None),
        Person("C3", 4500, name="Trần B", unit="BP-DONGXOAI", duration_ms=61_234),
        Person("C4", 0, name="Phạm C", unit="UNKNOWN-UNIT", max_score=10_000),
        Person("C5", 4500, name="Võ D", unit="BP-DONGXOAI", duration_ms=61_234)])
    world.clock.advance(24 * 3600 + 10)
    await finalise.finalise(ctx, rid)
    for codes in (None, {"BP-DONGXOAI"}, set()):
        rows = await body(exports.csv_bytes(xr.RANKING, exports.ranking_rows(ctx, rid, codes)))
        copied = await body(exports.ranking_csv_copy(ctx, rid, codes))
        assert copied == rows
    eligible = await body(exports.csv_bytes(xr.ELIGIBLE, exports.eligible_rows(ctx, rid)))
    assert await body(exports.eligible_csv(ctx, rid)) == eligible
    full = await body(exports.ranking_csv_copy(ctx, rid, None))
    assert '"Nguyễn Văn A, ""Tí"""'.encode() in full and b"\r\n" in full
