"""Shared plumbing of console page handlers: login redirects and HTML error pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from contest.errors import ContestError, NotLoggedIn
from contest.services.context import Services
from contest.web.console.render import page

Handler = Callable[[Request], Awaitable[Response]]


def ctx_of(request: Request) -> Services:
    """The request's services."""
    ctx: Services = request.app.state.services
    return ctx


def html(handler: Handler) -> Handler:
    """Wrap a page handler: no session -> redirect to the login form; other errors -> a page."""

    @wraps(handler)
    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except NotLoggedIn:
            if request.method == "GET":
                target = quote(request.url.path + (f"?{request.url.query}"
                                                   if request.url.query else ""))
                return RedirectResponse(f"/console/login?next={target}", status_code=303)
            return RedirectResponse("/console/login", status_code=303)
        except ContestError as exc:
            from contest.web.console.messages import text
            from contest.web.errors import locale_of

            detail = text(f"error.{exc.code}", locale_of(request), **exc.params)
            resp = page(request, "error.html", status=exc.status, detail=detail,
                        fields=exc.fields or {})
            resp.headers.update(exc.headers)
            return resp

    return wrapped


async def form_str(request: Request, name: str, default: str = "") -> str:
    """A text field of the request's form ('' when absent or a file)."""
    form = await request.form()
    value = form.get(name)
    return value.strip() if isinstance(value, str) else default
