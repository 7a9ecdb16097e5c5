"""Access-control matrix: every console and staff-API route x every role x own/other unit.

Every route under /console or /api/staff must have an entry in MATRIX; the first test fails
when one is missing, so a new organiser route cannot ship without an access decision.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from starlette.routing import Route

from contest.console import wizard as console_wizard
from contest.notify import announcements
from tests.console.conftest import Console

ALL = frozenset({"admin", "organiser", "officer", "viewer"})
ORG = frozenset({"admin", "organiser"})
ADMIN = frozenset({"admin"})
ROSTER = frozenset({"admin", "organiser", "officer"})
RESET = frozenset({"admin", "organiser", "officer"})
OWN_UNIT, OTHER_UNIT = "BP-BUDANG", "BP-DONGXOAI"


@dataclass(frozen=True)
class Entry:
    """Who may use a route; `public` routes need no session; `unit` says how a unit is named."""

    allowed: frozenset[str] = frozenset()
    public: bool = False
    unit: str | None = None  # "query": ?unit=CODE, "participant": {participant_id} of a unit
    body: str = "form"  # form | json


MATRIX: dict[tuple[str, str], Entry] = {
    ("POST", "/api/staff/login"): Entry(public=True),
    ("POST", "/api/staff/logout"): Entry(ALL),
    ("GET", "/api/staff/me"): Entry(ALL),
    ("GET", "/console/login"): Entry(public=True),
    ("POST", "/console/login"): Entry(public=True),
    ("POST", "/console/logout"): Entry(ALL),
    ("GET", "/console"): Entry(ALL),
    ("GET", "/console/static/{name}"): Entry(public=True),
    ("GET", "/console/banks"): Entry(ORG),
    ("POST", "/console/banks"): Entry(ORG),
    ("GET", "/console/units"): Entry(ORG),
    ("POST", "/console/units"): Entry(ORG),
    ("GET", "/console/contests"): Entry(ORG),
    ("GET", "/console/contests/{contest_id}"): Entry(ORG),
    ("POST", "/console/contests/{contest_id}"): Entry(ORG),
    ("GET", "/console/contests/{contest_id}/rounds/new"): Entry(ORG),
    ("POST", "/console/contests/{contest_id}/rounds/new"): Entry(ORG),
    ("GET", "/console/contests/{contest_id}/rounds/{round_id}"): Entry(ORG),
    ("POST", "/console/contests/{contest_id}/rounds/{round_id}"): Entry(ORG),
    ("GET", "/console/dashboard"): Entry(ALL),
    ("GET", "/console/dashboard/{round_id}"): Entry(ALL, unit="query"),
    ("GET", "/console/dashboard/{round_id}/{kind}.csv"): Entry(ALL, unit="query"),
    ("GET", "/console/participants"): Entry(ALL, unit="query"),
    ("GET", "/console/participants/{participant_id}"): Entry(ORG, unit="participant"),
    ("GET", "/console/audit"): Entry(frozenset({"admin"})),
    ("GET", "/console/contests/{contest_id}/consent"): Entry(ORG),
    ("POST", "/console/contests/{contest_id}/consent"): Entry(ORG),
    ("GET", "/console/staff"): Entry(ADMIN),
    ("POST", "/console/staff"): Entry(ADMIN),
    ("GET", "/console/staff/{staff_id}"): Entry(ADMIN),
    ("POST", "/console/staff/{staff_id}"): Entry(ADMIN),
    ("GET", "/console/account/totp"): Entry(ORG),
    ("POST", "/console/account/totp"): Entry(ORG),
    # issue 5: integrity review, scoped to the unit like exports (issue 14)
    ("GET", "/api/staff/review/rounds/{round_id}"): Entry(ALL, unit="query"),
    ("POST", "/api/staff/review/rounds/{round_id}/scan"): Entry(ORG, body="json"),
    ("POST", "/api/staff/review/rounds/{round_id}/participants/{participant_id}"):
        Entry(ORG, body="json", unit="participant"),
    # issue 7: results
    ("POST", "/api/staff/rounds/{round_id}/finalise"): Entry(ORG, body="json"),
    ("POST", "/api/staff/rounds/{round_id}/draw-commitment"): Entry(ORG, body="json"),
    ("GET", "/api/staff/rounds/{round_id}/exports/{kind}.{fmt}"): Entry(ALL, unit="query"),
    # issue 16: official PDFs (the participation report here; roles per document are tested
    # in tests/web/test_exports.py)
    ("GET", "/api/staff/rounds/{round_id}/documents/{doc}.pdf"): Entry(ALL, unit="query"),
    # issue 7: the console's results pages (the open test round: finalising is refused, 409)
    ("GET", "/console/results"): Entry(ALL),
    ("GET", "/console/rounds/{round_id}/results"): Entry(ALL, unit="query"),
    ("POST", "/console/rounds/{round_id}/results/finalise"): Entry(ORG),
    ("POST", "/console/rounds/{round_id}/results/draw-commitment"): Entry(ORG),
    ("POST", "/console/rounds/{round_id}/results/notify"): Entry(ORG),
    ("POST", "/console/rounds/{round_id}/results/claim"): Entry(ORG),
    ("GET", "/console/contests/{contest_id}/announcements"): Entry(ORG),
    ("POST", "/console/contests/{contest_id}/announcements"): Entry(ORG),
    ("POST", "/console/contests/{contest_id}/announcements/{announcement_id}"): Entry(ORG),
    # issue 17: the contest wizard, contest files and clones (draft 1 exists; the empty
    # form bodies of the matrix are refused with 422)
    ("GET", "/console/wizard"): Entry(ORG),
    ("POST", "/console/wizard"): Entry(ORG),
    ("POST", "/console/wizard/import"): Entry(ORG),
    ("GET", "/console/wizard/{draft_id}/contest.yaml"): Entry(ORG),
    ("GET", "/console/wizard/{draft_id}/{step}"): Entry(ORG),
    ("POST", "/console/wizard/{draft_id}/{step}"): Entry(ORG),
    ("GET", "/console/contests/{contest_id}/contest.yaml"): Entry(ORG),
    ("POST", "/console/contests/{contest_id}/clone"): Entry(ORG),
    ("POST", "/console/contests/{contest_id}/rounds/{round_id}/clone"): Entry(ORG),
    # issue 17 item 8: draw up a final round's list (the test round has no rule: 422)
    ("POST", "/console/contests/{contest_id}/rounds/{round_id}/qualify"): Entry(ORG),
    ("GET", "/console/banks/{version_id}/questions"): Entry(ORG),
    ("GET", "/console/banks/{version_id}/questions/{question_id}"): Entry(ORG),
    ("POST", "/console/banks/{version_id}/questions/{question_id}"): Entry(ORG),
    ("GET", "/console/district"): Entry(ALL, unit="query"),
    ("GET", "/console/participants/import"): Entry(ROSTER),
    ("POST", "/console/participants/import"): Entry(ROSTER),
    ("GET", "/console/participants/import/template.xlsx"): Entry(ROSTER),
    # issue 15: the outbox (every role, unit scoped) and officer-issued reset codes
    ("GET", "/console/outbox"): Entry(ALL, unit="query"),
    ("GET", "/console/participants/{participant_id}/reset-code"):
        Entry(RESET, unit="participant"),
    ("POST", "/console/participants/{participant_id}/reset-code"):
        Entry(RESET, unit="participant"),
}


def staff_routes(app: object) -> set[tuple[str, str]]:
    """(method, path) of every route under /console or /api/staff."""
    out = set()
    for r in app.routes:  # type: ignore[attr-defined]
        if isinstance(r, Route) and r.path.startswith(("/console", "/api/staff")):
            out |= {(m, r.path) for m in (r.methods or ()) if m != "HEAD"}
    return out


async def test_every_staff_route_has_a_matrix_entry(console: Console) -> None:
    routes = staff_routes(console.world.app)
    missing = routes - set(MATRIX)
    assert not missing, f"routes without an access-matrix entry: {sorted(missing)}"
    stale = set(MATRIX) - routes
    assert not stale, f"matrix entries for routes that no longer exist: {sorted(stale)}"


def _url(path: str, ids: dict[str, str], unit: str | None, entry: Entry) -> str:
    url = path.format(contest_id=ids["contest"], round_id=ids["round"], kind="hourly",
                      fmt="csv", doc="report", name="console.css", staff_id=ids["staff"],
                      draft_id="1", version_id="1", question_id="1", announcement_id="1",
                      step="basics",
                      participant_id=ids["pid_" + (unit or OWN_UNIT)])
    if "/exports/" in path:
        url = url.replace("hourly.csv", "participation.csv")
    if entry.unit == "query" and unit:
        url += f"?unit={unit}"
    return url


async def _call(client: httpx.AsyncClient, method: str, url: str, entry: Entry) -> int:
    if method == "GET":
        return (await client.get(url)).status_code
    if entry.body == "json":
        return (await client.post(url, json={})).status_code
    return (await client.post(url, data={"title": ""})).status_code


async def test_matrix(console: Console) -> None:
    w = console.world
    own = await w.register(w.make_client(), phone="0911111111", unit_code="BP-BUDANG-THPT")
    other = await w.register(w.make_client(), phone="0922222222", unit_code=OTHER_UNIT)
    ids = {"contest": "1", "round": str(w.round_id), "staff": "2",
           "pid_" + OWN_UNIT: own.json()["participant_id"],
           "pid_" + OTHER_UNIT: other.json()["participant_id"]}
    await console_wizard.create(w.ctx, "Cuộc thi nháp", "staff:admin")
    await announcements.publish(w.ctx, 1, announcements.Draft("Tin", "Nội dung"), "staff:admin")
    anonymous = w.make_client()
    failures: list[str] = []
    for (method, path), entry in sorted(MATRIX.items()):
        if path in ("/api/staff/logout", "/console/logout"):
            continue  # covered below: logging out would end the session the matrix uses
        if entry.public:
            continue
        status = await _call(anonymous, method, _url(path, ids, None, entry), entry)
        if status not in (401, 303):
            failures.append(f"anonymous {method} {path}: {status}")
        for who in sorted(ALL):
            client = console.clients.get(who) or await console.login(who)
            units = [OWN_UNIT, OTHER_UNIT] if entry.unit else [None]
            for unit in units:
                status = await _call(client, method, _url(path, ids, unit, entry), entry)
                if who not in entry.allowed:
                    ok = status == 403
                elif who == "officer" and unit == OTHER_UNIT:
                    ok = status == 404
                else:
                    ok = status not in (401, 403, 404) and status < 500
                if not ok:
                    failures.append(f"{who} {method} {path} unit={unit}: {status}")
    assert not failures, "\n".join(failures)


async def test_logout_routes_need_a_session_and_token(console: Console) -> None:
    for path in ("/api/staff/logout", "/console/logout"):
        assert (await console.world.make_client().post(path)).status_code in (401, 303)
        for who in sorted(ALL):
            client = await console.login(who)
            assert (await client.post(path)).status_code in (200, 303)
            assert (await client.get("/api/staff/me")).status_code == 401
