"""The participant pages' delivery: hashed names, long cache headers, gzip, the service worker."""

from __future__ import annotations

import base64
import hashlib
import json
import re

from tests.conftest import World


async def test_page_links_hashed_assets_cached_for_a_year(world: World) -> None:
    page = await world.client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-cache"
    assert page.headers["content-encoding"] == "gzip"
    html = page.text  # httpx decodes gzip
    manifest = json.loads(re.search(r'id="assets">(.*?)</script>', html).group(1))  # type: ignore[union-attr]
    assert set(manifest) >= {"app.js", "app.css", "i18n/vi.json", "i18n/en.json"}
    for name, url in manifest.items():
        assert re.fullmatch(r"/assets/[\w/]+\.[0-9a-f]{10}\.\w+", url), url
        raw = await world.client.get(url, headers={"Accept-Encoding": "identity"})
        assert raw.status_code == 200, name
        assert raw.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "content-encoding" not in raw.headers
        packed = await world.client.get(url, headers={"Accept-Encoding": "gzip, br"})
        assert packed.headers["content-encoding"] == "gzip"
        assert int(packed.headers["content-length"]) < len(raw.content)
    assert manifest["app.js"] in html and manifest["app.css"] in html
    assert "{{" not in html


async def test_unknown_asset_is_404_and_sw_lists_the_release(world: World) -> None:
    assert (await world.client.get("/assets/app.0000000000.js")).status_code == 404
    sw = await world.client.get("/sw.js")
    assert sw.status_code == 200 and sw.headers["cache-control"] == "no-cache"
    assert "{{" not in sw.text and "/assets/app." in sw.text
    vi = (await world.client.get("/")).text
    url = re.search(r'"i18n/vi.json":"([^"]+)"', vi).group(1)  # type: ignore[union-attr]
    vi_json, en_json = (await world.client.get(url)).json(), None
    en_url = re.search(r'"i18n/en.json":"([^"]+)"', vi).group(1)  # type: ignore[union-attr]
    en_json = (await world.client.get(en_url)).json()
    # every string exists in both languages; a count's forms (Intl.PluralRules categories) may
    # differ: Vietnamese has only "other", English "one" and "other"
    def base(keys: object) -> set[str]:
        return {re.sub(r"\.(zero|one|two|few|many)$", ".other", k) for k in keys}  # type: ignore[attr-defined]

    assert base(vi_json) == base(en_json)
    assert all(k in vi_json for k in base(vi_json))


async def test_pow_solver_and_projector_go_through_the_hashed_pipeline(world: World) -> None:
    html = (await world.client.get("/")).text
    manifest = json.loads(re.search(r'id="assets">(.*?)</script>', html).group(1))  # type: ignore[union-attr]
    assert re.fullmatch(r"/assets/js/pow\.[0-9a-f]{10}\.js", manifest["js/pow.js"])
    assert html.count(manifest["js/pow.js"]) == 1  # only in the manifest: loaded on demand
    assert not any(k.startswith("projector/") for k in manifest)  # not the phone's business
    sw = (await world.client.get("/sw.js")).text
    assert "!name.startsWith('js/')" in sw  # the solver is cached on first use, not at install
    page = await world.client.get("/projector/")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-cache"
    assert "{{" not in page.text and "Bảng xếp hạng trực tiếp" in page.text
    urls = re.findall(r'(?:href|src)="(/assets/projector/[^"]+)"', page.text)
    assert len(urls) == 2, page.text
    for url in urls:
        assert re.fullmatch(r"/assets/projector/projector\.[0-9a-f]{10}\.(js|css)", url)
        got = await world.client.get(url)
        assert got.status_code == 200
        assert got.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert (await world.client.get("/projector/index.html")).text == page.text


