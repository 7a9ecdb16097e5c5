"""Reach: a QR code (SVG, PNG) of a contest's link and an embed snippet for portals."""

from __future__ import annotations

import html
import io

import segno
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from contest.core.context import Services
from contest.setup import catalog

# QR codes change only with the contest's address: let browsers and proxies keep them a day.
_CACHE = {"Cache-Control": "public, max-age=86400"}
# Built from the request's Host header (no CONTEST_PUBLIC_URL): never stored by a cache, so a
# forged Host cannot poison what other visitors get.
_NO_STORE = {"Cache-Control": "no-store"}


def site_base(request: Request) -> str:
    """The site's absolute base URL: CONTEST_PUBLIC_URL, else this request's own."""
    configured: str = request.app.state.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


def _cache(request: Request) -> dict[str, str]:
    return _CACHE if request.app.state.settings.public_url else _NO_STORE


def contest_url(request: Request, slug: str) -> str:
    """The public link of a contest's landing page on this server."""
    return f"{site_base(request)}/#/c/{slug}"


async def _url(request: Request) -> str:
    """The contest's link; raises NotFound for an unknown or hidden contest."""
    ctx: Services = request.app.state.services
    c, _ = await catalog.get_contest(ctx, request.path_params["slug"])
    return contest_url(request, c.slug)


def _qr(url: str) -> segno.QRCode:
    # Error correction M survives a poster's wear; a 4-module quiet zone is the standard's.
    return segno.make_qr(url, error="m")


async def qr_svg(request: Request) -> Response:
    """GET /api/v1/contests/{slug}/qr.svg: the contest's link as a scalable QR code."""
    url = await _url(request)
    buf = io.BytesIO()
    _qr(url).save(buf, kind="svg", scale=8, border=4, title=url, xmldecl=False,
                  svgclass=None, lineclass=None)
    return Response(buf.getvalue(), media_type="image/svg+xml", headers=_cache(request))


async def qr_png(request: Request) -> Response:
    """GET /api/v1/contests/{slug}/qr.png?scale=: the QR code as a PNG (scale 1-40, default 10)."""
    url = await _url(request)
    raw = request.query_params.get("scale", "10")
    scale = min(40, max(1, int(raw))) if raw.isdecimal() else 10
    buf = io.BytesIO()
    _qr(url).save(buf, kind="png", scale=scale, border=4)
    return Response(buf.getvalue(), media_type="image/png", headers=_cache(request))


async def embed(request: Request) -> JSONResponse:
    """GET /api/v1/contests/{slug}/embed: the link and ready-to-paste snippets for a portal."""
    url = await _url(request)
    base = site_base(request)
    slug = request.path_params["slug"]
    frame_src = html.escape(f"{base}/?embed=1#/c/{slug}", quote=True)
    iframe = (f'<iframe src="{frame_src}" title="Cuộc thi trực tuyến" width="100%" height="640" '
              'style="border:0;max-width:480px" loading="lazy" '
              'allow="clipboard-write"></iframe>')
    script = (f'<script src="{html.escape(base, quote=True)}/embed.js" '
              f'data-contest="{html.escape(slug, quote=True)}" async></script>')
    return JSONResponse({"url": url, "qr_svg": f"{base}/api/v1/contests/{slug}/qr.svg",
                         "qr_png": f"{base}/api/v1/contests/{slug}/qr.png",
                         "iframe": iframe, "script": script}, headers=_cache(request))
