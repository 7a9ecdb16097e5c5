"""Results pages and exports: public results (JSON, HTML, eligible list), the answer key,
the staff actions and exports (finalise, draw commitment, CSV/XLSX), the official PDF
documents, and a participant's own certificate."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from contest.core import scope
from contest.core.context import Services
from contest.domain.vocabulary import StaffRole
from contest.errors import ExportUnknown
from contest.i18n import DEFAULT_LOCALE, available, t, with_prefix
from contest.results import documents, exports, finalise
from contest.results import published as results
from contest.web.assets import bundle
from contest.web.errors import locale_of
from contest.web.parsing import participant_id, path_int
from contest.web.staff_auth import client_ip, require_staff

TEMPLATES = Path(__file__).resolve().parent / "templates"
ORGANISERS = (StaffRole.ADMIN, StaffRole.ORGANISER)
OFFICERS = (*ORGANISERS, StaffRole.UNIT_OFFICER)
EVERYONE = tuple(StaffRole)
CHECK_JS = "app/drawcheck.js"  # the results page's in-browser draw check (Web Crypto)
# Who may take which export: contact details only for roles that hand out the prizes.
EXPORT_ROLES = {
    "winners": EVERYONE,
    "participation": EVERYONE,
    "ranking": OFFICERS,
    "winners_internal": OFFICERS,
}


@cache
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                       trim_blocks=True, lstrip_blocks=True)


# the public results pages: their own inline <style>, the draw check's module and its texts
# (a JSON block, never run); nothing else
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'")


def _page(html: str) -> HTMLResponse:
    return HTMLResponse(html, headers={"Content-Security-Policy": PAGE_POLICY})


def _language(request: Request) -> dict[str, Any]:
    """The page's language: `lang` (a locale with a shipped catalogue, for <html lang>) and
    `_`, its texts in that locale (Vietnamese for a key the locale lacks)."""
    asked = locale_of(request)
    lang = asked if asked in available() else DEFAULT_LOCALE

    def text(key: str, **params: object) -> str:
        return t(key, lang, **params)

    return {"lang": lang, "_": text}


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
    body = exports.eligible_csv(_ctx(request), rid)
    return StreamingResponse(body, media_type=exports.FORMATS["csv"], headers={
        "Content-Disposition": f'attachment; filename="dot-{rid}-danh-sach-hop-le.csv"'})


async def results_page(request: Request) -> HTMLResponse:
    """GET /results/{id}: the public results page (winners masked, how to verify)."""
    rid = path_int(request, "round_id")
    ctx = _ctx(request)
    data = await results.manifest(ctx, rid)
    language = _language(request)
    html = _env().get_template("results/page.html").render(
        m=data, round_id=rid, chain_text=results.chain_sentence(data["chain"], language["lang"]),
        check=with_prefix("drawcheck."), check_js=bundle(request).urls.get(CHECK_JS),
        finalised_local=results.local_text(data["round"]["finalised_at"], ctx.settings.tz),
        **language)
    return _page(html)


async def answer_key_page(request: Request) -> HTMLResponse:
    """GET /answer-key/{id}: the printable answer key of a closed round."""
    r, questions, withheld = await results.answer_key(_ctx(request),
                                                      path_int(request, "round_id"))
    html = _env().get_template("results/answer_key.html").render(
        round=r, questions=questions, withheld=withheld, **_language(request))
    return _page(html)


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
                               level=level, unit=unit or staff.unit_code)
    return _download(exp)


DOCUMENT_ROLES = {
    "winners": OFFICERS,  # full names and dates of birth
    "report": EVERYONE,
    "certificates": OFFICERS,
}


def _pdf(data: bytes, name: str) -> Response:
    return Response(data, media_type=documents.MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


async def staff_document(request: Request) -> Response:
    """GET /api/staff/rounds/{id}/documents/{doc}.pdf?unit=CODE: the official winners list,
    the participation report or the certificates (one PDF), within the staff's scope."""
    doc = request.path_params["doc"]
    if doc not in DOCUMENT_ROLES:
        raise ExportUnknown()
    staff = await require_staff(request, *DOCUMENT_ROLES[doc])
    ctx = _ctx(request)
    unit = request.query_params.get("unit") or None
    codes = await scope.narrowed(ctx, staff, unit)
    rid = path_int(request, "round_id")
    label = unit or staff.unit_code
    make = {"winners": documents.winners_pdf, "report": documents.report_pdf,
            "certificates": documents.certificates_pdf}[doc]
    data = await make(ctx, rid, codes, label, f"staff:{staff.username}",
                      str(request.base_url))
    return _pdf(data, await documents.filename_for(ctx, rid, doc, label))


async def own_certificate(request: Request) -> Response:
    """GET /api/v1/rounds/{id}/certificate.pdf: the logged-in participant's own certificate
    (the prize, or participation) once the round is finalised."""
    pid = participant_id(request)
    ctx = _ctx(request)
    rid = path_int(request, "round_id")
    data = await documents.certificates_pdf(ctx, rid, None, None, f"participant:{pid}",
                                            str(request.base_url), participant_id=pid)
    return _pdf(data, await documents.filename_for(ctx, rid, "certificate", None))


ROUTES = [
    Route("/api/v1/rounds/{round_id}/results", results_json, methods=["GET"]),
    Route("/api/v1/rounds/{round_id}/results/eligible.csv", eligible_csv, methods=["GET"]),
    Route("/api/v1/rounds/{round_id}/draw-commitment", commitment_json, methods=["GET"]),
    Route("/results/{round_id}", results_page, methods=["GET"]),
    Route("/answer-key/{round_id}", answer_key_page, methods=["GET"]),
    Route("/api/staff/rounds/{round_id}/finalise", finalise_round, methods=["POST"]),
    Route("/api/staff/rounds/{round_id}/draw-commitment", commit_round_draw, methods=["POST"]),
    Route("/api/staff/rounds/{round_id}/exports/{kind}.{fmt}", staff_export, methods=["GET"]),
    Route("/api/staff/rounds/{round_id}/documents/{doc}.pdf", staff_document, methods=["GET"]),
    Route("/api/v1/rounds/{round_id}/certificate.pdf", own_certificate, methods=["GET"]),
]
