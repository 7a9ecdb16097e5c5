"""Item 4: a multi-attempt ranked round shows no score, rank or counted attempt before it
closes (by default), so resubmitting cannot be used to work out the key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text as text_sql

from contest.domain.policy import score_visible
from tests.conftest import REPO, World

EXAMPLE = REPO / "docs" / "examples" / "contest.yaml"

OPEN, CLOSE = datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 8, tzinfo=UTC)


@pytest.mark.parametrize("kind, attempts, setting, now, shown", [
    ("ranked", 1, None, OPEN, True),      # one attempt: nothing to compare with
    ("ranked", 2, None, OPEN, False),     # several attempts: after the close by default
    ("ranked", None, None, OPEN, False),  # unlimited
    ("ranked", 3, None, CLOSE, True),
    ("ranked", 3, "submit", OPEN, True),  # the organiser chose to show it at once
    ("ranked", 1, "close", OPEN, False),
    ("practice", None, None, OPEN, True),
])
def test_when_scores_are_shown(kind: str, attempts: int | None, setting: str | None,
                               now: datetime, shown: bool) -> None:
    assert score_visible(kind, attempts, setting, now, CLOSE) is shown


async def test_a_multi_attempt_round_hides_scores_until_it_closes(world: World) -> None:
    rid = await world.add_round(title="Nhiều lượt", max_attempts=3, score_shown=None)
    await world.register()
    paper = (await world.client.post(f"/api/v1/rounds/{rid}/attempts")).json()
    q = paper["questions"][0]
    await world.client.put(f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}",
                           json={"option_ids": [q["options"][0]["id"]]})
    done = await world.client.post(f"/api/v1/attempts/{paper['attempt_id']}/submit",
                                   json={"prediction": 5})
    body = done.json()
    assert done.status_code == 200
    assert (body["score"], body["rank"], body["counted"]) == (None, None, None)
    assert body["score_shown_at"] and body["max_score"] is not None
    again = (await world.client.get(f"/api/v1/attempts/{paper['attempt_id']}")).json()
    assert again["result"]["score"] is None
    me = (await world.client.get(f"/api/v1/rounds/{rid}/me")).json()
    assert me["rank"] is None and me["attempt"] is None
    assert [a["score"] for a in me["attempts"]] == [None]
    board = (await world.client.get(f"/api/v1/rounds/{rid}/leaderboard")).json()
    assert board["entries"] == [] and board["frozen"] is True
    around = (await world.client.get(f"/api/v1/rounds/{rid}/leaderboard/around-me")).json()
    assert around["entries"] == []

    world.clock.advance(24 * 3600 + 60)  # closed: everything appears
    me = (await world.client.get(f"/api/v1/rounds/{rid}/me")).json()
    assert me["rank"] == 1 and me["attempts"][0]["score"] is not None
    board = (await world.client.get(f"/api/v1/rounds/{rid}/leaderboard")).json()
    assert len(board["entries"]) == 1


async def test_an_organiser_may_show_scores_at_submit(world: World) -> None:
    rid = await world.add_round(title="Công khai", max_attempts=3, score_shown="submit",
                                closes_at=world.clock.now() + timedelta(days=1))
    await world.register()
    paper = (await world.client.post(f"/api/v1/rounds/{rid}/attempts")).json()
    done = (await world.client.post(f"/api/v1/attempts/{paper['attempt_id']}/submit",
                                    json={"prediction": 5})).json()
    assert done["score"] is not None and done["rank"] == 1


async def test_the_contest_file_carries_the_setting_and_refuses_a_bad_value(
        world: World, tmp_path: Path) -> None:
    from contest.setup import contest_as_code
    from contest.setup.contest_file import ContestFileInvalid

    text = EXAMPLE.read_text("utf-8").replace("../../", f"{REPO}/")
    world.clock.current = world.clock.current.replace(month=11, day=1)
    good = tmp_path / "good.yaml"
    good.write_text(text, "utf-8")
    await contest_as_code.load(world.ctx, good)
    async with world.ctx.sm() as s:
        shown = (await s.execute(text_sql(
            "SELECT score_shown FROM rounds WHERE title = 'Đợt 1'"))).scalar()
    assert shown == "close"
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("score_shown: close", "score_shown: always"), "utf-8")
    with pytest.raises(ContestFileInvalid, match="công bố điểm"):
        await contest_as_code.load(world.ctx, bad)
