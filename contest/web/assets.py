"""The participant pages' assets: content-hashed names, long cache headers, gzip at build.

The files in static/ are read once (again whenever they change in dev mode); each gets a name
carrying its content hash (``app.3f2a9c1b0d.js``) served under /assets/ with a one-year
immutable cache, pre-compressed with gzip at level 9. ``index.html``, ``sw.js``,
``manifest.webmanifest`` and ``projector/index.html`` are templates: ``{{asset:NAME}}`` becomes
the hashed URL, ``{{manifest}}`` the JSON map of the participant page's assets,
``{{importmap}}`` the import map that resolves the page's ES modules (``app/*.js``, imported by
their plain relative names) to their hashed files, ``{{version}}`` a hash of them all. The
templates are served with ``no-cache`` so a new release reaches phones on their next visit.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from contest.errors import NotFound

# the participant page's assets (its manifest), plus every app/*.js screen module and every
# i18n/*.json; js/pow.js is loaded by the page only when registering needs a proof-of-work
HASHED = ("app.js", "app.css", "embed.js", "js/pow.js")
MODULES = "app"  # the folder of the page's ES modules, named in the import map
# hashed too, but only named by their own page's template (not in the participant manifest)
OTHERS = ("projector/projector.js", "projector/projector.css")
ICONS = "icons"  # the home-screen icons, named by manifest.webmanifest and index.html
# extra templates served no-cache: the projector at its folder's URL, the web app manifest
PAGES = ("projector/index.html", "manifest.webmanifest")
YEAR = "public, max-age=31536000, immutable"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".json": "application/json; charset=utf-8", ".html": "text/html; charset=utf-8",
         ".png": "image/png", ".svg": "image/svg+xml",
         ".webmanifest": "application/manifest+json; charset=utf-8"}
_TOKEN = re.compile(r"\{\{asset:([\w./-]+)\}\}")


@dataclass(frozen=True)
class Asset:
    """One hashed file: its bytes, their gzip, and its media type."""

    body: bytes
    gz: bytes
    media_type: str


@dataclass(frozen=True)
class Bundle:
    """Every asset of one static folder, by hashed URL path, and the rendered templates."""

    stamp: tuple[tuple[str, float], ...]
    urls: dict[str, str]  # logical name -> /assets/hashed name
    files: dict[str, Asset]  # hashed name -> asset
    plain: dict[str, Asset]  # logical name of a module -> asset (browsers without import maps)
    index: Asset
    sw: Asset
    pages: dict[str, Asset]  # other templates by source name (projector/index.html)
    csp: str  # the pages' Content-Security-Policy (it names the import map by its hash)


# What the pages may load: their own scripts and the import map the build writes inline
# (allowed by its hash, never 'unsafe-inline'), and Zalo's share plugin, which a contest's
# page fetches from zalo.me on a tap and which draws from zalo.me/zdn.vn. Inline styles stay
# allowed for that plugin's button; no frame-ancestors: portals embed the app (embed.js).
_POLICY = ("default-src 'self'; script-src 'self' {importmap} https://*.zalo.me "
           "https://*.zdn.vn; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; "
           "connect-src 'self' https://*.zalo.me; frame-src https://*.zalo.me; "
           "worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; "
           "form-action 'self'")


def _asset(body: bytes, media_type: str) -> Asset:
    return Asset(body, gzip.compress(body, 9, mtime=0), media_type)


def _sources(root: Path) -> list[str]:
    names = [n for n in HASHED if (root / n).is_file()]
    names += sorted(f"{MODULES}/{p.name}" for p in (root / MODULES).glob("*.js"))
    names += sorted(f"i18n/{p.name}" for p in (root / "i18n").glob("*.json"))
    return names


def _others(root: Path) -> list[str]:
    icons = sorted(f"{ICONS}/{p.name}" for p in (root / ICONS).glob("*") if p.suffix in TYPES)
    return [*(n for n in OTHERS if (root / n).is_file()), *icons]


def _stamp(root: Path) -> tuple[tuple[str, float], ...]:
    names = [*_sources(root), *_others(root), "index.html", "sw.js", *PAGES]
    return tuple((n, (root / n).stat().st_mtime) for n in names if (root / n).is_file())


def build(root: Path) -> Bundle:
    """Hash, compress and index the static folder; raises FileNotFoundError without index.html."""
    urls: dict[str, str] = {}
    files: dict[str, Asset] = {}
    for name in [*_sources(root), *_others(root)]:
        body = (root / name).read_bytes()
        digest = hashlib.sha256(body).hexdigest()[:10]
        stem, ext = name.rsplit(".", 1)
        hashed = f"{stem}.{digest}.{ext}"
        urls[name] = f"/assets/{hashed}"
        files[hashed] = _asset(body, TYPES["." + ext])
    version = hashlib.sha256("".join(sorted(urls.values())).encode()).hexdigest()[:10]
    shown = set(_sources(root))
    manifest = json.dumps({k: v for k, v in urls.items() if k in shown}, separators=(",", ":"))
    # a module imports './app/core.js' (from app.js) or './core.js' (from app/x.js): both
    # resolve to /assets/app/core.js, which the map sends to this release's hashed file
    modules = [n for n in urls if n.startswith(f"{MODULES}/") and n.endswith(".js")]
    importmap = json.dumps({"imports": {f"/assets/{n}": urls[n] for n in modules}},
                           separators=(",", ":"))
    plain = {n: files[urls[n].removeprefix("/assets/")] for n in modules}

    def render(text: str) -> bytes:
        text = _TOKEN.sub(lambda m: urls.get(m.group(1), m.group(1)), text)
        text = text.replace("{{manifest}}", manifest).replace("{{importmap}}", importmap)
        return text.replace("{{version}}", version).encode()

    index = _asset(render((root / "index.html").read_text("utf-8")), TYPES[".html"])
    sw_src = root / "sw.js"
    sw = _asset(render(sw_src.read_text("utf-8")) if sw_src.is_file() else b"", TYPES[".js"])
    pages = {n: _asset(render((root / n).read_text("utf-8")), TYPES["." + n.rsplit(".", 1)[1]])
             for n in PAGES if (root / n).is_file()}
    digest = base64.b64encode(hashlib.sha256(importmap.encode()).digest()).decode()
    csp = _POLICY.format(importmap=f"'sha256-{digest}'")
    return Bundle(_stamp(root), urls, files, plain, index, sw, pages, csp)


def bundle(request: Request) -> Bundle:
    """The app's bundle, rebuilt when a source file changed; raises NotFound without pages."""
    root = Path(request.app.state.settings.static_dir)
    current: Bundle | None = getattr(request.app.state, "asset_bundle", None)
    if current is None or current.stamp != _stamp(root):
        if not (root / "index.html").is_file():
            raise NotFound()
        current = build(root)
        request.app.state.asset_bundle = current
    return current


