"""Console pages that need no service of their own."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from contest.errors import NotFound
from contest.web.console.render import page
from contest.web.console.views import html
from contest.web.staff_auth import require_staff


@html
async def home(request: Request) -> Response:
    await require_staff(request)
    return page(request, "home.html")


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
