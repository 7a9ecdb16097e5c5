"""Console pages of the bank browser and editor (parse, call the bank service, render)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from contest.console import banks as console_banks
from contest.domain.vocabulary import StaffRole
from contest.web.console.render import page
from contest.web.console.views import ctx_of, form_str, html, on_error_show
from contest.web.parsing import path_int
from contest.web.staff_auth import client_ip, require_staff

ORGANISERS = (StaffRole.ADMIN, StaffRole.ORGANISER)
LETTERS = "ABCDEFGH"


@html
async def browse(request: Request) -> Response:
    await require_staff(request, *ORGANISERS)
    qp = request.query_params
    f = console_banks.QuestionFilter(q=qp.get("q", "").strip(), topic=qp.get("topic", ""),
                                     difficulty=qp.get("difficulty", ""),
                                     source=qp.get("source", "").strip(),
                                     usage=qp.get("usage", ""))
    v, b, rows = await console_banks.browse(ctx_of(request), path_int(request, "version_id"), f)
    return page(request, "bank_questions.html", version=v, bank=b, rows=rows, f=f,
                topics=sorted({r.question.topic for r in rows} | set(v.topics)))


async def _detail(request: Request) -> dict[str, Any]:
    v, b, q, options, row = await console_banks.question(
        ctx_of(request), path_int(request, "version_id"), path_int(request, "question_id"))
    return {"version": v, "bank": b, "q": q, "options": options, "row": row,
            "letters": LETTERS}


@html
async def question_page(request: Request) -> Response:
    await require_staff(request, *ORGANISERS)
    return page(request, "bank_question.html", **await _detail(request),
                done=request.query_params.get("done", ""))


@html
async def question_save(request: Request) -> Response:
    staff = await require_staff(request, *ORGANISERS)
    ctx = ctx_of(request)
    vid, qid = path_int(request, "version_id"), path_int(request, "question_id")
    on_error_show(request, "bank_question.html", **await _detail(request))
    form = await request.form()
    move = await form_str(request, "move_rounds") == "on"
    if await form_str(request, "action") == "retire":
        new, moved = await console_banks.retire_question(ctx, vid, qid, move,
                                                         f"staff:{staff.username}",
                                                         client_ip(request))
        return RedirectResponse(f"/console/banks/{new.id}/questions?retired=1&moved={moved}",
                                status_code=303)
    options = tuple(v.strip() for k, v in form.multi_items()
                    if k == "option" and isinstance(v, str) and v.strip())
    keys = frozenset(LETTERS.index(v) for k, v in form.multi_items()
                     if k == "key" and isinstance(v, str) and v in LETTERS)
    edit = console_banks.QuestionEdit(
        text=await form_str(request, "text"), options=options, keys=keys,
        topic=await form_str(request, "topic"), difficulty=await form_str(request, "difficulty"),
        basis=await form_str(request, "basis"),
        explanation=await form_str(request, "explanation") or None)
    new, moved = await console_banks.edit_question(ctx, vid, qid, edit, move,
                                                   f"staff:{staff.username}",
                                                   client_ip(request))
    return RedirectResponse(f"/console/banks/{new.id}/questions?edited=1&moved={moved}",
                            status_code=303)
