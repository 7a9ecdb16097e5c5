"""One locked prediction per person and round: a later attempt may omit it, and a different
value sent later does not replace it."""

from __future__ import annotations

from tests.conftest import World


async def test_second_attempt_keeps_the_first_prediction_without_asking(world: World) -> None:
    assert (await world.register()).status_code == 201
    first = (await world.client.post(f"/api/v1/rounds/{world.round_id}/attempts")).json()
    r = await world.client.post(f"/api/v1/attempts/{first['attempt_id']}/submit", json={})
    assert r.status_code == 422 and r.json()["error"] == "prediction_required"
    r = await world.client.post(f"/api/v1/attempts/{first['attempt_id']}/submit",
                                json={"prediction": 40})
    assert r.status_code == 200
    second = (await world.client.post(f"/api/v1/rounds/{world.round_id}/attempts")).json()
    r = await world.client.post(f"/api/v1/attempts/{second['attempt_id']}/submit", json={})
    assert r.status_code == 200, r.text
    me = (await world.client.get(f"/api/v1/rounds/{world.round_id}/me")).json()
    assert me["prediction"] == 40
    assert len(me["attempts"]) == 2 and me["attempts_left"] == 0
