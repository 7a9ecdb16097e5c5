"""Staff login and logout: the JSON API and the console form."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from contest.errors import ContestError, StaffLoginFailed
from contest.storage.tables import Staff
from contest.web import staff_auth
from contest.web.console.render import page
from contest.web.console.schemas import StaffLoginIn
from contest.web.console.views import form_str, html
from contest.web.parsing import parse_body


def staff_out(staff: Staff, csrf: str) -> dict[str, object]:
    """The public view of the logged-in staff member, with the CSRF token to send back."""
    return {"username": staff.username, "full_name": staff.full_name, "role": staff.role,
            "unit_code": staff.unit_code, "csrf_token": csrf}


async def api_login(request: Request) -> Response:
    body = await parse_body(request, StaffLoginIn)
    resp = JSONResponse({})
    staff, csrf = await staff_auth.login(request, body.username, body.password, body.totp, resp)
    out = JSONResponse(staff_out(staff, csrf))
    out.raw_headers.extend(h for h in resp.raw_headers if h[0] == b"set-cookie")
    return out


async def api_logout(request: Request) -> Response:
    resp = JSONResponse({"ok": True})
    await staff_auth.logout(request, resp)
    return resp


async def api_me(request: Request) -> Response:
    staff = await staff_auth.require_staff(request)
    return JSONResponse(staff_out(staff, staff_auth.csrf_token(request)))


def _safe_next(raw: str) -> str:
    """Only a path inside the console, never another site (open redirect)."""
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not raw.startswith("/console") or raw.startswith("//"):
        return "/console"
    return raw


async def login_form(request: Request) -> Response:
    token = staff_auth.prelogin_token(request)
    resp = page(request, "login.html", next=_safe_next(request.query_params.get("next", "")),
                prelogin=token)
    staff_auth.set_prelogin_cookie(request, resp, token)
    return resp


async def login_submit(request: Request) -> Response:
    staff_auth.check_prelogin(request, await form_str(request, "csrf_token"))
    target = _safe_next(await form_str(request, "next"))
    redirect = RedirectResponse(target, status_code=303)
    try:
        await staff_auth.login(request, await form_str(request, "username"),
                               await form_str(request, "password"),
                               await form_str(request, "totp") or None, redirect)
    except StaffLoginFailed as exc:
        return await _login_again(request, exc, target)
    except ContestError as exc:  # rate limited
        return await _login_again(request, exc, target)
    return redirect


async def _login_again(request: Request, exc: ContestError, target: str) -> Response:
    from contest.web.console.messages import text
    from contest.web.errors import locale_of

    detail = text(f"error.{exc.code}", locale_of(request), **exc.params)
    resp = page(request, "login.html", status=exc.status, next=target, error=detail,
                prelogin=request.cookies.get(staff_auth.PRELOGIN_COOKIE, ""),
                username=await form_str(request, "username"))
    resp.headers.update(exc.headers)
    return resp


@html
async def logout_submit(request: Request) -> Response:
    resp = RedirectResponse("/console/login", status_code=303)
    await staff_auth.logout(request, resp)
    return resp
