"""Item 3: a practice round never shows the key of a ranked round that has not closed."""

from __future__ import annotations

from pathlib import Path

import pytest

from contest.errors import ConfigInvalid
from contest.i18n import t
from contest.setup import contest_as_code, round_settings
from contest.setup.contest_file import ContestFileInvalid
from contest.storage.tables import Round
from tests.conftest import REPO, World

EXAMPLE = REPO / "docs" / "examples" / "contest.yaml"


async def _version(w: World) -> int:
    async with w.ctx.sm() as s:
        r = await s.get(Round, w.round_id)
    assert r is not None
    return r.bank_version_id


async def test_the_console_refuses_practice_on_the_bank_of_an_open_ranked_round(
        world: World) -> None:
    now = world.clock.now()
    rs = round_settings.RoundSettings(
        title="Ôn tập", opens_at=now, closes_at=now.replace(year=now.year + 1),
        bank_version_id=await _version(world), questions_per_attempt=5, kind="practice",
        max_attempts=None)
    async with world.ctx.sm() as s:
        contest_id = (await s.get(Round, world.round_id)).contest_id  # type: ignore[union-attr]
    with pytest.raises(ConfigInvalid) as refused:
        await round_settings.save_round(world.ctx, contest_id, None, rs, "staff:admin", None)
    detail = t("error.config_invalid", detail=refused.value.params["detail"])
    assert "Ôn tập" in detail and "Đợt thử" in detail


async def test_a_contest_file_with_both_rounds_on_one_bank_is_refused(
        world: World, tmp_path: Path) -> None:
    text = EXAMPLE.read_text("utf-8").replace("bank: pho-bien-giao-duc-phap-luat",
                                              "bank: hien-phap-2013")
    path = tmp_path / "contest.yaml"
    path.write_text(text.replace("../../", f"{REPO}/"), "utf-8")
    world.clock.current = world.clock.current.replace(month=11, day=1)
    with pytest.raises(ContestFileInvalid) as refused:
        await contest_as_code.load(world.ctx, path)
    assert "Thi thử" in str(refused.value) and "Đợt 1" in str(refused.value)


async def test_a_practice_review_is_held_back_while_a_ranked_round_on_its_bank_is_open(
        world: World) -> None:
    # a round inserted behind the checks' back (an old database, a direct SQL edit)
    rid = await world.add_round(kind="practice", max_attempts=None, prediction_prompt=None)
    await world.register()
    paper = (await world.client.post(f"/api/v1/rounds/{rid}/attempts")).json()
    q = paper["questions"][0]
    await world.client.put(f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}",
                           json={"option_ids": [q["options"][0]["id"]]})
    url = f"/api/v1/attempts/{paper['attempt_id']}/review"
    held = await world.client.get(url)
    assert held.status_code == 403 and held.json()["error"] == "review_not_available"
    assert "correct_option_ids" not in held.text
    world.clock.advance(24 * 3600 + 60)  # the ranked round closes
    assert (await world.client.get(url)).status_code == 200
