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
        json={"option_ids": [q["options"][0]["id"]]},
    )
    assert put.status_code == 200, put.text
    assert put.json()["option_ids"] == [q["options"][0]["id"]]

    world.clock.advance(42.5)
    sub = await world.client.post(
        f"/api/v1/attempts/{paper['attempt_id']}/submit", json={"prediction": 1000}
    )
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


async def correct_ids(w: World, attempt_id: str) -> dict[str, list[str]]:
    """The correct public option ids of an attempt's questions, read server-side (test only)."""
    from sqlalchemy import select

    from contest.storage.tables import AttemptQuestion, Option

    async with w.ctx.sm() as s:
        rows = (
            await s.scalars(select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt_id))
        ).all()
        right = set((await s.scalars(select(Option.id).where(Option.correct))).all())
    return {aq.public_id: [pub for oid, pub in aq.options if oid in right] for aq in rows}


async def test_score_counts_correct_answers_only(world: World) -> None:
    await world.register()
    paper = await start(world)
    key = await correct_ids(world, paper["attempt_id"])
    qs = paper["questions"]
    # answer three right, one wrong, leave one blank
    for q in qs[:3]:
        r = await world.client.put(
            f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}",
            json={"option_ids": key[q["id"]]},
        )
        assert r.status_code == 200, r.text
    wrong = [o["id"] for o in qs[3]["options"] if o["id"] not in key[qs[3]["id"]]][:1]
    await world.client.put(
        f"/api/v1/attempts/{paper['attempt_id']}/answers/{qs[3]['id']}", json={"option_ids": wrong}
    )
    sub = await world.client.post(
        f"/api/v1/attempts/{paper['attempt_id']}/submit", json={"prediction": 3}
    )
    assert sub.json()["score"] == 3
    assert sub.json()["max_score"] == 5


async def test_duplicate_phone_is_409_even_in_another_format(world: World) -> None:
    assert (await world.register(phone="0912345678")).status_code == 201
    resp = await world.register(world.make_client(), phone="+84 912 345 678")
    assert resp.status_code == 409
    assert resp.json()["error"] == "phone_taken"
    assert "đã được đăng ký" in resp.json()["detail"]


async def test_invalid_fields_are_named_one_by_one(world: World) -> None:
    resp = await world.client.post(
        "/api/v1/contests/thu/register",
        json={
            "full_name": "A",
            "birth_date": "1990-05-21",
            "phone": "0123",
            "password": "short",
            "unit_code": "NOWHERE",
            "group": "aliens",
            "consent": False,
            "id_number": "12345",
            "email": "not-an-email",
            "gender": "nam",
        },
    )
    assert resp.status_code == 422
    body = resp.json()
    assert body["error"] == "invalid_fields"
    assert set(body["fields"]) == {
        "full_name",
        "phone",
        "password",
        "unit_code",
        "group",
        "consent",
        "id_number",
        "email",
    }
    assert "10 chữ số" in body["fields"]["phone"]
    assert "12 chữ số" in body["fields"]["id_number"]


async def test_missing_and_mistyped_fields_are_422(world: World) -> None:
    resp = await world.client.post(
        "/api/v1/contests/thu/register", json={"full_name": 5, "consent": "yes"}
    )
    assert resp.status_code == 422
    fields = resp.json()["fields"]
    assert fields["full_name"] == "Vui lòng nhập đầy đủ họ và tên (ít nhất hai từ)."
    assert fields["phone"] == "Mục này là bắt buộc."
    assert "consent" in fields


async def test_login_and_bad_credentials(world: World) -> None:
    await world.register()
    other = world.make_client()
    bad = await other.post(
        "/api/v1/contests/thu/login", json={"phone": "0912345678", "password": "wrong-password"}
    )
    assert bad.status_code == 401
    assert bad.json()["error"] == "bad_credentials"
    unknown = await other.post(
        "/api/v1/contests/thu/login", json={"phone": "0999999999", "password": "matkhau123"}
    )
    assert unknown.status_code == 401
    ok = await other.post(
        "/api/v1/contests/thu/login", json={"phone": "84912345678", "password": "matkhau123"}
    )
    assert ok.status_code == 200
    assert (await other.get(f"/api/v1/rounds/{world.round_id}/me")).status_code == 200


async def test_not_logged_in_is_401(world: World) -> None:
    resp = await world.client.post(f"/api/v1/rounds/{world.round_id}/attempts")
    assert resp.status_code == 401
    assert resp.json()["error"] == "not_logged_in"


