"""Console pages for organisers: banks, unit tree, contests and rounds (parse, call, render)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from contest.banks.io import detect_format, parse_bytes
from contest.banks.messages import message, where
from contest.banks.problems import BankInvalid, Loc, error
from contest.errors import ConfigInvalid
from contest.services import audit_log, consent, console_config
from contest.services.banks import import_bank
from contest.services.units import UnitFileError, load_units, parse_units
from contest.storage.db import transaction
from contest.web.console.render import page
from contest.web.console.views import ctx_of, form_str, html
from contest.web.errors import locale_of
from contest.web.parsing import path_int
from contest.web.staff_auth import client_ip, require_staff

ORGANISERS = ("admin", "organiser")
MAX_UPLOAD = 10 * 1024 * 1024


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
    return page(request, "banks.html", versions=await console_config.bank_versions(ctx_of(request)))


@html
async def bank_upload(request: Request) -> Response:
    staff = await require_staff(request, *ORGANISERS)
    ctx = ctx_of(request)
    loc = locale_of(request)
    up = await _upload(request, "file")
    versions = await console_config.bank_versions(ctx)
    if up is None:
        raise ConfigInvalid(detail="chưa chọn tệp ngân hàng câu hỏi")
    filename, data = up
    problems = []
    bank = None
    if len(data) > MAX_UPLOAD:
        problems = [error("file_too_large", Loc(filename), size=len(data), limit=MAX_UPLOAD)]
    else:
        fmt = detect_format(filename)
        try:
            if fmt is None:
                problems = [error("unknown_extension", Loc(filename), name=filename)]
            else:
                bank, problems = parse_bytes(data, filename, fmt)
        except BankInvalid as exc:
            bank, problems = None, exc.problems
    report = [{"where": where(p, loc), "row": p.row or p.line, "column": p.column or "",
               "severity": p.severity, "message": message(p, loc)} for p in problems]
    if bank is None or any(p.is_error for p in problems):
        return page(request, "banks.html", status=422, versions=versions, report=report,
                    filename=filename)
    version, created = await import_bank(ctx, bank)
    async with transaction(ctx.sm) as s:
        audit_log.record(s, ctx.now(), _actor(staff), "bank.import", f"bank:{bank.code}",
                         ip=client_ip(request), version=version.number, created=created,
                         questions=len(bank.questions), file=filename)
    return page(request, "banks.html", versions=await console_config.bank_versions(ctx),
                report=report, filename=filename, imported=(bank, version, created))


@html
async def units(request: Request) -> Response:
    await require_staff(request, *ORGANISERS)
    return page(request, "units.html")


@html
async def units_upload(request: Request) -> Response:
    staff = await require_staff(request, *ORGANISERS)
    ctx = ctx_of(request)
    up = await _upload(request, "file")
    if up is None:
        raise ConfigInvalid(detail="chưa chọn tệp đơn vị")
    filename, data = up
    try:
        rows = parse_units(data.decode("utf-8-sig"), filename)
    except (UnitFileError, UnicodeDecodeError) as exc:
        return page(request, "units.html", status=422, error=str(exc))
    count = await load_units(ctx, rows)
    async with transaction(ctx.sm) as s:
        audit_log.record(s, ctx.now(), _actor(staff), "units.load", filename,
                         ip=client_ip(request), rows=count)
    return page(request, "units.html", loaded=count)


@html
async def contests(request: Request) -> Response:
    await require_staff(request, *ORGANISERS)
    return page(request, "contests.html", contests=await console_config.contests(ctx_of(request)))


@html
async def contest_edit(request: Request) -> Response:
    await require_staff(request, *ORGANISERS)
    c, rounds = await console_config.contest(ctx_of(request), path_int(request, "contest_id"))
    return page(request, "contest.html", contest=c, rounds=rounds,
                saved=request.query_params.get("saved") == "1")


def _groups(raw: str) -> list[dict[str, str]]:
    out = []
    for line in raw.splitlines():
        code, _, name = line.partition("|")
        if code.strip():
            out.append({"code": code.strip(), "name": (name or code).strip()})
    return out


def _int_or_none(raw: str, what: str) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigInvalid(detail=f"{what} phải là số nguyên") from exc


@html
async def contest_save(request: Request) -> Response:
    staff = await require_staff(request, *ORGANISERS)
    cid = path_int(request, "contest_id")
    await console_config.update_contest(
        ctx_of(request), cid, title=await form_str(request, "title"),
        rules=await form_str(request, "rules"), groups=_groups(await form_str(request, "groups")),
        min_age=_int_or_none(await form_str(request, "min_age"), "tuổi tối thiểu"),
        visible=await form_str(request, "visible") == "on", actor=_actor(staff),
        ip=client_ip(request))
    return RedirectResponse(f"/console/contests/{cid}?saved=1", status_code=303)


@html
async def round_new(request: Request) -> Response:
    await require_staff(request, *ORGANISERS)
    ctx = ctx_of(request)
    c, _ = await console_config.contest(ctx, path_int(request, "contest_id"))
    return page(request, "round.html", contest=c, round=None,
                versions=await console_config.bank_versions(ctx), form={})


@html
async def round_edit(request: Request) -> Response:
    await require_staff(request, *ORGANISERS)
    ctx = ctx_of(request)
    c, rounds = await console_config.contest(ctx, path_int(request, "contest_id"))
    rid = path_int(request, "round_id")
    r = next((x for x in rounds if x.id == rid), None)
    if r is None:
        from contest.errors import NotFound

        raise NotFound()
    return page(request, "round.html", contest=c, round=r,
                versions=await console_config.bank_versions(ctx), form=_round_form(request, r),
                saved=request.query_params.get("saved") == "1")


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
        "time_limit_min": f"{r.time_limit_s / 60:g}", "grace_s": str(r.grace_s),
        "max_attempts": "" if r.max_attempts is None else str(r.max_attempts),
        "counting": r.counting, "partial_credit": "on" if r.partial_credit else "",
        "score_shown": r.score_shown or "",
        "prediction_prompt": r.prediction_prompt or "",
        "prediction_kind": r.prediction_kind or "",
        "prizes": json.dumps(r.prizes, ensure_ascii=False, indent=2) if r.prizes else "",
    }


async def _round_settings(request: Request) -> tuple[console_config.RoundSettings, dict[str, str]]:
    """The round form parsed into settings (times in the configured zone); ConfigInvalid."""
    form = await request.form()
    raw = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
    tz = request.app.state.settings.tz

    def when(name: str, what: str) -> datetime:
        try:
            return datetime.strptime(raw.get(name, ""), "%Y-%m-%dT%H:%M").replace(tzinfo=tz)
        except ValueError as exc:
            raise ConfigInvalid(detail=f"{what} cần có ngày và giờ") from exc

    quotas = []
    for n, line in enumerate(raw.get("quotas", "").splitlines(), start=1):
        if not line.strip():
            continue
        count, _, rest = line.partition("|")
        topic, _, difficulty = rest.partition("|")
        c = _int_or_none(count.strip(), f"cơ cấu dòng {n}: số câu")
        quotas.append({"count": c, "topic": topic.strip() or None,
                       "difficulty": difficulty.strip() or None})
    try:
        prizes = json.loads(raw["prizes"]) if raw.get("prizes") else None
    except ValueError as exc:
        raise ConfigInvalid(detail=f"cơ cấu giải thưởng không phải JSON hợp lệ: {exc}") from exc
    minutes = raw.get("time_limit_min", "") or "0"
    try:
        limit_s = int(float(minutes) * 60)
    except ValueError as exc:
        raise ConfigInvalid(detail="thời gian làm bài phải là số phút") from exc
    rs = console_config.RoundSettings(
        title=raw.get("title", ""), kind=raw.get("kind") or "ranked",
        opens_at=when("opens_at", "thời điểm bắt đầu"),
        closes_at=when("closes_at", "thời điểm kết thúc"),
        bank_version_id=_int_or_none(raw.get("bank_version_id", ""), "ngân hàng") or 0,
        questions_per_attempt=_int_or_none(raw.get("questions_per_attempt", ""),
                                           "số câu mỗi lượt") or 0,
        quotas=quotas, time_limit_s=limit_s,
        grace_s=_int_or_none(raw.get("grace_s", ""), "thời gian ân hạn") or 0,
        max_attempts=_int_or_none(raw.get("max_attempts", ""), "số lượt thi"),
        counting=raw.get("counting", "best"), partial_credit=raw.get("partial_credit") == "on",
        prediction_prompt=raw.get("prediction_prompt") or None,
        prediction_kind=raw.get("prediction_kind") or None, prizes=prizes,
        score_shown=raw.get("score_shown") or None)
    return rs, raw


@html
async def round_save(request: Request) -> Response:
    staff = await require_staff(request, *ORGANISERS)
    ctx = ctx_of(request)
    cid = path_int(request, "contest_id")
    rid = path_int(request, "round_id") if "round_id" in request.path_params else None
    c, _ = await console_config.contest(ctx, cid)
    raw: dict[str, str] = {}
    try:
        rs, raw = await _round_settings(request)
        r = await console_config.save_round(ctx, cid, rid, rs, _actor(staff),
                                            client_ip(request))
    except ConfigInvalid as exc:
        from contest.web.console.messages import text

        form = await request.form()
        raw = raw or {k: v for k, v in form.items() if isinstance(v, str)}
        return page(request, "round.html", status=422, contest=c, round=None if rid is None
                    else type("R", (), {"id": rid})(), form=raw,
                    versions=await console_config.bank_versions(ctx),
                    error=text("error.config_invalid", locale_of(request), **exc.params))
    return RedirectResponse(f"/console/contests/{cid}/rounds/{r.id}?saved=1", status_code=303)


@html
async def consent_page(request: Request) -> Response:
    await require_staff(request, *ORGANISERS)
    ctx = ctx_of(request)
    c, _ = await console_config.contest(ctx, path_int(request, "contest_id"))
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
    c, _ = await console_config.contest(ctx, cid)
    form = {"version": await form_str(request, "version"),
            "text": await form_str(request, "text"),
            "purposes": await form_str(request, "purposes")}
    try:
        await consent.publish(ctx, cid, form["version"], form["text"],
                              form["purposes"].splitlines(), _actor(staff), client_ip(request))
    except ConfigInvalid as exc:
        from contest.web.console.messages import text

        return page(request, "consent.html", status=422, contest=c,
                    current=await consent.current(ctx, cid),
                    versions=await consent.history(ctx, cid), form=form,
                    error=text("error.config_invalid", locale_of(request), **exc.params))
    return RedirectResponse(f"/console/contests/{cid}/consent?saved=1", status_code=303)
