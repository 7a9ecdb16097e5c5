"""Per-participant randomisation, reproducibility, and no answer key before the close."""

from __future__ import annotations

import json
from typing import Any

import httpx

from contest.integrity.paper_audit import rederive_paper
from tests.conftest import World


async def _paper(w: World, client: httpx.AsyncClient) -> dict[str, Any]:
    resp = await client.post(f"/api/v1/rounds/{w.round_id}/attempts")
    assert resp.status_code == 201
    data: dict[str, Any] = resp.json()
    return data


async def test_two_participants_get_different_orders_and_option_ids(world: World) -> None:
    a, b = world.client, world.make_client()
    await world.register(a, phone="0911111111")
    await world.register(b, phone="0922222222")
    pa, pb = await _paper(world, a), await _paper(world, b)
    texts_a = [q["text"] for q in pa["questions"]]
    texts_b = [q["text"] for q in pb["questions"]]
    assert texts_a != texts_b
    ids_a = {o["id"] for q in pa["questions"] for o in q["options"]}
    ids_b = {o["id"] for q in pb["questions"] for o in q["options"]}
    assert ids_a.isdisjoint(ids_b)
    assert {q["id"] for q in pa["questions"]}.isdisjoint({q["id"] for q in pb["questions"]})


async def test_rederived_paper_equals_stored_paper(world: World) -> None:
    await world.register()
    paper = await _paper(world, world.client)
    report = await rederive_paper(world.ctx, paper["attempt_id"])
    assert report["matches"] is True
    assert [q["public_id"] for q in report["paper"]] == [q["id"] for q in paper["questions"]]
    # a second attempt prefers questions not seen in the first, and also re-derives exactly
    await world.client.post(
        f"/api/v1/attempts/{paper['attempt_id']}/submit", json={"prediction": 1}
    )
    second = await _paper(world, world.client)
    first_texts = {q["text"] for q in paper["questions"]}
    second_texts = {q["text"] for q in second["questions"]}
    assert first_texts.isdisjoint(second_texts)  # 12 questions, 5 per paper: all fresh
    assert (await rederive_paper(world.ctx, second["attempt_id"]))["matches"] is True


async def test_no_response_reveals_the_key_before_close(world: World) -> None:
    await world.register()
    responses = [
        await world.client.get("/api/v1/contests"),
        await world.client.get("/api/v1/contests/thu"),
    ]
    start = await world.client.post(f"/api/v1/rounds/{world.round_id}/attempts")
    responses.append(start)
    paper = start.json()
    q = paper["questions"][0]
    base = f"/api/v1/attempts/{paper['attempt_id']}"
    responses.append(
        await world.client.put(
            f"{base}/answers/{q['id']}", json={"option_ids": [q["options"][0]["id"]]}
        )
    )
    responses.append(await world.client.get(base))
    responses.append(await world.client.post(f"{base}/submit", json={"prediction": 4}))
    responses.append(await world.client.get(base))
    responses.append(await world.client.get(f"/api/v1/rounds/{world.round_id}/me"))
    responses.append(await world.client.get(f"/api/v1/rounds/{world.round_id}/leaderboard"))
    async with world.ctx.sm() as s:
        from sqlalchemy import select

        from contest.storage.tables import Option, Question

        explanations = [e for e in (await s.scalars(select(Question.basis))).all() if e]
        correct_texts = set((await s.scalars(select(Option.text).where(Option.correct))).all())
    for resp in responses:
        body = resp.text
        assert '"correct' not in body  # no key field anywhere
        for basis in explanations:
            assert basis not in body
        data = json.loads(body)
        # option texts appear only as options to choose from, never singled out
        if isinstance(data, dict) and "questions" in data:
            for question in data["questions"]:
                assert set(question["options"][0]) == {"id", "text"}
    assert correct_texts  # the bank does have a key; it just never left the server
