"""One-line hooks the participant handlers call: throttles, the registration gate, and the
integrity notes (where an attempt came from)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from pydantic import BaseModel, ConfigDict, Field, StrictStr
from starlette.requests import Request

from contest.attempts.views import StartNote
from contest.core import sessions
from contest.core.context import Services
from contest.integrity import gate, throttle
from contest.integrity import signals as integrity
from contest.web import schemas
from contest.web.clientinfo import client_ip, device_id
from contest.web.parsing import parse_body, participant_id, session_version
from contest.web.responses import JSONResponse


def _ctx(request: Request) -> Services:
    ctx: Services = request.app.state.services
    return ctx


class PowIn(BaseModel):
    """A solved registration challenge."""

    model_config = ConfigDict(extra="ignore")
    challenge: StrictStr = Field(max_length=256)
    nonce: StrictStr = Field(max_length=32)


class RegisterIn(schemas.RegisterIn):
    """The registration body plus the optional proof-of-work."""

    pow: PowIn | None = None


async def signed_in(request: Request) -> str:
    """The participant of a live session (one Redis GET); raises NotLoggedIn."""
    pid = participant_id(request)
    await sessions.check(_ctx(request), pid, session_version(request))
    return pid


async def signed_on(request: Request, pid: str, version: int) -> None:
    """Start a participant's session (registration, login, password reset)."""
    request.session["pid"] = pid
    request.session["sv"] = version
    await sessions.remember(_ctx(request), pid, version)


async def log_out(request: Request) -> None:
    """End every session of the participant (a copied cookie stops working too)."""
    pid = request.session.get("pid")
    if isinstance(pid, str):
        await sessions.end_all(_ctx(request), pid)
    request.session.clear()


async def limit_attempt(request: Request, pid: str, attempt_id: str, action: str) -> None:
    """Count a request on an attempt; the contest comes from the cached paper when this worker
    has it (no read). Raises RateLimited, NotFound."""
    ctx = _ctx(request)
    paper = ctx.papers.get(attempt_id)
    if paper is not None and paper.participant_id == pid:
        await throttle.participant_in(ctx, paper.contest_id, pid, action,
                                      session_version=session_version(request))
    else:
        await throttle.participant(ctx, pid, action, session_version(request))


async def limit_start(request: Request, pid: str, round_id: int) -> None:
    """Count a start against the round's contest limits (no read for a known round); raises
    RateLimited, NotFound."""
    ctx = _ctx(request)
    await throttle.participant_in(ctx, await throttle.contest_of_round(ctx, round_id), pid,
                                  "start", session_version=session_version(request))


async def registration(request: Request, body: RegisterIn) -> None:
    """The IP ceiling and, during a rush, the proof-of-work; raises RateLimited,
    ChallengeRequired, ChallengeFailed, NotFound."""
    solution = (body.pow.challenge, body.pow.nonce) if body.pow else None
    await gate.check_registration(_ctx(request), request.path_params["slug"], client_ip(request),
                                  solution)


def login(request: Request, phone: str) -> AbstractAsyncContextManager[None]:
    """Wrap a login: IP ceiling and phone lock-out; counts a wrong password.

    Raises RateLimited, LoginLocked, NotFound.
    """
    return throttle.login_attempt(_ctx(request), request.path_params["slug"], phone,
                                  client_ip(request))


def start_note(request: Request) -> StartNote:
    """Where a start comes from (IP, device cookie, browser), noted with the attempt."""
    return StartNote(client_ip(request), device_id(request), request.headers.get("user-agent"))


async def challenge(request: Request) -> JSONResponse:
    """GET /contests/{slug}/challenge: a proof-of-work challenge and whether it is required."""
    out = await gate.challenge(_ctx(request), request.path_params["slug"])
    return JSONResponse(out, headers={"Cache-Control": "no-store"})


class VisibilityIn(BaseModel):
    """A page visibility change reported by the participant's browser."""

    model_config = ConfigDict(extra="ignore")
    state: StrictStr = Field(pattern="^(hidden|visible)$")


async def visibility(request: Request) -> JSONResponse:
    """POST /attempts/{attempt_id}/visibility: count 'hidden' (a weak, forgeable signal)."""
    pid = participant_id(request)
    body = await parse_body(request, VisibilityIn)
    await limit_attempt(request, pid, request.path_params["attempt_id"], "event")
    if body.state == "hidden":
        await integrity.note_visibility(_ctx(request), pid, request.path_params["attempt_id"])
    return JSONResponse({"ok": True})
