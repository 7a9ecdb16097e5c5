"""Shared plumbing of console page handlers: login redirects and the console's one error handler.

Handlers parse, call one service and render; a ContestError they raise (or a service raises)
is rendered by `html` as a page with the Vietnamese message: the generic error page, or the
form the person was filling in when the handler named it with `on_error_show`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from contest.core.context import Services
from contest.errors import ContestError, NotLoggedIn
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
            from contest.i18n import words
            from contest.web.console.messages import text
            from contest.web.errors import locale_of

            loc = locale_of(request)
            detail = text(f"error.{exc.code}", loc, **exc.params)
            shown = words(exc.params, loc)  # a list of problems may hold Phrases
            retry: tuple[str, dict[str, Any]] | None = getattr(request.state, "retry_form",
                                                               None)
            if retry is not None:
                # The form the person filled in, again, with what was wrong above it.
                template, values = retry
                resp = page(request, template, status=exc.status,
                            **{**values, "error": detail, "fields": exc.fields or {},
                               "error_params": shown})
            else:
                resp = page(request, "error.html", status=exc.status, detail=detail,
                            fields=exc.fields or {}, error_params=shown)
            resp.headers.update(exc.headers)
            return resp

    return wrapped


def on_error_show(request: Request, template: str, **values: Any) -> None:
    """Ask the console's error handler to render this form again (with `error`) on a
    ContestError, instead of the generic error page."""
    request.state.retry_form = (template, values)


async def form_str(request: Request, name: str, default: str = "") -> str:
    """A text field of the request's form ('' when absent or a file)."""
    form = await request.form()
    value = form.get(name)
    return value.strip() if isinstance(value, str) else default
