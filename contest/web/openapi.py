"""The OpenAPI 3.1 document of the participant API, built from the request models."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse

from contest import __version__
from contest.web import recovery, schemas
from contest.web.api_schema import (
    BOARD,
    CONTEST,
    CONTEST_FULL,
    ERROR,
    INT,
    INT_OR_NULL,
    ME,
    PAPER,
    STR,
    SUBMIT,
    UNIT,
    json_content,
    obj,
    operation,
    path_param,
    query_param,
)


@cache
def build() -> dict[str, Any]:
    """The whole document."""
    models: list[type[BaseModel]] = [
        schemas.RegisterIn, schemas.LoginIn, schemas.AnswerIn, schemas.SubmitIn,
        recovery.ResetRequestIn, recovery.ResetConfirmIn, recovery.PreferencesIn]
    slug, rid, aid = path_param("slug"), path_param("round_id"), path_param("attempt_id")
    paths: dict[str, Any] = {
        "/api/v1/contests": {
            "get": operation("Contests visible now", (200, {"type": "array", "items": CONTEST}))
        },
        "/api/v1/contests/{slug}": {
            "get": operation("One contest", (200, CONTEST_FULL), (404,), params=[slug])
        },
        "/api/v1/contests/{slug}/units": {
            "get": operation(
                "The unit tree", (200, {"type": "array", "items": UNIT}), (404,), params=[slug]
            )
        },
        "/api/v1/contests/{slug}/register": {
            "post": operation(
                "Register",
                (201, obj({"participant_id": STR})),
                (404, 409, 422, 403),
                schemas.RegisterIn,
                [slug],
            )
        },
        "/api/v1/contests/{slug}/login": {
            "post": operation(
                "Log in",
                (200, obj({"participant_id": STR, "full_name": STR})),
                (401, 404, 422),
                schemas.LoginIn,
                [slug],
            )
        },
        "/api/v1/logout": {"post": operation("Log out", (200, obj({"ok": {"type": "boolean"}})))},
        "/api/v1/rounds/{round_id}/attempts": {
            "post": operation(
                "Start or resume an attempt",
                (201, PAPER),
                (401, 403, 404, 409),
                params=[rid],
                extra_ok=(200,),
            )
        },
        "/api/v1/rounds/{round_id}/me": {
            "get": operation("My standing in a round", (200, ME), (401, 404), params=[rid])
        },
        "/api/v1/rounds/{round_id}/leaderboard": {
            "get": operation(
                "Live leaderboard",
                (200, BOARD),
                (404, 422),
                params=[rid, query_param("limit"), query_param("offset"), query_param("unit"),
                        query_param("group")],
            )
        },
        # live boards (issue 4, docs/leaderboard.md)
        "/api/v1/rounds/{round_id}/leaderboard/around-me": {
            "get": operation(
                "The entries around my own (me: my line or null; each line has me: bool)",
                (200, obj({"total": INT_OR_NULL, "offset": INT, "frozen": {"type": "boolean"},
                            "me": {"type": "object"}, "entries": BOARD["properties"]["entries"]})),
                (401, 404, 422),
                params=[rid, *map(query_param, ("before", "after", "unit", "group"))],
            )
        },
        "/api/v1/rounds/{round_id}/leaderboard/stream": {
            "get": operation(
                "Server-Sent Events: event leaderboard, data = the leaderboard read, at most "
                "once a second when it changes; id = board version; honours Last-Event-ID",
                (200, STR),
                (404, 422),
                params=[rid, query_param("limit"), query_param("unit"), query_param("group")],
            )
        },
        "/api/v1/rounds/{round_id}/stats": {
            "get": operation(
                "Live counts: participants, submitted attempts, perfect counted scores",
                (200, obj({"participants": INT, "attempts": INT, "perfect": INT,
                            "frozen": {"type": "boolean"}})),
                (404, 422),
                params=[rid, query_param("unit"), query_param("group")],
            )
        },
        "/api/v1/attempts/{attempt_id}": {
            "get": operation("An attempt as left", (200, PAPER), (401, 404), params=[aid])
        },
        "/api/v1/attempts/{attempt_id}/answers/{question_id}": {
            "put": operation(
                "Save an answer",
                (
                    200,
                    obj(
                        {
                            "question_id": STR,
                            "option_ids": {"type": "array", "items": STR},
                            "saved_at": STR,
                        }
                    ),
                ),
                (401, 404, 409, 422),
                schemas.AnswerIn,
                [aid, path_param("question_id")],
            )
        },
        "/api/v1/attempts/{attempt_id}/answers": {
            "put": operation(
                "Save several answers at once, all or none (the page's offline queue)",
                (200, obj({"answers": {"type": "array", "items": obj({
                    "question_id": STR, "option_ids": {"type": "array", "items": STR},
                    "saved_at": STR})}})),
                (401, 404, 409, 422),
                schemas.AnswersIn,
                [aid],
            )
        },
        "/api/v1/attempts/{attempt_id}/submit": {
            "post": operation(
                "Submit an attempt", (200, SUBMIT), (401, 404, 422), schemas.SubmitIn, [aid]
            )
        },
        # practice review and reach (issue 8, docs/mobile-web.md)
        "/api/v1/attempts/{attempt_id}/review": {
            "get": operation(
                "The key, explanation and legal basis of answered questions (practice; "
                "ranked rounds only once closed)",
                (200, obj({"attempt_id": STR, "kind": STR, "status": STR,
                            "questions": {"type": "array", "items": {"type": "object"}}})),
                (401, 403, 404),
                params=[aid],
            )
        },
        "/api/v1/contests/{slug}/qr.svg": {
            "get": operation("QR code of the contest link (SVG)", (200, STR), (404,), params=[slug])
        },
        "/api/v1/contests/{slug}/qr.png": {
            "get": operation("QR code of the contest link (PNG)", (200, STR), (404,),
                       params=[slug, query_param("scale")])
        },
        "/api/v1/contests/{slug}/embed": {
            "get": operation(
                "Embed snippets for portals",
                (200, obj(dict.fromkeys(("url", "qr_svg", "qr_png", "iframe", "script"), STR))),
                (404,),
                params=[slug],
            )
        },
        # anti-cheating (issue 5, docs/anti-cheating.md)
        "/api/v1/contests/{slug}/challenge": {
            "get": operation(
                "A registration proof-of-work challenge; when required, send "
                "pow: {challenge, nonce} in the registration body (static/js/pow.js solves it)",
                (200, obj({"required": {"type": "boolean"}, "challenge": STR, "bits": INT,
                            "expires_in_ms": INT})),
                (404,),
                params=[slug],
            )
        },
        "/api/v1/attempts/{attempt_id}/visibility": {
            "post": operation(
                "Report a page visibility change (body {state: hidden or visible}); a weak signal",
                (200, obj({"ok": {"type": "boolean"}})),
                (401, 404, 422),
                params=[aid],
            )
        },
        "/api/v1/rounds/{round_id}/results": {
            "get": operation("Verifiable results of a finalised round (winners masked)",
                       (200, {"type": "object"}), (404,), params=[rid])
        },
        "/api/v1/rounds/{round_id}/results/eligible.csv": {
            "get": {"summary": "The eligible list the draw ran on (CSV, UTF-8 with BOM)",
                    "parameters": [rid],
                    "responses": {"200": {"description": "CSV",
                                          "content": {"text/csv": {"schema": STR}}},
                                  "404": {"description": "Error", **json_content(ERROR)}}}
        },
        "/api/v1/rounds/{round_id}/certificate.pdf": {
            "get": {"summary": "The logged-in participant's own certificate (prize or "
                               "participation) of a finalised round, as PDF",
                    "parameters": [rid],
                    "responses": {"200": {"description": "PDF",
                                          "content": {"application/pdf": {"schema": STR}}},
                                  "401": {"description": "Error", **json_content(ERROR)},
                                  "404": {"description": "Error", **json_content(ERROR)}}}
        },
        "/api/v1/rounds/{round_id}/draw-commitment": {
            "get": operation("The draw's SHA-256 commitment, published before the round opens",
                       (200, {"type": "object"}), (404,), params=[rid])
        },
        # account recovery and reminders (issue 15, docs/notifications.md)
        "/api/v1/contests/{slug}/password-reset/request": {
            "post": operation(
                "Ask for a one-time 6-digit reset code, sent to the account's phone (SMS or "
                "Zalo) or, with via=email, to its e-mail. Always 202: the answer never says "
                "whether the phone has an account. 429 when a phone or an address asks too "
                "often",
                (202, obj({"ok": {"type": "boolean"}})),
                (404, 422),
                recovery.ResetRequestIn,
                [slug],
            )
        },
        "/api/v1/contests/{slug}/password-reset/confirm": {
            "post": operation(
                "Set a new password with the code (single use, expires, a few wrong tries); "
                "ends the person's other sessions and logs this browser in. 400 "
                "reset_code_invalid for a wrong, expired or used code",
                (200, obj({"participant_id": STR, "full_name": STR})),
                (404, 422),
                recovery.ResetConfirmIn,
                [slug],
            )
        },
        "/api/v1/me/preferences": {
            "get": operation("My notification preferences",
                       (200, obj({"reminders": {"type": "boolean"}})), (401, 404)),
            "put": operation(
                "Opt in to or out of reminders (a round opens, closes in 24 h, results)",
                (200, obj({"reminders": {"type": "boolean"}})),
                (401, 404, 422),
                recovery.PreferencesIn,
            ),
        },
        "/api/v1/openapi.json": {"get": operation("This document", (200, {"type": "object"}))},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Contest participant API", "version": f"1 (engine {__version__})"},
        "paths": paths,
        "components": {"schemas": {m.__name__: m.model_json_schema() for m in models}},
    }


@cache
def build_staff() -> dict[str, Any]:
    """The console's JSON API (session cookie + X-CSRF-Token): what schemathesis drives."""
    from contest.web.console.schemas import StaffLoginIn
    from contest.web.review import DecisionIn

    rid, pid = path_param("round_id"), path_param("participant_id")
    anyobj = {"type": "object"}
    staff_errors = (401, 403, 404, 409, 422)
    paths: dict[str, Any] = {
        "/api/staff/login": {"post": operation(
            "Log in (username, password, TOTP code)", (200, anyobj), (401, 422),
            body=StaffLoginIn)},
        "/api/staff/me": {"get": operation("The logged-in staff member", (200, anyobj), (401,))},
        "/api/staff/review/rounds/{round_id}": {
            "get": operation("The round's review list in the caller's unit scope", (200, anyobj),
                              staff_errors,
                              params=[rid, query_param("unit"), query_param("scan")])},
        "/api/staff/review/rounds/{round_id}/scan": {
            "post": operation("Run the integrity pass now", (200, anyobj), staff_errors,
                              params=[rid])},
        "/api/staff/review/rounds/{round_id}/participants/{participant_id}": {
            "post": operation("Clear or disqualify a participant", (200, anyobj), staff_errors,
                              body=DecisionIn, params=[rid, pid])},
        "/api/staff/rounds/{round_id}/finalise": {
            "post": operation("Finalise a closed round", (200, anyobj), staff_errors,
                              params=[rid])},
        "/api/staff/rounds/{round_id}/draw-commitment": {
            "post": operation("Draw and commit the round's seed", (201, anyobj), staff_errors,
                              params=[rid])},
        "/api/staff/rounds/{round_id}/exports/{kind}.{fmt}": {
            "get": {"summary": "A unit-scoped export (CSV or XLSX)",
                    "parameters": [rid, path_param("kind"), path_param("fmt"), query_param("unit"),
                                   query_param("level")],
                    "responses": {"200": {"description": "file"},
                                  **{str(c): {"description": "Error", **json_content(ERROR)}
                                     for c in staff_errors}}}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Contest console API", "version": f"1 (engine {__version__})"},
        "paths": paths,
        "components": {"schemas": {m.__name__: m.model_json_schema()
                                   for m in (StaffLoginIn, DecisionIn)}},
    }


async def document(request: Request) -> JSONResponse:
    return JSONResponse(build())
