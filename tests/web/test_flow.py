"""The participant flow end to end through the HTTP API."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import World


async def start(w: World, client: httpx.AsyncClient | None = None) -> dict[str, Any]:
    resp = await (client or w.client).post(f"/api/v1/rounds/{w.round_id}/attempts")
    assert resp.status_code in (200, 201), resp.text
    data: dict[str, Any] = resp.json()
    return data


async def test_register_start_save_submit_rank(world: World) -> None:
    resp = await world.register()
    assert resp.status_code == 201, resp.text
    assert resp.json()["participant_id"]

    resp = await world.client.post(f"/api/v1/rounds/{world.round_id}/attempts")
    assert resp.status_code == 201
    paper = resp.json()
    assert len(paper["questions"]) == 5
    assert paper["prediction"] == {"prompt": "Bao nhiêu người tham gia?"}
    assert paper["deadline"] > paper["started_at"]

    q = paper["questions"][0]
    put = await world.client.put(
        f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}",
        json={"option_ids": [q["options"][0]["id"]]})
    assert put.status_code == 200, put.text
    assert put.json()["option_ids"] == [q["options"][0]["id"]]

    world.clock.advance(42.5)
    sub = await world.client.post(f"/api/v1/attempts/{paper['attempt_id']}/submit",
                                  json={"prediction": 1000})
    assert sub.status_code == 200, sub.text
    result = sub.json()
    assert result["max_score"] == 5
    assert 0 <= result["score"] <= 5
    assert result["duration_ms"] == 42500
    assert result["counted"] is True
    assert result["rank"] == 1

    me = (await world.client.get(f"/api/v1/rounds/{world.round_id}/me")).json()
    assert me["rank"] == 1
    assert me["attempt"]["attempt_id"] == paper["attempt_id"]

    board = (await world.client.get(f"/api/v1/rounds/{world.round_id}/leaderboard")).json()
    assert board["total"] == 1
    assert board["entries"][0]["name"] == "Nguyễn T. B. N."
    assert board["entries"][0]["unit"] == "Trường THPT Bù Đăng"
