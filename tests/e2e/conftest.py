"""Fixtures of the browser suite: our own server on 127.0.0.1, Debian's Chromium, a phone.

The suite skips only when no chromium binary is found AND the CI variable is not "true"; in
CI a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.waiting import answering

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = REPO / "docs" / "screenshots"
PHONE = {"width": 360, "height": 740}
# WebPageTest's "3G Slow" profile: 400 ms round trip, 400 kbit/s each way.
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400 * 1024 / 8,
           "uploadThroughput": 400 * 1024 / 8}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
        "--lang=vi-VN"]  # the browser's own widgets (the date picker) in Vietnamese too

pytestmark = pytest.mark.e2e
SESSIONS: dict[int, Any] = {}


def set_offline(page: Any, offline: bool) -> None:
    """Cut or restore the phone's network.

    Both switches are needed: Playwright's offline mode fires the page's online/offline events
    but does not reach requests that pass through a service worker; the DevTools protocol's
    network emulation does.
    """
    conditions = {**SLOW_3G, "offline": offline}
    SESSIONS[id(page)].send("Network.emulateNetworkConditions", conditions)
    page.context.set_offline(offline)


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed: CI must run the browser suite")
    pytest.skip("chromium not installed (apt-get install chromium chromium-driver)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return _chromium()


@dataclass(frozen=True)
class Server:
    """A running e2e server: its base URL and its SQLite file (to read what it stored)."""

    url: str
    db: Path


@contextmanager
def _serve(tmp: Path, env_extra: dict[str, str]) -> Iterator[Server]:
    """Start the demo server on a free port with a temporary SQLite file; stop it afterwards."""
    port = _free_port()
    db = tmp / "e2e.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(CONTEST_ARGON2_COST="test", **env_extra)  # a dev-mode server: cheap hashes
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.server", str(port), f"sqlite+aiosqlite:///{db}"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        answering(f"{url}/healthz", proc)
        yield Server(url, db)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        if proc.stdout:
            proc.stdout.close()


@pytest.fixture(scope="session")
def server(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The suite's server with the default settings."""
    with _serve(tmp_path_factory.mktemp("e2e"), {}) as s:
        yield s


@pytest.fixture(scope="session")
def base_url(server: Server) -> str:
    return server.url


@pytest.fixture(scope="session")
def gated_server(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A second server whose registrations always need the proof-of-work (threshold 0)."""
    with _serve(tmp_path_factory.mktemp("e2e-pow"), {"CONTEST_POW_THRESHOLD": "0"}) as s:
        yield s


@pytest.fixture(scope="session")
def results_server(chromium_path: str,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with a finalised round besides the demo (tests.e2e.server.add_finalised)."""
    with _serve(tmp_path_factory.mktemp("e2e-results"), {"E2E_FINALISED": "1"}) as s:
        yield s


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Any]:
    """Chromium, per module: Playwright's event loop ends with it, so an xdist worker that ran
    the browser tests can run tests that call asyncio.run() afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    rep = yield
    if rep.when == "call":
        item.stash[FAILED] = rep.failed
    return rep


FAILED = pytest.StashKey[bool]()


@pytest.fixture
def phone(browser: Any, base_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh phone-sized page on a slow 3G network, Vietnamese by default."""
    yield from _phone(browser, base_url, request)


@pytest.fixture
def gated_phone(browser: Any, gated_server: Server,
                request: pytest.FixtureRequest) -> Iterator[Any]:
    """A phone on the server that always asks for the registration proof-of-work."""
    yield from _phone(browser, gated_server.url, request)


def _phone(browser: Any, base_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    # Playwright's string predicates (wait_for_function) run through eval, which the pages'
    # CSP refuses: these phones skip it; tests/e2e/test_csp.py walks the pages under it
    ctx = browser.new_context(viewport=PHONE, locale="vi-VN", base_url=base_url,
                              timezone_id="Asia/Ho_Chi_Minh", device_scale_factor=1,
                              is_mobile=True, has_touch=True, bypass_csp=True)
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(20000)
    SESSIONS[id(page)] = cdp
    yield page
    SESSIONS.pop(id(page), None)
    if request.node.stash.get(FAILED, False):  # keep what the phone showed, for the report
        out = Path(os.environ.get("E2E_FAILURES", "/tmp/e2e-failures"))
        out.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out / f"{request.node.name}.png"), full_page=True)
    ctx.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
