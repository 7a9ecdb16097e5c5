"""Console pages of a contest's announcements: list, publish, hide or show again (issue 16).

Organisers and admins only; every change is audited by the service.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from contest.domain.vocabulary import StaffRole
from contest.notify import announcements
from contest.setup import round_settings
from contest.web.console.render import page
from contest.web.console.views import ctx_of, form_str, html, on_error_show
from contest.web.parsing import path_int
from contest.web.staff_auth import require_staff

ORGANISERS = (StaffRole.ADMIN, StaffRole.ORGANISER)


async def _values(request: Request, **form: object) -> dict[str, Any]:
    """What the page shows: the contest, its rounds, its announcements, the form."""
    ctx = ctx_of(request)
    c, rounds = await round_settings.contest(ctx, path_int(request, "contest_id"))
    assert c.id is not None
    return {"contest": c, "rounds": rounds, "items": await announcements.listing(ctx, c.id),
            "form": form, "done": request.query_params.get("done", ""),
            "title_max": announcements.TITLE_MAX, "body_max": announcements.BODY_MAX}


@html
async def listing(request: Request) -> Response:
    await require_staff(request, *ORGANISERS)
    return page(request, "announcements.html", **await _values(request))


@html
async def publish(request: Request) -> Response:
    staff = await require_staff(request, *ORGANISERS)
    cid = path_int(request, "contest_id")
    raw_round = await form_str(request, "round_id")
    # A malformed round id becomes one no round has: the service answers "not this contest's".
    round_id = (int(raw_round) if raw_round.isdecimal() and len(raw_round) < 10 else 0
                ) if raw_round else None
    draft = announcements.Draft(await form_str(request, "title"),
                                await form_str(request, "body"),
                                round_id,
                                await form_str(request, "notify") == "yes")
    on_error_show(request, "announcements.html",
                  **await _values(request, title=draft.title, body=draft.body,
                                  round_id=draft.round_id, notify=draft.notify))
    await announcements.publish(ctx_of(request), cid, draft, f"staff:{staff.username}")
    return RedirectResponse(f"/console/contests/{cid}/announcements?done=published",
                            status_code=303)


@html
async def toggle(request: Request) -> Response:
    staff = await require_staff(request, *ORGANISERS)
    cid = path_int(request, "contest_id")
    show = await form_str(request, "action") == "show"
    await announcements.set_published(ctx_of(request), cid,
                                      path_int(request, "announcement_id"), show,
                                      f"staff:{staff.username}")
    return RedirectResponse(f"/console/contests/{cid}/announcements?done="
                            f"{'shown' if show else 'hidden'}", status_code=303)
