"""Console pages for organisers: banks, unit tree, contests and rounds (parse, call, render)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from contest.console import banks as console_banks
from contest.console.wizard import PrizeInput
from contest.domain.final_ranking import CRITERIA, DEFAULT_CHAIN
from contest.domain.phrase import Phrase
from contest.domain.qualify import parse as parse_qualify
from contest.domain.vocabulary import RoundKind, StaffRole
from contest.errors import ConfigInvalid
from contest.people import consent
from contest.setup import qualification, round_settings
from contest.web.console.forms import TIERS, Form, preview, prize_input, read_form
from contest.web.console.render import page
from contest.web.console.views import ctx_of, form_str, html, on_error_show
from contest.web.errors import locale_of
from contest.web.parsing import path_int
from contest.web.staff_auth import client_ip, require_staff

ORGANISERS = (StaffRole.ADMIN, StaffRole.ORGANISER)
MAX_UPLOAD = console_banks.MAX_UPLOAD


def _actor(staff: Any) -> str:
    return f"staff:{staff.username}"


async def _upload(request: Request, name: str) -> tuple[str, bytes] | None:
    form = await request.form()
    f = form.get(name)
    if not isinstance(f, UploadFile) or not f.filename:
        return None
    data = await f.read(MAX_UPLOAD + 1)
    return f.filename, data


@html
async def banks(request: Request) -> Response:
    await require_staff(request, *ORGANISERS)
    return page(request, "banks.html", versions=await round_settings.bank_versions(ctx_of(request)))


@html
async def bank_upload(request: Request) -> Response:
    staff = await require_staff(request, *ORGANISERS)
    ctx = ctx_of(request)
    on_error_show(request, "banks.html", versions=await round_settings.bank_versions(ctx))
    up = await _upload(request, "file")
    if up is None:
        raise ConfigInvalid(detail=Phrase("detail.console.no_bank_file"))
    done = await console_banks.upload(ctx, up[0], up[1], locale_of(request), _actor(staff),
                                      client_ip(request))
    return page(request, "banks.html", status=200 if done.imported else 422,
                versions=await round_settings.bank_versions(ctx), report=done.report,
                filename=done.filename, imported=done.imported)


@html
async def units(request: Request) -> Response:
    await require_staff(request, *ORGANISERS)
    return page(request, "units.html")


@html
async def units_upload(request: Request) -> Response:
    staff = await require_staff(request, *ORGANISERS)
    on_error_show(request, "units.html")
    up = await _upload(request, "file")
    if up is None:
        raise ConfigInvalid(detail=Phrase("detail.console.no_units_file"))
    count = await round_settings.upload_units(ctx_of(request), up[0], up[1], _actor(staff),
                                              client_ip(request))
    return page(request, "units.html", loaded=count)


@html
async def contests(request: Request) -> Response:
    await require_staff(request, *ORGANISERS)
    return page(request, "contests.html", contests=await round_settings.contests(ctx_of(request)))


@html
async def contest_edit(request: Request) -> Response:
    await require_staff(request, *ORGANISERS)
    c, rounds = await round_settings.contest(ctx_of(request), path_int(request, "contest_id"))
    return page(request, "contest.html", contest=c, rounds=rounds,
                saved=request.query_params.get("saved") == "1")


def _groups(raw: str) -> list[dict[str, str]]:
    out = []
    for line in raw.splitlines():
        code, _, name = line.partition("|")
        if code.strip():
            out.append({"code": code.strip(), "name": (name or code).strip()})
    return out


def _int_or_none(raw: str, what: Phrase) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigInvalid(detail=Phrase("detail.console.not_integer", what=what)) from exc


@html
async def contest_save(request: Request) -> Response:
    staff = await require_staff(request, *ORGANISERS)
    cid = path_int(request, "contest_id")
    await round_settings.update_contest(
        ctx_of(request), cid, title=await form_str(request, "title"),
        rules=await form_str(request, "rules"), groups=_groups(await form_str(request, "groups")),
        min_age=_int_or_none(await form_str(request, "min_age"),
                             Phrase("detail.console.field.min_age")),
        visible=await form_str(request, "visible") == "on", actor=_actor(staff),
        ip=client_ip(request), zalo_oa_id=await form_str(request, "zalo_oa_id") or None)
    return RedirectResponse(f"/console/contests/{cid}?saved=1", status_code=303)


@html
async def round_new(request: Request) -> Response:
    await require_staff(request, *ORGANISERS)
    ctx = ctx_of(request)
    c, rounds = await round_settings.contest(ctx, path_int(request, "contest_id"))
    return page(request, "round.html", contest=c, round=None, rounds=rounds,
                versions=await round_settings.bank_versions(ctx), form={},
                **_prize_context(c.groups, None, None))


@html
async def round_edit(request: Request) -> Response:
    await require_staff(request, *ORGANISERS)
    ctx = ctx_of(request)
    c, rounds = await round_settings.contest(ctx, path_int(request, "contest_id"))
    rid = path_int(request, "round_id")
    r = next((x for x in rounds if x.id == rid), None)
    if r is None:
        from contest.errors import NotFound

        raise NotFound()
    return page(request, "round.html", contest=c, round=r, rounds=rounds,
                versions=await round_settings.bank_versions(ctx), form=_round_form(request, r),
                saved=request.query_params.get("saved") == "1",
                qualification=await qualification.status(ctx, rid),
                **_prize_context(c.groups, r.prizes, r.tie_breaks))


def _prize_context(groups: list[dict[str, str]], prizes: dict[str, Any] | None,
                   chain: list[str] | None) -> dict[str, Any]:
    """What the shared prize form (_prize_fields.html) needs to show a round's prizes."""
    chosen = list(chain or DEFAULT_CHAIN)
    return {"prizes": prizes or {}, "chain": chosen, "groups": groups, "tiers": TIERS,
            "criteria": CRITERIA,
            "preview": preview(PrizeInput([], prizes, chosen), groups)}


