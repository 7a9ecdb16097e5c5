"""Items 7, 8, 10, 14, 15: client addresses behind proxies, the demo's keys and host, uvicorn's
proxy headers, absolute links from the configured base URL, settings checked at start."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from contest.cli import main as cli
from contest.cli import runtime, server
from contest.settings import DEV_SECRET, Settings, SettingsError
from tests.conftest import REPO, World
from tests.console.conftest import PASSWORD, Console


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, trusted_proxies="127.0.0.1")


async def test_one_attacker_behind_the_load_balancer_does_not_lock_out_every_officer(
        console: Console) -> None:
    attacker = console.world.make_client()
    attacker.headers["X-Forwarded-For"] = "203.0.113.9"
    for i in range(30):
        r = await attacker.post("/api/staff/login",
                                json={"username": f"doan{i}", "password": "sai-mat-khau-1"})
        assert r.status_code == 401
    assert (await attacker.post("/api/staff/login", json={"username": "admin",
                                                          "password": PASSWORD})).status_code == 429
    officer = console.world.make_client()
    officer.headers["X-Forwarded-For"] = "198.51.100.7"
    r = await officer.post("/api/staff/login", json={"username": "officer", "password": PASSWORD})
    assert r.status_code == 200, r.text


def test_the_demo_makes_and_keeps_its_own_random_keys(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/demo/demo.sqlite3")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("CONTEST_DATA_KEYS", raising=False)
    monkeypatch.delenv("CONTEST_LOOKUP_KEY", raising=False)
    first = runtime.load_settings(demo=True)
    assert "DEMO MODE" in capsys.readouterr().err
    assert first.secret_key != DEV_SECRET and len(first.secret_key) >= 32
    assert first.data_keys and len(first.lookup_key) >= 32
    kept = tmp_path / "demo" / runtime.DEMO_SECRETS
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o600
    again = runtime.load_settings(demo=True)
    assert (again.secret_key, again.data_keys, again.lookup_key) == \
        (first.secret_key, first.data_keys, first.lookup_key)
    # another folder, another demo: other keys
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/other/demo.sqlite3")
    assert runtime.load_settings(demo=True).secret_key != first.secret_key


def test_the_demo_refuses_a_public_host_unless_told(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert cli.main(["serve", "--demo", "--host", "0.0.0.0"]) == 2
    assert "--public" in capsys.readouterr().err
    assert server.loopback("127.0.0.1") and server.loopback("::1") and server.loopback("localhost")
    assert not server.loopback("0.0.0.0") and not server.loopback("192.168.1.5")


def test_production_still_refuses_to_start_without_strong_keys(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONTEST_DEV", raising=False)
    with pytest.raises(SettingsError):
        Settings.from_env({}).check()


@pytest.mark.parametrize("spec, peer_seen", [
    ("", "127.0.0.1"),  # nothing trusted by default: a loopback peer's header is ignored
    ("127.0.0.1", "203.0.113.9"),
])
async def test_uvicorn_believes_forwarded_for_only_from_trusted_proxies(
        spec: str, peer_seen: str) -> None:
    opts = server.uvicorn_options(Settings(trusted_proxies=spec, dev_mode=True))
    seen: list[str] = []

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        seen.append(scope["client"][0])

    scope = {"type": "http", "client": ("127.0.0.1", 5000),
             "headers": [(b"x-forwarded-for", b"203.0.113.9")]}
    if opts["proxy_headers"]:
        await ProxyHeadersMiddleware(app, trusted_hosts=opts["forwarded_allow_ips"])(
            scope, None, None)  # type: ignore[arg-type]
    else:
        await app(scope, None, None)
    assert seen == [peer_seen]


def test_the_procfile_passes_the_trusted_proxies_to_uvicorn() -> None:
    web = next(line for line in (REPO / "Procfile").read_text().splitlines()
               if line.startswith("web:"))
    assert '--forwarded-allow-ips "${CONTEST_TRUSTED_PROXIES:-}"' in web
    assert "--no-access-log" in web  # the balancer logs requests (CONTEST_ACCESS_LOG)


async def test_the_embed_snippet_never_reflects_the_host_header(world: World) -> None:
    world.ctx.settings = world.app.state.settings = replace(
        world.app.state.settings, public_url="https://thi.example.gov.vn")
    r = await world.client.get("/api/v1/contests/thu/embed", headers={"Host": "evil.example"})
    assert r.status_code == 200
    assert "evil.example" not in r.text
    assert r.json()["url"] == "https://thi.example.gov.vn/#/c/thu"
    assert "public" in r.headers["cache-control"]


async def test_without_a_public_url_host_built_links_are_never_cached(world: World) -> None:
    r = await world.client.get("/api/v1/contests/thu/embed", headers={"Host": "evil.example"})
    assert r.headers["cache-control"] == "no-store"
    qr = await world.client.get("/api/v1/contests/thu/qr.svg", headers={"Host": "evil.example"})
    assert qr.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("env, named", [
    ({"CONTEST_LIMIT_ANSWER": "many"}, "CONTEST_LIMIT_ANSWER"),
    ({"CONTEST_LIMIT_START": "0/60"}, "CONTEST_LIMIT_START"),
    ({"CONTEST_LIMIT_IP_LOGIN": "10/-1"}, "CONTEST_LIMIT_IP_LOGIN"),
    ({"CONTEST_TRUSTED_PROXIES": "10.0.0.0/8,lb.internal"}, "CONTEST_TRUSTED_PROXIES"),
    ({"CONTEST_DATA_KEYS": "not-a-key"}, "CONTEST_DATA_KEYS"),
    ({"CONTEST_LOCALE": "fr"}, "CONTEST_LOCALE"),
    ({"CONTEST_MAX_BODY": "0"}, "CONTEST_MAX_BODY"),
    ({"CONTEST_HASH_QUEUE": "-1"}, "CONTEST_HASH_QUEUE"),
    ({"CONTEST_POW_BITS": "99"}, "CONTEST_POW_BITS"),
    ({"CONTEST_PUBLIC_URL": "thi.example.gov.vn"}, "CONTEST_PUBLIC_URL"),
    ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
    ({"WEB_CONCURRENCY": "two"}, "WEB_CONCURRENCY"),
])
def test_a_malformed_setting_stops_the_start_naming_the_variable(
        env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env({"CONTEST_DEV": "1", **env}).check()


@pytest.mark.parametrize("env, logged", [({}, False), ({"CONTEST_ACCESS_LOG": "1"}, True)])
def test_the_access_log_is_off_unless_asked_for(env: dict[str, str], logged: bool) -> None:
    """The reverse proxy logs requests; a line per request in the app is opt-in."""
    opts = server.uvicorn_options(Settings.from_env({"CONTEST_DEV": "1", **env}))
    assert opts["access_log"] is logged