async def test_resave_is_idempotent_and_resume_returns_same_paper(world: World) -> None:
    await world.register()
    paper = await start(world)
    q = paper["questions"][1]
    url = f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}"
    for _ in range(3):
        r = await world.client.put(url, json={"option_ids": [q["options"][2]["id"]]})
        assert r.status_code == 200
    again = await world.client.post(f"/api/v1/rounds/{world.round_id}/attempts")
    assert again.status_code == 200
    resumed = again.json()
    assert resumed["attempt_id"] == paper["attempt_id"]
    assert resumed["questions"] == paper["questions"]
    assert resumed["deadline"] == paper["deadline"]
    assert resumed["answers"] == {q["id"]: [q["options"][2]["id"]]}
    got = (await world.client.get(f"/api/v1/attempts/{paper['attempt_id']}")).json()
    assert got["status"] == "running"
    assert got["answers"] == resumed["answers"]
    cleared = await world.client.put(url, json={"option_ids": []})
    assert cleared.status_code == 200
    got = (await world.client.get(f"/api/v1/attempts/{paper['attempt_id']}")).json()
    assert got["answers"] == {q["id"]: []}


async def test_single_question_takes_one_option_and_unknown_options_are_refused(
    world: World,
) -> None:
    await world.register()
    paper = await start(world)
    single = next(q for q in paper["questions"] if q["kind"] == "single")
    url = f"/api/v1/attempts/{paper['attempt_id']}/answers/{single['id']}"
    two = await world.client.put(url, json={"option_ids": [o["id"] for o in single["options"][:2]]})
    assert two.status_code == 422
    assert two.json()["fields"]["option_ids"] == "Câu hỏi này chỉ được chọn một phương án."
    unknown = await world.client.put(url, json={"option_ids": ["zzzz"]})
    assert unknown.status_code == 422
    assert unknown.json()["error"] == "unknown_option"
    other_q = await world.client.put(
        f"/api/v1/attempts/{paper['attempt_id']}/answers/nope", json={"option_ids": []}
    )
    assert other_q.status_code == 404


async def test_attempts_exhausted_after_max(world: World) -> None:
    await world.register()
    for _ in range(2):
        paper = await start(world)
        r = await world.client.post(
            f"/api/v1/attempts/{paper['attempt_id']}/submit", json={"prediction": 10}
        )
        assert r.status_code == 200
    third = await world.client.post(f"/api/v1/rounds/{world.round_id}/attempts")
    assert third.status_code == 403
    assert third.json()["error"] == "attempts_exhausted"
    assert "(2)" in third.json()["detail"]


async def test_round_not_open_before_and_after_window(world: World) -> None:
    await world.register()
    now = world.clock.now()
    from datetime import timedelta

    upcoming = await world.add_round(
        opens_at=now + timedelta(hours=1), closes_at=now + timedelta(days=2)
    )
    closed = await world.add_round(
        opens_at=now - timedelta(days=2), closes_at=now - timedelta(hours=1)
    )
    for rid in (upcoming, closed):
        r = await world.client.post(f"/api/v1/rounds/{rid}/attempts")
        assert r.status_code == 409
        assert r.json()["error"] == "round_not_open"


async def test_answer_after_deadline_plus_grace_is_409(world: World) -> None:
    await world.register()
    paper = await start(world)
    q = paper["questions"][0]
    url = f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}"
    world.clock.advance(600 + 4)  # inside the 5 s grace: still accepted
    assert (
        await world.client.put(url, json={"option_ids": [q["options"][0]["id"]]})
    ).status_code == 200
    world.clock.advance(2)
    late = await world.client.put(url, json={"option_ids": [q["options"][1]["id"]]})
    assert late.status_code == 409
    assert late.json()["error"] in ("deadline_passed", "attempt_submitted")


async def test_expired_attempt_is_submitted_automatically_at_its_deadline(world: World) -> None:
    from contest.attempts.attempts import expire_due

    await world.register()
    paper = await start(world)
    q = paper["questions"][0]
    await world.client.put(
        f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}",
        json={"option_ids": [q["options"][0]["id"]]},
    )
    world.clock.advance(3600)
    assert await expire_due(world.ctx) == 1
    got = (await world.client.get(f"/api/v1/attempts/{paper['attempt_id']}")).json()
    assert got["status"] == "submitted"
    assert got["result"]["auto_submitted"] is True
    assert got["result"]["duration_ms"] == 600_000
    assert got["answers"] == {q["id"]: [q["options"][0]["id"]]}
    # a late explicit submit returns the automatic result, whatever its body
    sub = await world.client.post(
        f"/api/v1/attempts/{paper['attempt_id']}/submit", json={"prediction": 5}
    )
    assert sub.status_code == 200
    assert sub.json()["duration_ms"] == 600_000
    assert sub.json()["auto_submitted"] is True


async def test_expiry_on_access_without_sweep(world: World) -> None:
    await world.register()
    paper = await start(world)
    world.clock.advance(601 + 5)
    got = (await world.client.get(f"/api/v1/attempts/{paper['attempt_id']}")).json()
    assert got["status"] == "submitted"
    assert got["result"]["duration_ms"] == 600_000