def _round_form(request: Request, r: Any) -> dict[str, str]:
    tz = request.app.state.settings.tz
    quotas = "\n".join(f"{q['count']}|{q.get('topic') or ''}|{q.get('difficulty') or ''}"
                       for q in r.quotas)
    return {
        "title": r.title, "kind": r.kind,
        "opens_at": r.opens_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": r.closes_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
        "bank_version_id": str(r.bank_version_id),
        "questions_per_attempt": str(r.questions_per_attempt), "quotas": quotas,
        "question_set": r.question_set or "",
        "time_limit_min": f"{r.time_limit_s / 60:g}", "grace_s": str(r.grace_s),
        "max_attempts": "" if r.max_attempts is None else str(r.max_attempts),
        "counting": r.counting, "partial_credit": "on" if r.partial_credit else "",
        "score_shown": r.score_shown or "",
        "prediction_prompt": r.prediction_prompt or "",
        "prediction_kind": r.prediction_kind or "",
        **_qualify_form(r.qualify),
    }


def _qualify_form(raw: dict[str, Any] | None) -> dict[str, Any]:
    """The final-round fields of the round form from a stored rule."""
    if not raw:
        return {}
    return {"qualify_on": "on", "qualify_best": str(raw.get("best_per_round", "")),
            "qualify_ties": raw.get("ties", "draw"), "qualify_from": list(raw.get("from") or [])}


def _qualify(f: Form) -> dict[str, Any] | None:
    """The final-round rule the form asks for (contest.domain.qualify); ConfigInvalid."""
    if f.raw.get("qualify_on") != "on":
        return None
    chosen = [t for t in f.form.getlist("qualify_from") if isinstance(t, str)]
    try:
        rule = parse_qualify({
            "best_per_round": _int_or_none(f.raw.get("qualify_best", ""),
                                           Phrase("detail.console.field.qualify_best")),
            "from": chosen, "ties": f.raw.get("qualify_ties") or "draw"})
    except ValueError as exc:
        raise ConfigInvalid(detail=str(exc)) from exc
    return rule.as_dict() if rule else None


def _round_settings(raw: dict[str, str], tz: Any, prizes: PrizeInput,
                    qualify: dict[str, Any] | None = None) -> round_settings.RoundSettings:
    """The round form parsed into settings (times in the configured zone); ConfigInvalid."""

    def when(name: str, what: Phrase) -> datetime:
        try:
            return datetime.strptime(raw.get(name, ""), "%Y-%m-%dT%H:%M").replace(tzinfo=tz)
        except ValueError as exc:
            raise ConfigInvalid(detail=Phrase("detail.console.needs_datetime",
                                               what=what)) from exc

    quotas = []
    for n, line in enumerate(raw.get("quotas", "").splitlines(), start=1):
        if not line.strip():
            continue
        count, _, rest = line.partition("|")
        topic, _, difficulty = rest.partition("|")
        c = _int_or_none(count.strip(), Phrase("detail.console.field.quota_count", n=n))
        quotas.append({"count": c, "topic": topic.strip() or None,
                       "difficulty": difficulty.strip() or None})
    minutes = raw.get("time_limit_min", "") or "0"
    try:
        limit_s = int(float(minutes) * 60)
    except ValueError as exc:
        raise ConfigInvalid(detail=Phrase("detail.console.time_limit_minutes")) from exc
    return round_settings.RoundSettings(
        title=raw.get("title", ""), kind=raw.get("kind") or RoundKind.RANKED,
        opens_at=when("opens_at", Phrase("detail.console.field.opens_at")),
        closes_at=when("closes_at", Phrase("detail.console.field.closes_at")),
        bank_version_id=_int_or_none(raw.get("bank_version_id", ""),
                                     Phrase("detail.console.field.bank")) or 0,
        questions_per_attempt=_int_or_none(raw.get("questions_per_attempt", ""),
                                           Phrase("detail.console.field.per_attempt")) or 0,
        quotas=quotas, time_limit_s=limit_s,
        grace_s=_int_or_none(raw.get("grace_s", ""), Phrase("detail.console.field.grace")) or 0,
        max_attempts=_int_or_none(raw.get("max_attempts", ""),
                                  Phrase("detail.console.field.max_attempts")),
        counting=raw.get("counting", "best"), partial_credit=raw.get("partial_credit") == "on",
        prediction_prompt=raw.get("prediction_prompt") or None,
        prediction_kind=raw.get("prediction_kind") or None, prizes=prizes.prizes,
        tie_breaks=prizes.tie_breaks or None, score_shown=raw.get("score_shown") or None,
        question_set=raw.get("question_set", "").strip() or None, qualify=qualify)


