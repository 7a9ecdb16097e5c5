"""Malformed or hostile requests get a 4xx in the API's error shape, never a 500."""

from __future__ import annotations

import pytest

from tests.conftest import World


async def test_malformed_json_is_400(world: World) -> None:
    resp = await world.client.post(
        "/api/v1/contests/thu/register",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_json"
    assert resp.json()["detail"]


@pytest.mark.parametrize("body", [b"[]", b"42", b'"text"', b"\xff\xfe"])
async def test_non_object_bodies_are_400(world: World, body: bytes) -> None:
    resp = await world.client.post("/api/v1/contests/thu/login", content=body)
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_json"


async def test_oversized_body_is_413(world: World) -> None:
    big = b'{"full_name": "' + b"a" * (70 * 1024) + b'"}'
    resp = await world.client.post("/api/v1/contests/thu/register", content=big)
    assert resp.status_code == 413
    assert resp.json()["error"] == "body_too_large"


async def test_oversized_body_without_length_is_413(world: World) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(100):
            yield b"x" * 1024

    resp = await world.client.post("/api/v1/contests/thu/register", content=chunks())
    assert resp.status_code == 413


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/contests/nope",
        "/api/v1/contests/nope/units",
        "/api/v1/rounds/999999/leaderboard",
        "/api/v1/rounds/abc/leaderboard",
        "/api/v1/no/such/route",
        "/api/v1/rounds/99999999999999999999999/leaderboard",
    ],
)
async def test_unknown_ids_are_404(world: World, path: str) -> None:
    resp = await world.client.get(path)
    assert resp.status_code == 404
    assert resp.json()["error"] == "not_found"


async def test_unknown_ids_when_logged_in_are_404(world: World) -> None:
    await world.register()
    for method, path in [
        ("POST", "/api/v1/rounds/424242/attempts"),
        ("POST", "/api/v1/rounds/abc/attempts"),
        ("GET", "/api/v1/rounds/424242/me"),
        ("GET", "/api/v1/attempts/xyz"),
    ]:
        resp = await world.client.request(method, path)
        assert resp.status_code == 404, (method, path, resp.text)


async def test_wrong_types_are_422(world: World) -> None:
    await world.register()
    paper = (await world.client.post(f"/api/v1/rounds/{world.round_id}/attempts")).json()
    q = paper["questions"][0]
    base = f"/api/v1/attempts/{paper['attempt_id']}"
    for body in ({"option_ids": "abc"}, {"option_ids": [1, 2]}, {}, {"option_ids": None}):
        resp = await world.client.put(f"{base}/answers/{q['id']}", json=body)
        assert resp.status_code == 422, body
        assert "option_ids" in resp.json()["fields"]
    for body in ({"prediction": "12"}, {"prediction": 1.5}, {"prediction": True}):
        resp = await world.client.post(f"{base}/submit", json=body)
        assert resp.status_code == 422, body


async def test_bad_query_parameters_are_422(world: World) -> None:
    resp = await world.client.get(f"/api/v1/rounds/{world.round_id}/leaderboard?limit=abc")
    assert resp.status_code == 422
    big = await world.client.get(f"/api/v1/rounds/{world.round_id}/leaderboard?limit=100000")
    assert big.status_code == 200  # clamped to 100


async def test_wrong_method_is_405_in_error_shape(world: World) -> None:
    resp = await world.client.delete("/api/v1/contests")
    assert resp.status_code == 405
    assert resp.json()["error"] == "method_not_allowed"


async def test_openapi_document_lists_every_route(world: World) -> None:
    from starlette.routing import Route

    doc = (await world.client.get("/api/v1/openapi.json")).json()
    assert doc["openapi"].startswith("3.")
    api_routes = [
        r for r in world.app.routes if isinstance(r, Route) and r.path.startswith("/api/v1/")
    ]
    assert api_routes
    for route in api_routes:
        assert route.path in doc["paths"], (
            f"{route.path} is missing from the OpenAPI document: add it in contest/web/openapi.py"
        )
        documented = {m.upper() for m in doc["paths"][route.path]}
        assert (route.methods or set()) - {"HEAD"} <= documented, route.path
