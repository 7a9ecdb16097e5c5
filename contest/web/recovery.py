"""Handlers of account recovery and notification preferences (issue 15): parse, call, render."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool, StrictStr
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from contest.core.context import Services
from contest.people import accounts, recovery
from contest.web import guard
from contest.web.clientinfo import client_ip
from contest.web.parsing import parse_body
from contest.web.schemas import Body


class ResetRequestIn(Body):
    phone: StrictStr = Field(max_length=32)
    via: Literal["phone", "email"] | None = None


class ResetConfirmIn(Body):
    phone: StrictStr = Field(max_length=32)
    code: StrictStr = Field(max_length=16)
    new_password: StrictStr = Field(max_length=1024)


class PreferencesIn(Body):
    reminders: StrictBool


def _ctx(request: Request) -> Services:
    ctx: Services = request.app.state.services
    return ctx


async def reset_request(request: Request) -> JSONResponse:
    """POST /contests/{slug}/password-reset/request: 202 whether or not the phone is known."""
    body = await parse_body(request, ResetRequestIn)
    await recovery.request_code(_ctx(request), request.path_params["slug"], body.phone,
                                client_ip(request), prefer_email=body.via == "email")
    return JSONResponse({"ok": True}, status_code=202)


async def reset_confirm(request: Request) -> JSONResponse:
    """POST /contests/{slug}/password-reset/confirm: new password; logs this browser in."""
    body = await parse_body(request, ResetConfirmIn)
    p = await recovery.confirm(_ctx(request), request.path_params["slug"], body.phone,
                               body.code.strip(), body.new_password, client_ip(request))
    request.session.clear()
    await guard.signed_on(request, p.id, p.session_version)  # older versions are over
    return JSONResponse({"participant_id": p.id, "full_name": p.full_name})


async def get_preferences(request: Request) -> JSONResponse:
    """GET /me/preferences: the logged-in participant's reminder opt-in."""
    return JSONResponse(await accounts.preferences(_ctx(request), await guard.signed_in(request)))


async def put_preferences(request: Request) -> JSONResponse:
    """PUT /me/preferences {reminders}: opt in to or out of reminders."""
    pid = await guard.signed_in(request)
    body = await parse_body(request, PreferencesIn)
    return JSONResponse(await accounts.set_preferences(_ctx(request), pid, body.reminders))


API = "/api/v1"
ROUTES = [
    Route(f"{API}/contests/{{slug}}/password-reset/request", reset_request, methods=["POST"]),
    Route(f"{API}/contests/{{slug}}/password-reset/confirm", reset_confirm, methods=["POST"]),
    Route(f"{API}/me/preferences", get_preferences, methods=["GET"]),
    Route(f"{API}/me/preferences", put_preferences, methods=["PUT"]),
]