async def test_projector_texts_come_from_the_catalogues(world: World) -> None:
    """The projector names every catalogue by its hashed URL; its own Vietnamese (what shows
    when the catalogue cannot be loaded) is the catalogue's, word for word."""
    page = (await world.client.get("/projector/")).text
    assets = json.loads(re.search(r'id="assets">(.*?)</script>', page).group(1))  # type: ignore[union-attr]
    assert {"i18n/vi.json", "i18n/en.json"} <= set(assets)
    vi = (await world.client.get(assets["i18n/vi.json"])).json()
    en = (await world.client.get(assets["i18n/en.json"])).json()
    assert en["_locale"] == "en-GB" and vi["_locale"] == "vi-VN"
    # the page's elements marked data-i18n say the Vietnamese text of their key
    marked = re.findall(r'data-i18n="([\w.]+)">([^<]*)<', page)
    labels = re.findall(r'aria-label="([^"]*)" data-i18n-label="([\w.]+)"', page)
    assert len(marked) == 13 and len(labels) == 1, page
    for key, text in [*marked, *((k, t) for t, k in labels)]:
        assert vi.get(key, vi.get(f"{key}.other")) == text, key
        assert key in en or f"{key}.other" in en, key
    # the texts only the script writes, likewise
    script = re.search(r'src="(/assets/projector/projector\.\w+\.js)"', page).group(1)  # type: ignore[union-attr]
    js = (await world.client.get(script)).text
    written = {k: "".join(re.findall(r'"([^"]*)"', parts)) for k, parts in
               re.findall(r'^\s*"(projector\.[\w.]+)":\s*((?:"[^"]*"\s*\+?\s*)+)', js, re.M)}
    assert len(written) == 6, written
    for key, text in written.items():
        assert vi[key] == text and key in en, key
    used = set(re.findall(r'"(projector\.[\w.]+)"', js)) | {k for k, _ in marked}
    assert used | {k for _, k in labels} == {re.sub(r"\.(one|other)$", "", k)
                                              for k in vi if k.startswith("projector.")}


async def test_screen_modules_resolve_through_the_import_map(world: World) -> None:
    html = (await world.client.get("/")).text
    manifest = json.loads(re.search(r'id="assets">(.*?)</script>', html).group(1))  # type: ignore[union-attr]
    imap = json.loads(re.search(r'type="importmap">(.*?)</script>', html).group(1))  # type: ignore[union-attr]
    modules = {k for k in manifest if k.startswith("app/")}
    assert {"app/core.js", "app/attempt.js", "app/landing.js", "app/forms.js",
            "app/results.js"} <= modules
    # every module by the URL a relative import resolves to, mapped to its hashed file
    assert imap == {"imports": {f"/assets/{k}": manifest[k] for k in modules}}
    assert f'<script type="module" src="{manifest["app.js"]}">' in html
    hashed = await world.client.get(manifest["app/core.js"])
    assert hashed.headers["cache-control"] == "public, max-age=31536000, immutable"
    # a browser without import maps asks for the plain name: the same file, revalidated
    plain = await world.client.get("/assets/app/core.js")
    assert plain.status_code == 200 and plain.headers["cache-control"] == "no-cache"
    assert plain.content == hashed.content
    assert (await world.client.get("/assets/app/nothing.js")).status_code == 404


async def test_web_manifest_names_the_app_and_its_icons(world: World) -> None:
    html = (await world.client.get("/")).text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    resp = await world.client.get("/manifest.webmanifest")
    assert resp.status_code == 200 and resp.headers["cache-control"] == "no-cache"
    assert resp.headers["content-type"].startswith("application/manifest+json")
    m = resp.json()
    assert m["lang"] == "vi" and m["display"] == "standalone" and m["start_url"] == "/"
    assert m["theme_color"] == "#0b4f8a" and "pháp luật" in m["name"]
    sizes = {(i["sizes"], i["purpose"]) for i in m["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in m["icons"]:
        got = await world.client.get(icon["src"])
        assert got.status_code == 200 and got.headers["content-type"] == icon["type"]
        assert got.headers["cache-control"] == "public, max-age=31536000, immutable"
        if icon["type"] == "image/png":
            assert got.content[:8] == b"\x89PNG\r\n\x1a\n"
            w = int.from_bytes(got.content[16:20], "big")
            h = int.from_bytes(got.content[20:24], "big")
            assert f"{w}x{h}" == icon["sizes"]


async def test_pages_run_only_their_own_scripts_and_the_hashed_import_map(world: World) -> None:
    page = await world.client.get("/")
    policy = dict(d.strip().split(" ", 1) for d in page.headers["content-security-policy"]
                  .split(";"))
    scripts = policy["script-src"].split()
    assert "'self'" in scripts and "'unsafe-inline'" not in scripts
    assert "'unsafe-eval'" not in scripts and policy["object-src"] == "'none'"
    # the one inline script that runs, the import map, is allowed by its exact hash
    importmap = re.search(r'<script type="importmap">(.*?)</script>', page.text).group(1)  # type: ignore[union-attr]
    digest = base64.b64encode(hashlib.sha256(importmap.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in scripts
    assert [s for s in scripts if s.startswith("'sha256-")] == [f"'sha256-{digest}'"]
    projector = await world.client.get("/projector/")
    assert projector.headers["content-security-policy"] == page.headers[
        "content-security-policy"]
