"""Handlers of the public participant API: parse, call a service, render."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from contest.services import accounts, attempts, catalog, consent, standings
from contest.services.context import Services
from contest.web import guard, schemas
from contest.web.parsing import parse_body, participant_id, path_int


def _ctx(request: Request) -> Services:
    ctx: Services = request.app.state.services
    return ctx


async def list_contests(request: Request) -> JSONResponse:
    found = await catalog.list_contests(_ctx(request))
    return JSONResponse([schemas.contest_out(c, rounds) for c, rounds in found])


async def get_contest(request: Request) -> JSONResponse:
    c, rounds = await catalog.get_contest(_ctx(request), request.path_params["slug"])
    assert c.id is not None
    shown = await consent.current(_ctx(request), c.id)
    return JSONResponse(schemas.contest_out(c, rounds, full=True, consent=shown))


async def list_units(request: Request) -> JSONResponse:
    c, _ = await catalog.get_contest(_ctx(request), request.path_params["slug"])
    units = await catalog.list_units(_ctx(request), c.unit_root)
    return JSONResponse([schemas.unit_out(u) for u in units])


async def register(request: Request) -> JSONResponse:
    body = await parse_body(request, guard.RegisterIn)
    await guard.registration(request, body)
    p = await accounts.register(_ctx(request), request.path_params["slug"],
                                accounts.Registration(**body.model_dump(exclude={"pow"})))
    request.session["pid"] = p.id
    return JSONResponse({"participant_id": p.id}, status_code=201)


async def login(request: Request) -> JSONResponse:
    body = await parse_body(request, schemas.LoginIn)
    async with guard.login(request, body.phone):
        p = await accounts.login(_ctx(request), request.path_params["slug"], body.phone,
                                 body.password)
    request.session["pid"] = p.id
    return JSONResponse({"participant_id": p.id, "full_name": p.full_name})


async def logout(request: Request) -> JSONResponse:
    request.session.clear()
    return JSONResponse({"ok": True})


async def start_attempt(request: Request) -> JSONResponse:
    pid = participant_id(request)
    await guard.limit(request, pid, "start")
    view, created = await attempts.start(_ctx(request), pid, path_int(request, "round_id"),
                                         request.headers.get("user-agent"))
    await guard.started(request, view, created)
    return JSONResponse(schemas.paper_out(view, _ctx(request).now(), with_answers=not created),
                        status_code=201 if created else 200)


async def get_attempt(request: Request) -> JSONResponse:
    pid = participant_id(request)
    view = await attempts.view(_ctx(request), pid, request.path_params["attempt_id"])
    return JSONResponse(schemas.paper_out(view, _ctx(request).now(), with_answers=True))


async def save_answer(request: Request) -> JSONResponse:
    pid = participant_id(request)
    await guard.limit(request, pid, "answer")
    body = await parse_body(request, schemas.AnswerIn)
    answer = await attempts.save_answer(_ctx(request), pid, request.path_params["attempt_id"],
                                        request.path_params["question_id"], body.option_ids)
    await guard.answered(request, request.path_params["attempt_id"], answer.question_public_id)
    return JSONResponse({"question_id": answer.question_public_id,
                         "option_ids": answer.option_ids,
                         "saved_at": schemas.iso(answer.saved_at)})


async def submit_attempt(request: Request) -> JSONResponse:
    pid = participant_id(request)
    await guard.limit(request, pid, "submit")
    body = await parse_body(request, schemas.SubmitIn)
    result = await attempts.submit(_ctx(request), pid, request.path_params["attempt_id"],
                                   body.prediction)
    await guard.submitted(request, result.attempt.id)
    hidden = await standings.scores_hidden_until(_ctx(request), result.attempt.round_id)
    return JSONResponse(schemas.submit_out(result, hidden))


async def my_round(request: Request) -> JSONResponse:
    pid = participant_id(request)
    rid = path_int(request, "round_id")
    mine = await attempts.my_round(_ctx(request), pid, rid)
    hidden = await standings.scores_hidden_until(_ctx(request), rid)  # issue 14: no oracle
    return JSONResponse({
        "attempt": schemas.attempt_summary(mine.counted) if mine.counted and not hidden
        else None,
        "rank": None if hidden else mine.rank,
        "prediction": mine.prediction,
        "attempts": [schemas.attempt_summary(a, hidden) for a in mine.attempts],
        "attempts_left": mine.attempts_left,
    })
