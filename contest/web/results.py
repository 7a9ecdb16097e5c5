"""Results pages and exports: public results (JSON, HTML, eligible list), the answer key,
and the staff actions and exports (finalise, draw commitment, CSV/XLSX)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, StreamingResponse
from starlette.routing import Route

from contest.domain import export_rows as xr
from contest.errors import ExportUnknown
from contest.services import exports, finalise, results, scope
from contest.services.context import Services
from contest.web.parsing import path_int
from contest.web.staff_auth import client_ip, require_staff

TEMPLATES = Path(__file__).resolve().parent / "templates"
ORGANISERS = ("admin", "organiser")
# Who may take which export: contact details only for roles that hand out the prizes.
EXPORT_ROLES = {
    "winners": ("admin", "organiser", "unit_officer", "viewer"),
    "participation": ("admin", "organiser", "unit_officer", "viewer"),
    "ranking": ("admin", "organiser", "unit_officer"),
    "winners_internal": ("admin", "organiser", "unit_officer"),
}


@cache
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                       trim_blocks=True, lstrip_blocks=True)


def _ctx(request: Request) -> Services:
    ctx: Services = request.app.state.services
    return ctx


def _download(exp: exports.Export) -> StreamingResponse:
    return StreamingResponse(exp.body, media_type=exp.media_type, headers={
        "Content-Disposition": f'attachment; filename="{exp.filename}"',
        "Cache-Control": "no-store"})


async def results_json(request: Request) -> JSONResponse:
    """GET /api/v1/rounds/{id}/results: the verifiable manifest of a finalised round."""
    return JSONResponse(await results.manifest(_ctx(request), path_int(request, "round_id")))


async def commitment_json(request: Request) -> JSONResponse:
    """GET /api/v1/rounds/{id}/draw-commitment: published before the round opens."""
    data = await results.public_commitment(_ctx(request), path_int(request, "round_id"))
    return JSONResponse(data)


async def eligible_csv(request: Request) -> StreamingResponse:
    """GET /api/v1/rounds/{id}/results/eligible.csv: the list the draw ran on."""
    rid = path_int(request, "round_id")
    await results.manifest(_ctx(request), rid)  # 404 before finalisation
    body = exports.csv_bytes(xr.ELIGIBLE, exports.eligible_rows(_ctx(request), rid))
    return StreamingResponse(body, media_type=exports.FORMATS["csv"], headers={
        "Content-Disposition": f'attachment; filename="dot-{rid}-danh-sach-hop-le.csv"'})


async def results_page(request: Request) -> HTMLResponse:
    """GET /results/{id}: the public results page (winners masked, how to verify)."""
    rid = path_int(request, "round_id")
    data = await results.manifest(_ctx(request), rid)
    html = _env().get_template("results/page.html").render(m=data, round_id=rid)
    return HTMLResponse(html)


async def answer_key_page(request: Request) -> HTMLResponse:
    """GET /answer-key/{id}: the printable answer key of a closed round."""
    r, questions = await results.answer_key(_ctx(request), path_int(request, "round_id"))
    html = _env().get_template("results/answer_key.html").render(round=r, questions=questions)
    return HTMLResponse(html)


async def finalise_round(request: Request) -> JSONResponse:
    """POST /api/staff/rounds/{id}/finalise (admin, organiser)."""
    staff = await require_staff(request, *ORGANISERS)
    s = await finalise.finalise(_ctx(request), path_int(request, "round_id"),
                                actor=f"staff:{staff.username}")
    return JSONResponse({"round_id": s.round_id, "entrants": s.entrants,
                         "eligible": s.eligible, "actual_figure": s.actual_figure,
                         "awards": s.awards, "collective_awards": s.collective_awards,
                         "tied_entries": s.tied_entries, "eligible_hash": s.eligible_hash,
                         "commitment": s.commitment, "seed": s.seed_hex})


async def commit_round_draw(request: Request) -> JSONResponse:
    """POST /api/staff/rounds/{id}/draw-commitment (admin, organiser): generate the seed."""
    staff = await require_staff(request, *ORGANISERS)
    draw = await finalise.commit_draw(_ctx(request), path_int(request, "round_id"),
                                      actor=f"staff:{staff.username}")
    return JSONResponse({"round_id": draw.round_id, "commitment": draw.commitment}, 201)


async def staff_export(request: Request) -> StreamingResponse:
    """GET /api/staff/rounds/{id}/exports/{kind}.{fmt}?unit=CODE&level=N (unit-scoped)."""
    kind = request.path_params["kind"].replace("-", "_")
    if kind not in EXPORT_ROLES:
        raise ExportUnknown()
    staff = await require_staff(request, *EXPORT_ROLES[kind])
    ctx = _ctx(request)
    unit = request.query_params.get("unit") or None
    codes = await scope.narrowed(ctx, staff, unit)
    level_raw = request.query_params.get("level", "2")
    level = int(level_raw) if level_raw.isdecimal() and 0 < int(level_raw) < 10 else 2
    exp = await exports.export(ctx, path_int(request, "round_id"), kind,
                               request.path_params["fmt"], codes,
                               actor=f"staff:{staff.username}", ip=client_ip(request),
                               level=level)
    return _download(exp)


ROUTES = [
    Route("/api/v1/rounds/{round_id}/results", results_json, methods=["GET"]),
    Route("/api/v1/rounds/{round_id}/results/eligible.csv", eligible_csv, methods=["GET"]),
    Route("/api/v1/rounds/{round_id}/draw-commitment", commitment_json, methods=["GET"]),
    Route("/results/{round_id}", results_page, methods=["GET"]),
    Route("/answer-key/{round_id}", answer_key_page, methods=["GET"]),
    Route("/api/staff/rounds/{round_id}/finalise", finalise_round, methods=["POST"]),
    Route("/api/staff/rounds/{round_id}/draw-commitment", commit_round_draw, methods=["POST"]),
    Route("/api/staff/rounds/{round_id}/exports/{kind}.{fmt}", staff_export, methods=["GET"]),
]