def _send(request: Request, a: Asset, cache: str, csp: str | None = None) -> Response:
    headers = {"Cache-Control": cache, "Vary": "Accept-Encoding",
               "X-Content-Type-Options": "nosniff"}
    if csp:
        headers["Content-Security-Policy"] = csp
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(a.gz, media_type=a.media_type, headers=headers)
    return Response(a.body, media_type=a.media_type, headers=headers)


async def index(request: Request) -> Response:
    """GET / : the single page, always revalidated so releases reach phones."""
    b = bundle(request)
    return _send(request, b.index, "no-cache", b.csp)


async def service_worker(request: Request) -> Response:
    """GET /sw.js : the service worker, listing this release's assets."""
    resp = _send(request, bundle(request).sw, "no-cache")
    resp.headers["Service-Worker-Allowed"] = "/"
    return resp


async def projector(request: Request) -> Response:
    """GET /projector/ : the projector page naming its hashed assets; raises NotFound."""
    b = bundle(request)
    found = b.pages.get("projector/index.html")
    if found is None:
        raise NotFound()
    return _send(request, found, "no-cache", b.csp)


async def web_manifest(request: Request) -> Response:
    """GET /manifest.webmanifest : the app's name, colours and icons; raises NotFound."""
    found = bundle(request).pages.get("manifest.webmanifest")
    if found is None:
        raise NotFound()
    return _send(request, found, "no-cache")


async def asset(request: Request) -> Response:
    """GET /assets/{name} : a hashed asset, cached for a year; raises NotFound."""
    name = request.path_params["name"]
    b = getattr(request.app.state, "asset_bundle", None) or bundle(request)
    found = b.files.get(name)
    if found is None:  # an older release's name: rebuild once in case the files changed
        b = bundle(request)
        found = b.files.get(name)
    if found is None and name in b.plain:
        # a module by its plain name: only a browser without import maps asks for it
        return _send(request, b.plain[name], "no-cache")
    if found is None:
        raise NotFound()
    return _send(request, found, YEAR)
