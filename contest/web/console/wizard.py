"""Console pages of the contest wizard, clones and contest-file export (parse, call, render)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from contest.console import contests as console_contests
from contest.console import wizard as console_wizard
from contest.console.wizard import STEPS
from contest.domain.final_ranking import CRITERIA, DEFAULT_CHAIN
from contest.domain.series import WeeklySeries
from contest.domain.vocabulary import RoundKind, StaffRole
from contest.errors import DraftInvalid, NotFound
from contest.i18n import words
from contest.setup import round_settings
from contest.setup.contest_file import UnitSpec, render
from contest.web.console.forms import TIERS, Form, preview, prize_input, read_form
from contest.web.console.messages import text as console_text
from contest.web.console.render import page
from contest.web.console.views import ctx_of, html, on_error_show
from contest.web.errors import locale_of
from contest.web.parsing import path_int
from contest.web.staff_auth import client_ip, require_staff

ORGANISERS = (StaffRole.ADMIN, StaffRole.ORGANISER)
MAX_FILE = 2 * 1024 * 1024


def _actor(staff: Any) -> str:
    return f"staff:{staff.username}"


def _units(f: Form) -> list[UnitSpec]:
    """Inline units, one per line: code|name|parent code|headcount (parents first)."""
    out: list[UnitSpec] = []
    levels: dict[str, int] = {}
    for n, line in enumerate(f.lines("units"), start=1):
        code, name, parent, head = ([*line.split("|"), "", "", ""])[:4]
        code, name, parent, head = code.strip(), name.strip(), parent.strip(), head.strip()
        if not code or not name:
            f.problem("form.problem.unit_line", n=n)
            continue
        if head and not head.isdigit():
            f.problem("form.problem.unit_headcount", n=n)
        level = levels.get(parent, 0) + 1 if parent else 1
        levels[code] = level
        out.append(UnitSpec(code, name, parent or None, level,
                            int(head) if head.isdigit() else None))
    return out


def _round_input(f: Form, prefix: str = "", timed: bool = True) -> console_wizard.RoundInput:
    bank, _, number = f.text(prefix + "bank").partition("@")
    opens = f.when(prefix + "opens_at", f.say("form.field.opens_at")) if timed else None
    closes = f.when(prefix + "closes_at", f.say("form.field.closes_at")) if timed else None
    minutes = f.number(prefix + "time_limit_min", f.say("form.field.time_limit"), 0.5, 360) or 15
    placeholder = datetime(2000, 1, 1, tzinfo=f.tz)
    return console_wizard.RoundInput(
        title=f.text(prefix + "title"), opens_at=opens or placeholder,
        closes_at=closes or placeholder, bank=bank,
        bank_version=int(number) if number.isdigit() else None,
        questions=f.integer(prefix + "questions", f.say("form.field.questions"), 1, 200) or 0,
        time_limit_s=int(minutes * 60),
        max_attempts=f.integer(prefix + "max_attempts", f.say("form.field.max_attempts"), 1, 100),
        counting=f.text(prefix + "counting") or "best",
        kind=f.text(prefix + "kind") or RoundKind.RANKED,
        prediction_prompt=f.text(prefix + "prediction_prompt") or None,
        prediction_kind=(f.text(prefix + "prediction_kind") or None)
        if f.text(prefix + "prediction_prompt") else None)


async def _step_values(request: Request, d: console_wizard.Draft, step: str) -> dict[str, Any]:
    """What a step's template needs besides the draft."""
    ctx = ctx_of(request)
    values: dict[str, Any] = {"draft": d, "spec": d.spec, "step": step, "steps": STEPS,
                              "yaml": None}
    if step == "basics":
        values["roots"] = await round_settings.unit_roots(ctx)
    elif step == "rounds":
        values["versions"] = await round_settings.bank_versions(ctx)
    elif step == "prizes":
        first = next((r for r in d.spec.rounds if r.kind == RoundKind.RANKED), None)
        chain = list(first.tie_breaks or DEFAULT_CHAIN) if first else list(DEFAULT_CHAIN)
        prizes = first.prizes if first else None
        values.update(criteria=CRITERIA, chain=chain,
                      groups=d.spec.groups,
                      prizes=prizes or {}, tiers=TIERS,
                      preview=preview(console_wizard.PrizeInput([], prizes, chain),
                                       d.spec.groups))
    elif step == "publish":
        values["yaml"] = render(d.spec)
        found = await console_wizard.problems_of(ctx, d, d.spec)
        values["problems"] = words({"p": found}, locale_of(request))["p"]
    return values


