"""Console pages that need no service of their own."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from contest.console import district as console_district
from contest.domain.vocabulary import StaffRole
from contest.errors import NotFound
from contest.storage.tables import Staff
from contest.web.console import charts
from contest.web.console.messages import text
from contest.web.console.render import page
from contest.web.console.views import ctx_of, html
from contest.web.errors import locale_of
from contest.web.parsing import int_param
from contest.web.staff_auth import require_staff


@html
async def home(request: Request) -> Response:
    staff = await require_staff(request)
    if staff.role == StaffRole.UNIT_OFFICER:
        # a unit officer's home is their units' participation (issue 17)
        return await _district(request, staff)
    return page(request, "home.html")


@html
async def district(request: Request) -> Response:
    staff = await require_staff(request)
    return await _district(request, staff)


async def _district(request: Request, staff: Staff) -> Response:
    v = await console_district.view(ctx_of(request), staff,
                                    int_param(request, "round", 0, 0) or None,
                                    request.query_params.get("unit") or None)
    rates = [(x.name, round(100 * x.rate)) for x in v.lines if x.rate is not None]
    loc = locale_of(request)
    svg = charts.dashboard_svgs(v.board, loc)
    svg["rates"] = charts.bars(text("chart.rates.title", loc), [n for n, _ in rates],
                               [p for _, p in rates], "#17663a")
    return page(request, "district.html", v=v, svg=svg,
                unit=request.query_params.get("unit") or "")


ASSETS = Path(__file__).resolve().parents[3] / "static" / "console"
_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".svg": "image/svg+xml"}


async def asset(request: Request) -> Response:
    """A file of static/console (public: stylesheets and scripts hold nothing secret)."""
    name = request.path_params["name"]
    path = ASSETS / name
    if "/" in name or name.startswith(".") or path.suffix not in _TYPES or not path.is_file():
        raise NotFound()
    return FileResponse(path, media_type=_TYPES[path.suffix],
                        headers={"Cache-Control": "public, max-age=3600"})
