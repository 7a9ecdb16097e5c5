"""Rendering console pages: one Jinja2 environment with autoescaping and the console texts."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from contest.domain.vocabulary import OutboxState, RoundKind, RoundState, StaffRole
from contest.web.console.messages import page_language, text
from contest.web.errors import locale_of

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@cache
def environment() -> Environment:
    """The console's template environment (autoescaped: every value is text, never markup)."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                      trim_blocks=True, lstrip_blocks=True)
    # templates compare with the vocabulary's members, never with bare strings
    env.globals.update(OutboxState=OutboxState, RoundKind=RoundKind, RoundState=RoundState,
                       StaffRole=StaffRole)
    return env


def page(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """Render a console template with the request's language, staff member and CSRF token."""
    loc = locale_of(request)
    tz = request.app.state.settings.tz

    def local(dt: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
        return dt.astimezone(tz).strftime(fmt) if dt else ""

    staff = getattr(request.state, "staff", None)
    csrf = ""
    if staff is not None:
        from contest.web.staff_auth import csrf_token

        csrf = csrf_token(request)
    body = environment().get_template(f"console/{template}").render(
        _=lambda key, **p: text(key, loc, **p), lang=page_language(loc), staff=staff, csrf=csrf,
        local=local,
        request=request, path=request.url.path, **values)
    resp = HTMLResponse(body, status_code=status)
    # The console shows personal data: never cache it, never frame it.
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'")
    resp.headers["Referrer-Policy"] = "same-origin"
    return resp