async def test_deadline_is_cut_by_round_close(world: World) -> None:
    from datetime import timedelta

    rid = await world.add_round(closes_at=world.clock.now() + timedelta(seconds=90))
    await world.register()
    paper = (await world.client.post(f"/api/v1/rounds/{rid}/attempts")).json()
    from datetime import datetime

    span = datetime.fromisoformat(paper["deadline"]) - datetime.fromisoformat(paper["started_at"])
    assert span == timedelta(seconds=90)


async def test_someone_elses_attempt_is_404_on_every_verb(world: World) -> None:
    await world.register()
    paper = await start(world)
    q = paper["questions"][0]
    other = world.make_client()
    await world.register(other, phone="0987654321")
    base = f"/api/v1/attempts/{paper['attempt_id']}"
    assert (await other.get(base)).status_code == 404
    assert (
        await other.put(f"{base}/answers/{q['id']}", json={"option_ids": []})
    ).status_code == 404
    assert (await other.post(f"{base}/submit", json={"prediction": 1})).status_code == 404
    assert (await world.client.get("/api/v1/attempts/unknown-id")).status_code == 404


async def test_prediction_required_and_locked(world: World) -> None:
    await world.register()
    paper = await start(world)
    url = f"/api/v1/attempts/{paper['attempt_id']}/submit"
    missing = await world.client.post(url, json={})
    assert missing.status_code == 422
    assert missing.json()["error"] == "prediction_required"
    assert "prediction" in missing.json()["fields"]
    negative = await world.client.post(url, json={"prediction": -3})
    assert negative.status_code == 422
    assert (await world.client.post(url, json={"prediction": 77})).status_code == 200
    second = await start(world)
    await world.client.post(
        f"/api/v1/attempts/{second['attempt_id']}/submit", json={"prediction": 9999}
    )
    me = (await world.client.get(f"/api/v1/rounds/{world.round_id}/me")).json()
    assert me["prediction"] == 77  # the first prediction stays locked
    assert len(me["attempts"]) == 2
    assert me["attempts_left"] == 0


async def test_repeated_submit_returns_first_result(world: World) -> None:
    await world.register()
    paper = await start(world)
    url = f"/api/v1/attempts/{paper['attempt_id']}/submit"
    world.clock.advance(10)
    first = (await world.client.post(url, json={"prediction": 1})).json()
    world.clock.advance(100)
    again = (await world.client.post(url, json={"prediction": 2})).json()
    assert again == first
    late_put = await world.client.put(
        f"/api/v1/attempts/{paper['attempt_id']}/answers/{paper['questions'][0]['id']}",
        json={"option_ids": []},
    )
    assert late_put.status_code == 409
    assert late_put.json()["error"] == "attempt_submitted"


async def test_best_attempt_counts_and_ranks_follow(world: World) -> None:
    await world.register()
    first = await start(world)
    key = await correct_ids(world, first["attempt_id"])
    for q in first["questions"]:
        await world.client.put(
            f"/api/v1/attempts/{first['attempt_id']}/answers/{q['id']}",
            json={"option_ids": key[q["id"]]},
        )
    world.clock.advance(30)
    r1 = (
        await world.client.post(
            f"/api/v1/attempts/{first['attempt_id']}/submit", json={"prediction": 5}
        )
    ).json()
    assert r1["score"] == 5 and r1["counted"] is True
    second = await start(world)
    r2 = (
        await world.client.post(
            f"/api/v1/attempts/{second['attempt_id']}/submit", json={"prediction": 5}
        )
    ).json()
    assert r2["score"] == 0 and r2["counted"] is False
    me = (await world.client.get(f"/api/v1/rounds/{world.round_id}/me")).json()
    assert me["attempt"]["attempt_id"] == first["attempt_id"]

    other = world.make_client()
    await world.register(other, phone="0387654321")
    p = (await other.post(f"/api/v1/rounds/{world.round_id}/attempts")).json()
    r3 = (
        await other.post(f"/api/v1/attempts/{p['attempt_id']}/submit", json={"prediction": 5})
    ).json()
    assert r3["rank"] == 2
    board = (await other.get(f"/api/v1/rounds/{world.round_id}/leaderboard")).json()
    assert [e["rank"] for e in board["entries"]] == [1, 2]
    assert board["entries"][0]["score"] == 5


async def test_unlimited_attempts_are_stored_as_unlimited(world: World) -> None:
    """max_attempts=None must reach SQL as NULL, not as the column's usual default of 1."""
    rid = await world.add_round(max_attempts=None)
    await world.register()
    for _ in range(3):
        resp = await world.client.post(f"/api/v1/rounds/{rid}/attempts")
        assert resp.status_code == 201, resp.text
        sub = await world.client.post(
            f"/api/v1/attempts/{resp.json()['attempt_id']}/submit", json={"prediction": 1}
        )
        assert sub.status_code == 200
    me = (await world.client.get(f"/api/v1/rounds/{rid}/me")).json()
    assert me["attempts_left"] is None and len(me["attempts"]) == 3
