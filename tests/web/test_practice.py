"""Practice review and reach (QR, embed) through the HTTP API, on both storage backends."""

from __future__ import annotations

from typing import Any

import httpx

from contest.setup.bank_versions import import_bank
from tests.conftest import World, sample_bank


async def _practice_round(w: World, **overrides: Any) -> int:
    """A practice round on its own bank (never the bank of the open ranked round)."""
    await import_bank(w.ctx, sample_bank(code="practice-bank"))
    return await w.add_round(kind="practice", prediction_prompt=None, **overrides)


async def _paper(w: World, round_id: int,
                 client: httpx.AsyncClient | None = None) -> dict[str, Any]:
    resp = await (client or w.client).post(f"/api/v1/rounds/{round_id}/attempts")
    assert resp.status_code in (200, 201), resp.text
    data: dict[str, Any] = resp.json()
    return data


async def _save(w: World, paper: dict[str, Any], q: dict[str, Any], opts: list[str]) -> None:
    resp = await w.client.put(f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}",
                              json={"option_ids": opts})
    assert resp.status_code == 200, resp.text


async def test_practice_review_shows_key_of_answered_questions_only(world: World) -> None:
    rid = await _practice_round(world, max_attempts=None)
    await world.register()
    paper = await _paper(world, rid)
    url = f"/api/v1/attempts/{paper['attempt_id']}/review"

    empty = await world.client.get(url)
    assert empty.status_code == 200
    assert empty.json()["questions"] == []
    assert empty.headers["cache-control"] == "no-store"

    q0, q1 = paper["questions"][0], paper["questions"][1]
    await _save(world, paper, q0, [q0["options"][0]["id"]])
    body = (await world.client.get(url)).json()
    assert [q["question_id"] for q in body["questions"]] == [q0["id"]]
    rv = body["questions"][0]
    offered = {o["id"] for o in q0["options"]}
    assert rv["correct_option_ids"] and set(rv["correct_option_ids"]) <= offered
    assert rv["chosen"] == [q0["options"][0]["id"]]
    assert rv["is_correct"] == (set(rv["chosen"]) == set(rv["correct_option_ids"]))
    assert rv["points"] == (1 if rv["is_correct"] else 0)
    assert rv["basis"].startswith("Điều ") and rv["basis"].endswith("Luật thử")

    # answering with exactly the key is judged correct; the unanswered q1 is still hidden
    await _save(world, paper, q0, rv["correct_option_ids"])
    body = (await world.client.get(url)).json()
    assert body["questions"][0]["is_correct"] is True
    assert q1["id"] not in {q["question_id"] for q in body["questions"]}

    sub = await world.client.post(f"/api/v1/attempts/{paper['attempt_id']}/submit", json={})
    assert sub.status_code == 200, sub.text
    done = (await world.client.get(url)).json()
    assert done["status"] == "submitted"
    assert [q["question_id"] for q in done["questions"]] == [q["id"] for q in paper["questions"]]
    assert sum(q["points"] for q in done["questions"]) == sub.json()["score"]


async def test_ranked_round_refuses_review_until_closed(world: World) -> None:
    await world.register()
    paper = await _paper(world, world.round_id)
    q0 = paper["questions"][0]
    await _save(world, paper, q0, [q0["options"][0]["id"]])
    url = f"/api/v1/attempts/{paper['attempt_id']}/review"

    resp = await world.client.get(url)
    assert resp.status_code == 403
    assert resp.json()["error"] == "review_not_available"
    assert "thi thử" in resp.json()["detail"]
    assert "correct" not in resp.text

    sub = await world.client.post(f"/api/v1/attempts/{paper['attempt_id']}/submit",
                                  json={"prediction": 3})
    assert sub.status_code == 200
    assert (await world.client.get(url)).status_code == 403  # submitted, but the round is open

    world.clock.advance(2 * 86400)  # past the round's close
    after = await world.client.get(url)
    assert after.status_code == 200, after.text
    assert len(after.json()["questions"]) == len(paper["questions"])


async def test_review_of_someone_elses_attempt_is_not_found(world: World) -> None:
    rid = await _practice_round(world, max_attempts=None)
    await world.register()
    paper = await _paper(world, rid)
    other = world.make_client()
    await world.register(other, phone="0987654321")
    assert (await other.get(f"/api/v1/attempts/{paper['attempt_id']}/review")).status_code == 404
    anonymous = world.make_client()
    resp = await anonymous.get(f"/api/v1/attempts/{paper['attempt_id']}/review")
    assert resp.status_code == 401


async def test_practice_attempts_are_unlimited_and_never_ranked(world: World) -> None:
    rid = await _practice_round(world, max_attempts=1)
    await world.register()
    for _ in range(3):
        paper = await _paper(world, rid)
        sub = await world.client.post(f"/api/v1/attempts/{paper['attempt_id']}/submit", json={})
        assert sub.status_code == 200 and sub.json()["rank"] is None
    board = await world.client.get(f"/api/v1/rounds/{rid}/leaderboard")
    assert board.status_code == 404 or board.json() == {"total": 0, "entries": []}
    me = (await world.client.get(f"/api/v1/rounds/{rid}/me")).json()
    assert me["rank"] is None and len(me["attempts"]) == 3 and me["attempts_left"] is None


async def test_qr_codes_and_embed_snippet(world: World) -> None:
    svg = await world.client.get("/api/v1/contests/thu/qr.svg")
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.lstrip().startswith("<svg") and "http://test/#/c/thu" in svg.text
    png = await world.client.get("/api/v1/contests/thu/qr.png?scale=4")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG\r\n\x1a\n")
    big = await world.client.get("/api/v1/contests/thu/qr.png?scale=20")
    assert len(big.content) > len(png.content)
    embed = (await world.client.get("/api/v1/contests/thu/embed")).json()
    assert embed["url"] == "http://test/#/c/thu"
    assert embed["iframe"].startswith("<iframe ") and 'title="' in embed["iframe"]
    assert 'data-contest="thu"' in embed["script"]
    assert (await world.client.get("/api/v1/contests/nope/qr.svg")).status_code == 404

