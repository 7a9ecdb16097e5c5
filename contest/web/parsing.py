"""Turning requests into typed values: bodies, sessions, query parameters."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import ClientDisconnect, Request

from contest.errors import BodyTooLarge, ClientGone, InvalidJSON, NotLoggedIn, ValidationFailed
from contest.i18n import catalogue

M = TypeVar("M", bound=BaseModel)

_TYPE_KEYS = {
    "string_type": "field.type_string",
    "bool_type": "field.type_bool",
    "bool_parsing": "field.type_bool",
    "int_type": "field.type_int",
    "int_parsing": "field.type_int",
    "int_from_float": "field.type_int",
    "list_type": "field.type_list",
}


async def read_json(request: Request) -> Any:
    """The request body as JSON; raises BodyTooLarge past the cap, InvalidJSON if malformed
    or nested too deep, ClientGone when the client hung up before sending all of it."""
    limit: int = request.app.state.settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdecimal() and int(declared) > limit:
        raise BodyTooLarge(limit_kb=limit // 1024)
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise BodyTooLarge(limit_kb=limit // 1024)
    except ClientDisconnect as exc:
        raise ClientGone() from exc
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # [[[[... 64 KiB deep
        raise InvalidJSON() from exc


async def parse_body(request: Request, model: type[M]) -> M:
    """The JSON body validated into model; raises InvalidJSON, BodyTooLarge, ValidationFailed."""
    data = await read_json(request)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidJSON()
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(fields=field_errors(exc)) from exc


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Map pydantic's errors to message keys, one per top-level field."""
    known = catalogue("vi")
    out: dict[str, str] = {}
    for err in exc.errors():
        name = str(err["loc"][0]) if err["loc"] else "body"
        if name in out:
            continue
        if err["type"] == "missing":
            out[name] = "field.required"
        elif f"field.{name}" in known:
            out[name] = f"field.{name}"
        else:
            out[name] = _TYPE_KEYS.get(err["type"], "field.invalid")
    return out


def participant_id(request: Request) -> str:
    """The logged-in participant's id; raises NotLoggedIn."""
    pid = request.session.get("pid")
    if not isinstance(pid, str):
        raise NotLoggedIn()
    return pid


def session_version(request: Request) -> int:
    """The session version the cookie was signed with (0 for cookies from before versions)."""
    sv = request.session.get("sv", 0)
    return sv if isinstance(sv, int) else -1


# Largest integer a query parameter may carry without a tighter bound (an offset past it
# would overflow a database's or Redis's integer and fail as a 500).
MAX_PARAM = 1_000_000_000


def int_param(request: Request, name: str, default: int, lo: int, hi: int | None = None) -> int:
    """An integer query parameter clamped to hi; raises ValidationFailed if below lo, NaN, or
    (without hi) above MAX_PARAM."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw) if len(raw) <= 12 else MAX_PARAM + 1
    except ValueError as exc:
        raise ValidationFailed(fields={name: f"field.{name}"}) from exc
    if value < lo or (hi is None and value > MAX_PARAM):
        raise ValidationFailed(fields={name: f"field.{name}"})
    return min(value, hi) if hi is not None else value


def path_int(request: Request, name: str) -> int:
    """An integer path parameter; a non-numeric id is simply not found."""
    from contest.errors import NotFound

    raw = request.path_params[name]
    if not (str(raw).isascii() and str(raw).isdigit()) or len(str(raw)) > 12:  # not "²"
        raise NotFound()
    return int(raw)
