"""Console pages for staff accounts (admins) and TOTP enrolment (admins, organisers)."""

from __future__ import annotations

import segno
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from contest.console import staff as console_staff
from contest.domain.phrase import Phrase
from contest.domain.vocabulary import StaffRole
from contest.errors import ConfigInvalid
from contest.i18n import DEFAULT_LOCALE
from contest.storage.tables import Staff
from contest.web.console.messages import text
from contest.web.console.render import page
from contest.web.console.views import ctx_of, form_str, html
from contest.web.errors import locale_of
from contest.web.parsing import path_int
from contest.web.staff_auth import client_ip, require_staff

ADMIN = (StaffRole.ADMIN,)


def _actor(staff: Staff) -> str:
    return f"staff:{staff.username}"


def _problem(request: Request, exc: ConfigInvalid) -> str:
    return text("error.config_invalid", locale_of(request), **exc.params)


@html
async def staff_list(request: Request) -> Response:
    await require_staff(request, *ADMIN)
    return page(request, "staff.html", accounts=await console_staff.list_staff(ctx_of(request)),
                form={}, created=request.query_params.get("created", ""),
                roles=console_staff.ROLES)


@html
async def staff_create(request: Request) -> Response:
    admin = await require_staff(request, *ADMIN)
    ctx = ctx_of(request)
    form = {name: await form_str(request, name)
            for name in ("username", "full_name", "role", "unit_code")}
    password = await form_str(request, "password")
    try:
        if password != await form_str(request, "password2"):
            raise ConfigInvalid(detail=Phrase("detail.console.passwords_differ"))
        made = await console_staff.create_staff(
            ctx, form["username"], password, form["role"], form["unit_code"] or None,
            form["full_name"], actor=_actor(admin), ip=client_ip(request))
    except ConfigInvalid as exc:
        return page(request, "staff.html", status=422,
                    accounts=await console_staff.list_staff(ctx), form=form,
                    error=_problem(request, exc), roles=console_staff.ROLES)
    return RedirectResponse(f"/console/staff?created={made.staff.username}", status_code=303)


@html
async def staff_edit(request: Request) -> Response:
    await require_staff(request, *ADMIN)
    member = await console_staff.get_staff(ctx_of(request), path_int(request, "staff_id"))
    return page(request, "staff_edit.html", member=member, roles=console_staff.ROLES,
                saved=request.query_params.get("saved") == "1")


@html
async def staff_update(request: Request) -> Response:
    admin = await require_staff(request, *ADMIN)
    ctx = ctx_of(request)
    sid = path_int(request, "staff_id")
    member = await console_staff.get_staff(ctx, sid)
    active = await form_str(request, "active")
    try:
        if active not in ("1", "0"):
            raise ConfigInvalid(detail=Phrase("detail.console.staff_state"))
        await console_staff.update_staff(
            ctx, sid, role=await form_str(request, "role"),
            unit_code=await form_str(request, "unit_code"), active=active == "1",
            reset_totp=await form_str(request, "reset_totp") == "on", actor=_actor(admin),
            ip=client_ip(request))
    except ConfigInvalid as exc:
        return page(request, "staff_edit.html", status=422, member=member,
                    roles=console_staff.ROLES, error=_problem(request, exc))
    return RedirectResponse(f"/console/staff/{sid}?saved=1", status_code=303)


def qr_svg(uri: str, locale: str = DEFAULT_LOCALE) -> Markup:
    """The otpauth URI as an inline SVG QR code (segno draws modules only, never text)."""
    svg: str = segno.make(uri, error="m").svg_inline(scale=5,
                                                      title=text("qr.totp_title", locale))
    return Markup(svg)


async def _enrol_page(request: Request, staff: Staff, status: int = 200,
                      error: str | None = None) -> Response:
    secret, uri = await console_staff.begin_totp(ctx_of(request), staff)
    return page(request, "totp.html", status=status, secret=secret,
                qr=qr_svg(uri, locale_of(request)),
                enabled=staff.totp_secret is not None, error=error)


@html
async def totp_page(request: Request) -> Response:
    staff = await require_staff(request, *console_staff.TOTP_ROLES)
    if request.query_params.get("done") == "1":
        return page(request, "totp.html", done=True, enabled=True)
    return await _enrol_page(request, staff)


@html
async def totp_confirm(request: Request) -> Response:
    staff = await require_staff(request, *console_staff.TOTP_ROLES)
    try:
        await console_staff.confirm_totp(ctx_of(request), staff, await form_str(request, "code"),
                                         client_ip(request))
    except ConfigInvalid as exc:
        return await _enrol_page(request, staff, 422, _problem(request, exc))
    return RedirectResponse("/console/account/totp?done=1", status_code=303)