@html
async def index(request: Request) -> Response:
    await require_staff(request, *ORGANISERS)
    return page(request, "wizard_index.html", drafts=await console_wizard.drafts(ctx_of(request)))


@html
async def create(request: Request) -> Response:
    staff = await require_staff(request, *ORGANISERS)
    ctx = ctx_of(request)
    on_error_show(request, "wizard_index.html", drafts=await console_wizard.drafts(ctx))
    f = await read_form(request)
    d = await console_wizard.create(ctx, f.text("title"), _actor(staff), client_ip(request))
    return RedirectResponse(f"/console/wizard/{d.id}/basics", status_code=303)


@html
async def import_file(request: Request) -> Response:
    staff = await require_staff(request, *ORGANISERS)
    ctx = ctx_of(request)
    on_error_show(request, "wizard_index.html", drafts=await console_wizard.drafts(ctx))
    loc = locale_of(request)
    form = await request.form()
    up = form.get("file")
    if not isinstance(up, UploadFile) or not up.filename:
        raise DraftInvalid(count=1, problems=[console_text("form.problem.no_contest_file", loc)])
    data = await up.read(MAX_FILE + 1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DraftInvalid(count=1,
                           problems=[console_text("form.problem.not_utf8", loc)]) from exc
    if len(data) > MAX_FILE:
        raise DraftInvalid(count=1, problems=[console_text(
            "form.problem.file_too_large", loc, max_mb=MAX_FILE // (1024 * 1024))])
    d = await console_wizard.import_file(ctx, text, up.filename, _actor(staff),
                                         client_ip(request))
    return RedirectResponse(f"/console/wizard/{d.id}/publish", status_code=303)


def _step(request: Request) -> str:
    step = request.path_params["step"]
    if step not in STEPS:
        raise NotFound()
    return str(step)


@html
async def step_page(request: Request) -> Response:
    await require_staff(request, *ORGANISERS)
    step = _step(request)
    d = await console_wizard.get(ctx_of(request), path_int(request, "draft_id"))
    return page(request, f"wizard_{step}.html", **await _step_values(request, d, step),
                saved=request.query_params.get("saved") == "1")


@html
async def step_save(request: Request) -> Response:
    staff = await require_staff(request, *ORGANISERS)
    ctx = ctx_of(request)
    step = _step(request)
    did = path_int(request, "draft_id")
    d = await console_wizard.get(ctx, did)
    f = await read_form(request)
    values = await _step_values(request, d, step)
    on_error_show(request, f"wizard_{step}.html", **values, form=f.raw)
    actor, ip = _actor(staff), client_ip(request)
    action = f.text("action")
    nxt = STEPS[min(STEPS.index(step) + 1, len(STEPS) - 1)]
    if step == "basics":
        b = console_wizard.Basics(
            title=f.text("title"), slug=f.text("slug"), organiser=f.text("organiser"),
            rules=f.text("rules"), visible=f.text("visible") == "on",
            unit_root=f.text("unit_root") or None, units=_units(f))
        f.done()
        await console_wizard.save_basics(ctx, did, b, actor, ip)
    elif step == "people":
        groups = []
        for line in f.lines("groups"):
            code, _, name = line.partition("|")
            groups.append({"code": code.strip(), "name": (name or code).strip()})
        p = console_wizard.People(
            groups=groups, min_age=f.integer("min_age", f.say("form.field.min_age"), 0, 120),
            consent_version=f.text("consent_version"), consent_text=f.text("consent_text"),
            purposes=f.lines("purposes"))
        f.done()
        await console_wizard.save_people(ctx, did, p, actor, ip)
    elif step == "rounds":
        nxt = "rounds" if action != "next" else "prizes"
        if action == "add_round":
            r = _round_input(f)
            f.done()
            await console_wizard.add_round(ctx, did, r, actor, ip)
        elif action == "add_series":
            await console_wizard.add_series(ctx, did, _series(f), actor, ip)
        elif action.startswith("remove:"):
            await console_wizard.remove_round(ctx, did, action[7:], actor, ip)
    elif step == "prizes":
        pz = prize_input(f)
        f.done()
        if action in ("preview", "") or f.text("move"):
            values.update(chain=pz.tie_breaks, prizes=pz.prizes or {},
                          preview=preview(pz, d.spec.groups))
            return page(request, "wizard_prizes.html", **values, form=f.raw)
        await console_wizard.save_prizes(ctx, did, pz, actor, ip)
        nxt = "prizes" if action == "save" else "publish"
    else:
        report = await console_wizard.publish(ctx, did, actor, ip)
        return RedirectResponse(f"/console/contests/{report.contest_id}?published=1",
                                status_code=303)
    return RedirectResponse(f"/console/wizard/{did}/{nxt}?saved=1", status_code=303)


def _series(f: Form) -> console_wizard.SeriesInput:
    template = _round_input(f, "s_", timed=False)
    first = f.day("s_first_day", f.say("form.field.first_week"))
    opens_at = f.clock("s_open_time", f.say("form.field.open_time"))
    closes_at = f.clock("s_close_time", f.say("form.field.close_time"))
    weeks = f.integer("s_weeks", f.say("form.field.weeks"), 1, 52, 4) or 4
    final, best = None, None
    if f.text("f_title"):
        final = _round_input(f, "f_")
        best = f.integer("f_best", f.say("form.field.final_best"), 1, 100_000)
        final.bank, final.bank_version = template.bank, template.bank_version
    f.done()
    assert first is not None and opens_at is not None and closes_at is not None
    open_day = f.integer("s_open_day", f.say("form.field.open_day"), 0, 6, 0) or 0
    close_day = f.integer("s_close_day", f.say("form.field.close_day"), 0, 6, 0) or 0
    series = WeeklySeries(first_day=first, weeks=weeks, open_day=open_day, open_at=opens_at,
                          close_day=close_day, close_at=closes_at)
    f.done()
    return console_wizard.SeriesInput(template=template, series=series,
                                      topics=f.lines("s_topics"), sets=f.lines("s_sets"),
                                      final=final,
                                      split_bank=f.text("s_split") == "on", final_best=best)


@html
async def draft_file(request: Request) -> Response:
    await require_staff(request, *ORGANISERS)
    d = await console_wizard.get(ctx_of(request), path_int(request, "draft_id"))
    return _yaml(render(d.spec), f"{d.spec.slug or 'cuoc-thi'}.yaml")


@html
async def contest_file(request: Request) -> Response:
    await require_staff(request, *ORGANISERS)
    slug, text = await console_contests.contest_file(ctx_of(request),
                                                   path_int(request, "contest_id"))
    return _yaml(text, f"{slug}.yaml")


def _yaml(text: str, name: str) -> Response:
    return Response(text, media_type="application/yaml; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


@html
async def clone_contest(request: Request) -> Response:
    staff = await require_staff(request, *ORGANISERS)
    f = await read_form(request)
    days = f.integer("days", f.say("form.field.shift_days"), -3660, 3660)
    if days is None:
        f.problem("form.problem.clone_contest_days")
    f.done()
    d = await console_wizard.clone_contest(
        ctx_of(request), path_int(request, "contest_id"), days or 0, f.text("title"),
        f.text("slug"), _actor(staff), client_ip(request))
    return RedirectResponse(f"/console/wizard/{d.id}/basics", status_code=303)


@html
async def clone_round(request: Request) -> Response:
    staff = await require_staff(request, *ORGANISERS)
    f = await read_form(request)
    cid = path_int(request, "contest_id")
    days = f.integer("days", f.say("form.field.shift_days"), -3660, 3660)
    if days is None:
        f.problem("form.problem.clone_round_days")
    f.done()
    r = await console_contests.clone_round(ctx_of(request), cid, path_int(request, "round_id"),
                                         days or 0, f.text("title"), _actor(staff),
                                         client_ip(request))
    return RedirectResponse(f"/console/contests/{cid}/rounds/{r.id}?saved=1", status_code=303)
