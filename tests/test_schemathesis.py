"""Bad input at scale: schemathesis generates requests from the app's own OpenAPI document;
no answer may be a 500 and every answer must match its documented status and schema.

Bounded: a fixed seed (derandomized), a few examples per operation; a logged-in participant
with a running attempt, so authenticated operations are reached too. On both backends.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings

from contest.app import create_app
from contest.console.staff import create_staff
from contest.core.context import Services
from contest.settings import Settings
from contest.setup.bank_versions import import_bank
from contest.setup.units import load_units, parse_units
from contest.storage.db import transaction
from contest.storage.tables import Contest, Round
from contest.web.openapi import build, build_staff
from tests.conftest import REPO, UNITS_CSV, sample_bank
from tests.storage_setup import database_url, fresh_database

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

schema = schemathesis.openapi.from_dict(build())
staff_schema = schemathesis.openapi.from_dict(build_staff())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


async def _seed(ctx: Services) -> None:
    await load_units(ctx, parse_units(UNITS_CSV))
    version, _ = await import_bank(ctx, sample_bank())
    now = ctx.now()
    async with transaction(ctx.sm) as s:
        c = Contest(slug="thu", title="Cuộc thi thử", rules="Thể lệ thử",
                    groups=[{"code": "tudo", "name": "Tự do"}], unit_root="BP", created_at=now)
        s.add(c)
        await s.flush()
        assert c.id is not None and version.id is not None
        s.add(Round(contest_id=c.id, title="Đợt thử", opens_at=now - timedelta(minutes=5),
                    closes_at=now + timedelta(days=1), bank_version_id=version.id,
                    questions_per_attempt=5, time_limit_s=600, max_attempts=2,
                    prediction_prompt="Bao nhiêu người tham gia?",
                    prediction_kind="participants", secret=secrets.token_bytes(32)))


class Api:
    """The app and an httpx client driven on one private event loop (the test is sync)."""

    def __init__(self, app: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.app = app
        self.loop = loop
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                        base_url="http://test")

        self.staff: httpx.AsyncClient | None = None  # a logged-in admin with its CSRF token

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request, run to completion on the private loop."""
        return self.loop.run_until_complete(self.client.request(method, path, **kwargs))

    def request_staff(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request of the logged-in admin."""
        assert self.staff is not None
        return self.loop.run_until_complete(self.staff.request(method, path, **kwargs))


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The app on fresh storage with a contest, an open round, a logged-in participant and a
    running attempt (the client carries the session cookie)."""
    tmp: Path = tmp_path_factory.mktemp("schemathesis")
    db = database_url(tmp, "st")
    st = Settings(database_url=db, redis_url=os.environ.get("REDIS_URL") or None,
                  dev_mode=True, static_dir=str(REPO / "static"), argon2_cost="test")
    loop = asyncio.new_event_loop()
    loop.run_until_complete(fresh_database(db))
    app = create_app(st, sweep=False)
    lifespan = app.router.lifespan_context(app)
    loop.run_until_complete(lifespan.__aenter__())
    api = Api(app, loop)
    try:
        ctx: Services = app.state.services
        loop.run_until_complete(ctx.redis.flushdb())
        loop.run_until_complete(_seed(ctx))
        r = api.request("POST", "/api/v1/contests/thu/register", json={
            "full_name": "Nguyễn Thị Bích Ngọc", "birth_date": "1990-05-21",
            "phone": "0912345678", "password": "matkhau123", "unit_code": "BP-BUDANG-THPT",
            "group": "tudo", "consent": True})
        assert r.status_code == 201, r.text
        r = api.request("POST", "/api/v1/rounds/1/attempts")
        assert r.status_code == 201, r.text
        loop.run_until_complete(create_staff(ctx, "admin", "mat-khau-can-bo-1", "admin"))
        api.staff = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                      base_url="http://test")
        r = api.request_staff("POST", "/api/staff/login",
                              json={"username": "admin", "password": "mat-khau-can-bo-1"})
        assert r.status_code == 200, r.text
        api.staff.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        yield api
    finally:
        loop.run_until_complete(api.client.aclose())
        if api.staff is not None:
            loop.run_until_complete(api.staff.aclose())
        loop.run_until_complete(lifespan.__aexit__(None, None, None))
        loop.close()


@schema.parametrize()  # type: ignore[untyped-decorator]
@settings(max_examples=12, derandomize=True, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case: Any, api: Api) -> None:
    """Generated requests (valid and not) never get a 500 or an undocumented answer."""
    kwargs: dict[str, Any] = {"params": case.query, "headers": case.headers}
    if isinstance(case.body, bytes | str):
        kwargs["content"] = case.body
    elif case.body is not None and type(case.body).__name__ != "NotSet":
        kwargs["json"] = case.body
    response = api.request(case.method, case.formatted_path, **kwargs)
    case.validate_response(response, checks=CHECKS)


def _kwargs(case: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"params": case.query, "headers": case.headers}
    if isinstance(case.body, bytes | str):
        kwargs["content"] = case.body
    elif case.body is not None and type(case.body).__name__ != "NotSet":
        kwargs["json"] = case.body
    return kwargs


@staff_schema.parametrize()  # type: ignore[untyped-decorator]
@settings(max_examples=10, derandomize=True, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_console_api_never_answers_a_server_error(case: Any, api: Api) -> None:
    """Generated requests of a logged-in admin (valid and not) to the console's JSON API:
    never a 5xx (issue 14); staff logins fuzzed here do not end the admin's session."""
    response = api.request_staff(case.method, case.formatted_path, **_kwargs(case))
    case.validate_response(response, checks=[not_a_server_error])
