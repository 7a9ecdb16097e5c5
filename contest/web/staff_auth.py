"""Staff console authentication: the session cookie, CSRF tokens, and `require_staff`.

Other modules protect a handler with one line, before anything else:

    staff = await require_staff(request, "admin", "organiser")

It raises NotLoggedIn (no valid session), CsrfFailed (a state-changing request without the
session's CSRF token) or Forbidden (the role is not among `roles`; no roles: any staff).
Unit scope is NOT checked here: services call contest.core.scope with the staff member.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from itsdangerous import BadSignature, TimestampSigner
from starlette.requests import Request
from starlette.responses import Response

from contest.console import staff as console_staff
from contest.core.context import Services
from contest.errors import CsrfFailed, Forbidden, NotLoggedIn
from contest.settings import Settings
from contest.storage.tables import Staff
from contest.web import clientinfo

COOKIE = "contest_staff"
PRELOGIN_COOKIE = "contest_staff_pre"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Largest multipart form (a bank upload) read while looking for the CSRF field.
MAX_FORM_PART = 10 * 1024 * 1024


def _signer(settings: Settings) -> TimestampSigner:
    return TimestampSigner(settings.secret_key, salt="contest.staff-session")


def _ctx(request: Request) -> Services:
    ctx: Services = request.app.state.services
    return ctx


def client_ip(request: Request) -> str:
    """The caller's address per CONTEST_TRUSTED_PROXIES, as on the participant side: behind a
    load balancer the peer is the balancer, and one shared bucket would let one attacker lock
    every officer out."""
    return clientinfo.client_ip(request) or "unknown"


def csrf_token_for(settings: Settings, nonce: str) -> str:
    """The synchroniser token of a session: a keyed hash of its server-side nonce."""
    key = settings.secret_key.encode()
    return hmac.new(key, f"csrf:{nonce}".encode(), hashlib.sha256).hexdigest()


def session_nonce(request: Request) -> str:
    """The nonce in a validly signed, unexpired staff cookie; raises NotLoggedIn."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        raise NotLoggedIn()
    settings: Settings = request.app.state.settings
    try:
        nonce = _signer(settings).unsign(raw, max_age=settings.staff_session_max_age_s)
    except BadSignature as exc:  # tampered, forged or older than the absolute lifetime
        raise NotLoggedIn() from exc
    return nonce.decode()


async def current_staff(request: Request) -> Staff:
    """The logged-in staff member (cached on the request); raises NotLoggedIn."""
    cached = getattr(request.state, "staff", None)
    if isinstance(cached, Staff):
        return cached
    nonce = session_nonce(request)
    staff = await console_staff.resume_session(_ctx(request), nonce)
    request.state.staff = staff
    request.state.staff_nonce = nonce
    return staff


async def submitted_csrf(request: Request) -> str:
    """The CSRF token a request carries: the X-CSRF-Token header, else the form field."""
    token = request.headers.get(CSRF_HEADER)
    if token:
        return token
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        # Starlette caches the parsed form, so the handler reads it again for free.
        form = await request.form(max_files=4, max_fields=500, max_part_size=MAX_FORM_PART)
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def check_csrf(request: Request) -> None:
    """Refuse a state-changing request whose token is not its session's; raises CsrfFailed."""
    expected = csrf_token_for(request.app.state.settings, request.state.staff_nonce)
    if not hmac.compare_digest(expected.encode(), (await submitted_csrf(request)).encode()):
        raise CsrfFailed()


async def require_staff(request: Request, *roles: str) -> Staff:
    """The logged-in staff member allowed here; checks CSRF on every non-GET request.

    Raises NotLoggedIn, CsrfFailed, Forbidden (role not in roles; no roles means any role).
    """
    staff = await current_staff(request)
    if request.method not in SAFE_METHODS:
        await check_csrf(request)
    if roles and staff.role not in roles:
        raise Forbidden()
    return staff


def csrf_token(request: Request) -> str:
    """The CSRF token of the request's session (after current_staff succeeded)."""
    return csrf_token_for(request.app.state.settings, request.state.staff_nonce)


async def login(request: Request, username: str, password: str, totp: str | None,
                response: Response) -> tuple[Staff, str]:
    """Check credentials, open a session, set its cookie on response; returns (staff, csrf).

    Raises RateLimited, StaffLoginFailed, ServerBusy.
    """
    ctx = _ctx(request)
    staff = await console_staff.authenticate(ctx, username, password, totp, client_ip(request))
    nonce = await console_staff.open_session(ctx, staff)
    set_session_cookie(request, response, nonce)
    return staff, csrf_token_for(ctx.settings, nonce)


def set_session_cookie(request: Request, response: Response, nonce: str) -> None:
    """Set the signed, HttpOnly, SameSite=Strict staff cookie carrying nonce."""
    settings: Settings = request.app.state.settings
    response.set_cookie(COOKIE, _signer(settings).sign(nonce).decode(),
                        max_age=settings.staff_session_max_age_s, path="/", httponly=True,
                        samesite="strict", secure=not settings.dev_mode)


async def logout(request: Request, response: Response) -> None:
    """End the current session server-side and clear its cookie; raises NotLoggedIn, CsrfFailed."""
    staff = await require_staff(request)
    await console_staff.close_session(_ctx(request), request.state.staff_nonce, staff,
                                      client_ip(request))
    response.delete_cookie(COOKIE, path="/")


def prelogin_token(request: Request) -> str:
    """The login form's double-submit token (no session exists yet to bind one to)."""
    return request.cookies.get(PRELOGIN_COOKIE) or secrets.token_urlsafe(24)


def set_prelogin_cookie(request: Request, response: Response, token: str) -> None:
    """Set the cookie half of the login form's double-submit token."""
    settings: Settings = request.app.state.settings
    response.set_cookie(PRELOGIN_COOKIE, token, max_age=3600, path="/console", httponly=True,
                        samesite="strict", secure=not settings.dev_mode)


def check_prelogin(request: Request, submitted: str) -> None:
    """Refuse a login form post whose token does not match its cookie; raises CsrfFailed."""
    cookie = request.cookies.get(PRELOGIN_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), submitted.encode()):
        raise CsrfFailed()
