"""Item 12: inputs that used to answer 500 answer 4xx (and a hung-up client is no error)."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import World
from tests.console.conftest import Console


async def test_a_huge_leaderboard_offset_is_a_422(world: World) -> None:
    for offset in ("99999999999999999999", "9223372036854775808", "1000000001"):
        r = await world.client.get(
            f"/api/v1/rounds/{world.round_id}/leaderboard?offset={offset}")
        assert r.status_code == 422 and r.json()["error"] == "invalid_fields", offset
    r = await world.client.get(f"/api/v1/rounds/{world.round_id}/leaderboard?offset=１２３")
    assert r.status_code == 200


async def test_a_huge_console_offset_is_a_4xx(console: Console) -> None:
    admin = await console.login("admin")
    r = await admin.get("/console/participants?offset=99999999999999999999")
    assert 400 <= r.status_code < 500


async def test_deeply_nested_json_is_a_400(world: World) -> None:
    for depth in (5_000, 30_000):
        body = "[" * depth + "]" * depth
        r = await world.client.post("/api/v1/contests/thu/login", content=body,
                                    headers={"content-type": "application/json"})
        assert r.status_code == 400 and r.json()["error"] == "invalid_json", depth
    nested = '{"phone": ' + "[" * 20_000 + "]" * 20_000 + ', "password": "x"}'
    r = await world.client.post("/api/v1/contests/thu/login", content=nested,
                                headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500


async def test_a_client_hanging_up_mid_body_is_not_logged_as_a_server_error(
        world: World, caplog: pytest.LogCaptureFixture) -> None:
    sent: list[dict[str, object]] = []
    messages = [{"type": "http.request", "body": b'{"phone": "09', "more_body": True},
                {"type": "http.disconnect"}]

    async def receive() -> dict[str, object]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/api/v1/contests/thu/login",
             "raw_path": b"/api/v1/contests/thu/login", "query_string": b"", "root_path": "",
             "headers": [(b"content-type", b"application/json"), (b"host", b"test")],
             "client": ("127.0.0.1", 5000), "server": ("test", 80)}
    with caplog.at_level(logging.INFO):
        await world.app(scope, receive, send)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 400


async def test_unicode_digits_that_int_refuses_are_never_a_500(world: World) -> None:
    for url in ("/api/v1/rounds/²/stats", "/api/v1/rounds/²/leaderboard",
                "/api/v1/contests/thu/qr.png?scale=²",
                "/api/v1/rounds/1/results/eligible.csv?level=²"):
        r = await world.client.get(url)
        assert r.status_code < 500, (url, r.status_code)
