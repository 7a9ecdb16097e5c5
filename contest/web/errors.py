"""The one place errors become responses: {"error", "detail", "fields"?}."""

from __future__ import annotations

import logging

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ExceptionHandler

from contest import errors
from contest.i18n import t
from contest.web.responses import JSONResponse

log = logging.getLogger("contest.web")


def locale_of(request: Request) -> str:
    """The request's language: the `lang` cookie, else the server default."""
    default: str = request.app.state.settings.locale
    return request.cookies.get("lang", default)


def render(request: Request, exc: errors.ContestError) -> JSONResponse:
    """Render a typed error in the API's error shape."""
    loc = locale_of(request)
    body: dict[str, object] = {
        "error": exc.code,
        "detail": t(f"error.{exc.code}", loc, **exc.params),
    }
    if exc.fields:
        body["fields"] = {name: t(key, loc) for name, key in exc.fields.items()}
    return JSONResponse(body, status_code=exc.status, headers=exc.headers)


async def contest_error(request: Request, exc: Exception) -> Response:
    """Handler for ContestError."""
    assert isinstance(exc, errors.ContestError)
    return render(request, exc)


async def http_error(request: Request, exc: Exception) -> Response:
    """Handler for Starlette's own 404/405 (unknown routes, wrong methods)."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return render(request, errors.MethodNotAllowed())
    if exc.status_code == 404:
        return render(request, errors.NotFound())
    err = errors.ContestError()
    resp = render(request, err)
    resp.status_code = exc.status_code
    return resp


async def unavailable(request: Request, exc: Exception) -> Response:
    """Handler for a database or Redis that does not answer: 503, never a 500 or a hang."""
    log.warning("backing service unavailable: %s", exc)
    return render(request, errors.ServiceUnavailable())


async def conflict(request: Request, exc: Exception) -> Response:
    """Handler for a constraint another request won: 409, safe to retry (never a 503)."""
    log.info("integrity conflict on %s %s: %s", request.method, request.url.path, exc)
    return render(request, errors.Conflict())


async def client_gone(request: Request, exc: Exception) -> Response:
    """Handler for a client that hung up mid-request (a form post): not a server error."""
    log.info("client disconnected on %s %s", request.method, request.url.path)
    return render(request, errors.ClientGone())


async def unexpected(request: Request, exc: Exception) -> Response:
    """Last resort: log the bug, answer 500 in the error shape."""
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    resp = render(request, errors.ContestError())
    resp.status_code = 500
    resp.body = resp.render(
        {"error": "internal", "detail": t("error.internal", locale_of(request))}
    )
    resp.headers["content-length"] = str(len(resp.body))
    return resp


HANDLERS: dict[int | type[Exception], ExceptionHandler] = {
    errors.ContestError: contest_error,
    HTTPException: http_error,
    IntegrityError: conflict,
    OperationalError: unavailable,
    PoolTimeout: unavailable,
    DBAPIError: unavailable,
    # a database or Redis refusing or dropping a connection as it stops (asyncpg raises the
    # socket's error raw while connecting, outside the driver's own exceptions)
    ConnectionError: unavailable,
    RedisConnectionError: unavailable,
    RedisTimeoutError: unavailable,
    ClientDisconnect: client_gone,
    Exception: unexpected,
}
