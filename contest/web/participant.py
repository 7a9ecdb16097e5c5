"""Handlers of the public participant API: parse, call a service, render."""

from __future__ import annotations

from starlette.requests import Request

from contest.attempts import answers, attempts, own_round
from contest.core.context import Services
from contest.live import standings
from contest.notify import announcements
from contest.people import accounts, consent
from contest.setup import catalog, qualification
from contest.web import guard, schemas
from contest.web.parsing import parse_body, participant_id, path_int, session_version
from contest.web.responses import JSONResponse


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
    news = await announcements.public(_ctx(request), c.id)
    return JSONResponse(schemas.contest_out(c, rounds, full=True, consent=shown,
                                            announcements=news))


async def list_units(request: Request) -> JSONResponse:
    c, _ = await catalog.get_contest(_ctx(request), request.path_params["slug"])
    units = await catalog.list_units(_ctx(request), c.unit_root)
    return JSONResponse([schemas.unit_out(u) for u in units])


async def register(request: Request) -> JSONResponse:
    body = await parse_body(request, guard.RegisterIn)
    await guard.registration(request, body)
    p = await accounts.register(_ctx(request), request.path_params["slug"],
                                accounts.Registration(**body.model_dump(exclude={"pow"})))
    await guard.signed_on(request, p.id, p.session_version)
    return JSONResponse({"participant_id": p.id}, status_code=201)


async def login(request: Request) -> JSONResponse:
    body = await parse_body(request, schemas.LoginIn)
    async with guard.login(request, body.phone):
        p = await accounts.login(_ctx(request), request.path_params["slug"], body.phone,
                                 body.password)
    await guard.signed_on(request, p.id, p.session_version)
    return JSONResponse({"participant_id": p.id, "full_name": p.full_name})


async def logout(request: Request) -> JSONResponse:
    await guard.log_out(request)
    return JSONResponse({"ok": True})


async def start_attempt(request: Request) -> JSONResponse:
    pid = participant_id(request)
    round_id = path_int(request, "round_id")
    await guard.limit_start(request, pid, round_id)
    view, created = await attempts.start(_ctx(request), pid, round_id, guard.start_note(request))
    return JSONResponse(schemas.paper_out(view, _ctx(request).now(), with_answers=not created),
                        status_code=201 if created else 200)


async def get_attempt(request: Request) -> JSONResponse:
    pid = await guard.signed_in(request)
    view = await attempts.view(_ctx(request), pid, request.path_params["attempt_id"])
    return JSONResponse(schemas.paper_out(view, _ctx(request).now(), with_answers=True))


async def save_answer(request: Request) -> JSONResponse:
    pid = participant_id(request)
    body = await parse_body(request, schemas.AnswerIn)
    qid = request.path_params["question_id"]
    saved = await answers.save(_ctx(request), pid, request.path_params["attempt_id"],
                               [(qid, body.option_ids)], session_version(request))
    return JSONResponse(schemas.answer_out(saved[0]))


async def save_answers(request: Request) -> JSONResponse:
    pid = participant_id(request)
    body = await parse_body(request, schemas.AnswersIn)
    saved = await answers.save(_ctx(request), pid, request.path_params["attempt_id"],
                               [(a.question_id, a.option_ids) for a in body.answers],
                               session_version(request))
    return JSONResponse({"answers": [schemas.answer_out(a) for a in saved]})


async def submit_attempt(request: Request) -> JSONResponse:
    pid = participant_id(request)
    await guard.limit_attempt(request, pid, request.path_params["attempt_id"], "submit")
    body = await parse_body(request, schemas.SubmitIn)
    result = await attempts.submit(_ctx(request), pid, request.path_params["attempt_id"],
                                   body.prediction)
    return JSONResponse(schemas.submit_out(result, result.hidden_until))


async def my_round(request: Request) -> JSONResponse:
    pid = await guard.signed_in(request)
    rid = path_int(request, "round_id")
    mine = await own_round.my_round(_ctx(request), pid, rid)
    hidden = await standings.scores_hidden_until(_ctx(request), rid)  # issue 14: no oracle
    return JSONResponse({
        "attempt": schemas.attempt_summary(mine.counted) if mine.counted and not hidden
        else None,
        "rank": None if hidden else mine.rank,
        "prediction": mine.prediction,
        "attempts": [schemas.attempt_summary(a, hidden) for a in mine.attempts],
        "attempts_left": mine.attempts_left,
        "qualification": await qualification.mine(_ctx(request), pid, rid),  # issue 17
    })