@html
async def round_save(request: Request) -> Response:
    staff = await require_staff(request, *ORGANISERS)
    ctx = ctx_of(request)
    cid = path_int(request, "contest_id")
    rid = path_int(request, "round_id") if "round_id" in request.path_params else None
    c, rounds = await round_settings.contest(ctx, cid)
    f = await read_form(request)
    raw = f.raw
    pz = prize_input(f)
    form: dict[str, Any] = {**raw, "qualify_from": f.form.getlist("qualify_from")}
    shown = {"contest": c, "form": form, "round": None if rid is None else {"id": rid},
             "rounds": rounds,
             "versions": await round_settings.bank_versions(ctx),
             **_prize_context(c.groups, pz.prizes, pz.tie_breaks)}
    on_error_show(request, "round.html", **shown)
    f.done()
    if raw.get("action") == "preview" or raw.get("move"):
        return page(request, "round.html", **shown)
    r = await round_settings.save_round(
        ctx, cid, rid, _round_settings(raw, request.app.state.settings.tz, pz, _qualify(f)),
        _actor(staff),
        client_ip(request), confirm_close_earlier=raw.get("confirm_close_earlier") == "on")
    return RedirectResponse(f"/console/contests/{cid}/rounds/{r.id}?saved=1", status_code=303)


@html
async def round_qualify(request: Request) -> Response:
    """Draw up the list of a final round from its finalised source rounds (issue 17)."""
    staff = await require_staff(request, *ORGANISERS)
    ctx = ctx_of(request)
    cid, rid = path_int(request, "contest_id"), path_int(request, "round_id")
    _, rounds = await round_settings.contest(ctx, cid)
    if not any(r.id == rid for r in rounds):
        from contest.errors import NotFound

        raise NotFound()
    await qualification.open_list(ctx, rid, _actor(staff), client_ip(request))
    return RedirectResponse(f"/console/contests/{cid}/rounds/{rid}?qualified=1#qualification",
                            status_code=303)


@html
async def consent_page(request: Request) -> Response:
    await require_staff(request, *ORGANISERS)
    ctx = ctx_of(request)
    c, _ = await round_settings.contest(ctx, path_int(request, "contest_id"))
    assert c.id is not None
    current = await consent.current(ctx, c.id)
    versions = await consent.history(ctx, c.id)
    form = {"version": f"{ctx.now().astimezone(request.app.state.settings.tz):%Y-%m-%d}"
                       f"-v{len(versions) + 1}",
            "text": current.text, "purposes": "\n".join(current.purposes)}
    return page(request, "consent.html", contest=c, current=current, versions=versions,
                form=form, saved=request.query_params.get("saved") == "1")


@html
async def consent_publish(request: Request) -> Response:
    staff = await require_staff(request, *ORGANISERS)
    ctx = ctx_of(request)
    cid = path_int(request, "contest_id")
    c, _ = await round_settings.contest(ctx, cid)
    form = {"version": await form_str(request, "version"),
            "text": await form_str(request, "text"),
            "purposes": await form_str(request, "purposes")}
    on_error_show(request, "consent.html", contest=c, current=await consent.current(ctx, cid),
                  versions=await consent.history(ctx, cid), form=form)
    await consent.publish(ctx, cid, form["version"], form["text"],
                          form["purposes"].splitlines(), _actor(staff), client_ip(request))
    return RedirectResponse(f"/console/contests/{cid}/consent?saved=1", status_code=303)
