"""Console fixtures: one staff account per role on top of the `world` fixture."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest

from contest.console.staff import create_staff
from tests.conftest import World

PASSWORD = "mat-khau-can-bo-1"
# username -> (role, unit); the officer's own unit is BP-BUDANG (with BP-BUDANG-THPT below it).
ACCOUNTS = {
    "admin": ("admin", None),
    "organiser": ("organiser", None),
    "officer": ("unit_officer", "BP-BUDANG"),
    "viewer": ("viewer", None),
}


@dataclass
class Console:
    """The world plus logged-in clients per staff account."""

    world: World
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    csrf: dict[str, str] = field(default_factory=dict)

    async def login(self, username: str, password: str = PASSWORD,
                    totp: str | None = None) -> httpx.AsyncClient:
        client = self.world.make_client()
        body = {"username": username, "password": password}
        if totp:
            body["totp"] = totp
        r = await client.post("/api/staff/login", json=body)
        assert r.status_code == 200, r.text
        self.clients[username] = client
        self.csrf[username] = r.json()["csrf_token"]
        client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        return client


@pytest.fixture
async def console(world: World) -> AsyncIterator[Console]:
    for username, (role, unit) in ACCOUNTS.items():
        await create_staff(world.ctx, username, PASSWORD, role, unit, f"Cán bộ {username}")
    yield Console(world)
