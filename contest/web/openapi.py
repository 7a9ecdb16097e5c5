"""The OpenAPI 3.1 document of the participant API, built from the request models."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse

from contest import __version__
from contest.web import recovery, schemas

_S = {"type": "string"}
_SN = {"type": ["string", "null"]}
_I = {"type": "integer"}
_IN = {"type": ["integer", "null"]}
_NUM_N = {"type": ["number", "null"]}


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": list(props) if required is None else required,
    }


ERROR = _obj(
    {"error": _S, "detail": _S, "fields": {"type": "object", "additionalProperties": _S}},
    ["error", "detail"],
)
ROUND = _obj(
    {
        "id": _S,
        "title": _S,
        "kind": _S,
        "opens_at": _S,
        "closes_at": _S,
        "status": {"enum": ["upcoming", "open", "closed", "finalised"]},
        "questions_per_attempt": _I,
        "time_limit_s": _I,
        "max_attempts": _IN,
        "counting": _S,
        "has_prediction": {"type": "boolean"},
        "tie_breaks": {"type": "array", "items": {"enum": ["score", "prediction", "duration",
                                                           "submitted"]}},
        "draw_commitment": _SN,
        "results_url": _SN,
        # issue 17: a final open only to the best N of each earlier round (null: everyone)
        "qualify": {"oneOf": [_obj({"best_per_round": _I, "ties": {"enum": ["draw", "include"]},
                                    "from": {"type": "array", "items": _S}}),
                              {"type": "null"}]},
    }
)
CONTEST = _obj({"slug": _S, "title": _S, "rounds": {"type": "array", "items": ROUND},
                # issue 15: the Zalo Official Account of the Zalo share button (null: none)
                "zalo_oa_id": _SN})
CONTEST_FULL = _obj(
    {
        **CONTEST["properties"],
        "rules": _S,
        "groups": {"type": "array", "items": _obj({"code": _S, "name": _S})},
        # issue 6: the consent text to show at registration; its version is stored with it
        "consent": _obj({"version": _S, "text": _S,
                         "purposes": {"type": "array", "items": _S}}),
        "registration_fields": {
            "type": "array",
            "items": _obj({"name": _S, "label": _S, "required": {"type": "boolean"}, "kind": _S}),
        },
        # issue 16: the organiser's published notices, newest first
        "announcements": {
            "type": "array",
            "items": _obj({"id": _S, "title": _S, "body": _S, "published_at": _S,
                           "round": {"anyOf": [_obj({"id": _S, "title": _S}),
                                               {"type": "null"}]}}),
        },
    }
)
UNIT = _obj({"code": _S, "name": _S, "parent_code": _SN, "level": _I})
OPTION = _obj({"id": _S, "text": _S})
QUESTION = _obj(
    {
        "id": _S,
        "text": _S,
        "kind": {"enum": ["single", "multiple"]},
        "options": {"type": "array", "items": OPTION},
    }
)
PAPER = _obj(
    {
        "attempt_id": _S,
        "round_id": _S,
        "number": _I,
        "started_at": _S,
        "deadline": _S,
        "server_now": _S,
        "questions": {"type": "array", "items": QUESTION},
        "prediction": {"oneOf": [_obj({"prompt": _S}), {"type": "null"}]},
        "answers": {"type": "object", "additionalProperties": {"type": "array", "items": _S}},
        "status": {"enum": ["running", "submitted"]},
        "result": {"type": "object"},
    },
    ["attempt_id", "started_at", "deadline", "server_now", "questions", "prediction"],
)
SUBMIT = _obj(
    {
        "attempt_id": _S,
        "score": _NUM_N,
        "max_score": _NUM_N,
        "duration_ms": _IN,
        "counted": {"type": ["boolean", "null"]},
        "rank": _IN,
        "auto_submitted": {"type": "boolean"},
        "submitted_at": _SN,
        "score_shown_at": _SN,  # set while the round hides scores (issue 14): then null scores
    }
)
SUMMARY = _obj(
    {
        "attempt_id": _S,
        "number": _I,
        "status": _S,
        "started_at": _S,
        "deadline": _S,
        "submitted_at": _SN,
        "score": _NUM_N,
        "max_score": _NUM_N,
        "duration_ms": _IN,
        "auto_submitted": {"type": "boolean"},
        "score_shown_at": _SN,
    }
)
ME = _obj(
    {
        "attempt": {"oneOf": [SUMMARY, {"type": "null"}]},
        "rank": _IN,
        "prediction": _IN,
        "attempts": {"type": "array", "items": SUMMARY},
        "attempts_left": _IN,
        # issue 17: on a final round, whether this person is on its list (list_ready false:
        # not drawn up yet); null on a round open to everyone
        "qualification": {"oneOf": [_obj({"qualified": {"type": "boolean"},
                                          "list_ready": {"type": "boolean"}}),
                                    {"type": "null"}]},
    }
)
BOARD = _obj(
    {
        "total": _I,
        "offset": _I,
        "frozen": {"type": "boolean"},
        "entries": {
            "type": "array",
            "items": _obj({"rank": _I, "name": _S, "unit": _S, "score": _NUM_N, "duration_ms": _I}),
        },
    }
)


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _op(
    summary: str,
    ok: tuple[int, dict[str, Any]],
    errors: tuple[int, ...] = (),
    body: type[BaseModel] | None = None,
    params: list[dict[str, Any]] | None = None,
    extra_ok: tuple[int, ...] = (),
) -> dict[str, Any]:
    responses: dict[str, Any] = {str(ok[0]): {"description": "OK", **_json(ok[1])}}
    for code in extra_ok:
        responses[str(code)] = {"description": "OK", **_json(ok[1])}
    for code in (*errors, 400, 413, 429, 503):
        responses[str(code)] = {"description": "Error", **_json(ERROR)}
    op: dict[str, Any] = {"summary": summary, "responses": responses}
    if body is not None:
        op["requestBody"] = {
            "required": True,
            **_json({"$ref": f"#/components/schemas/{body.__name__}"}),
        }
    if params:
        op["parameters"] = params
    return op


def _path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": _S}


def _query(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": _I if name in ("limit", "offset", "before", "after") else _S,
    }


@cache
def build() -> dict[str, Any]:
    """The whole document."""
    models: list[type[BaseModel]] = [
        schemas.RegisterIn, schemas.LoginIn, schemas.AnswerIn, schemas.SubmitIn,
        recovery.ResetRequestIn, recovery.ResetConfirmIn, recovery.PreferencesIn]
    slug, rid, aid = _path("slug"), _path("round_id"), _path("attempt_id")
    paths: dict[str, Any] = {
        "/api/v1/contests": {
            "get": _op("Contests visible now", (200, {"type": "array", "items": CONTEST}))
        },
        "/api/v1/contests/{slug}": {
            "get": _op("One contest", (200, CONTEST_FULL), (404,), params=[slug])
        },
        "/api/v1/contests/{slug}/units": {
            "get": _op(
                "The unit tree", (200, {"type": "array", "items": UNIT}), (404,), params=[slug]
            )
        },
        "/api/v1/contests/{slug}/register": {
            "post": _op(
                "Register",
                (201, _obj({"participant_id": _S})),
                (404, 409, 422, 403),
                schemas.RegisterIn,
                [slug],
            )
        },
        "/api/v1/contests/{slug}/login": {
            "post": _op(
                "Log in",
                (200, _obj({"participant_id": _S, "full_name": _S})),
                (401, 404, 422),
                schemas.LoginIn,
                [slug],
            )
        },
        "/api/v1/logout": {"post": _op("Log out", (200, _obj({"ok": {"type": "boolean"}})))},
        "/api/v1/rounds/{round_id}/attempts": {
            "post": _op(
                "Start or resume an attempt",
                (201, PAPER),
                (401, 403, 404, 409),
                params=[rid],
                extra_ok=(200,),
            )
        },
        "/api/v1/rounds/{round_id}/me": {
            "get": _op("My standing in a round", (200, ME), (401, 404), params=[rid])
        },
        "/api/v1/rounds/{round_id}/leaderboard": {
            "get": _op(
                "Live leaderboard",
                (200, BOARD),
                (404, 422),
                params=[rid, _query("limit"), _query("offset"), _query("unit"),
                        _query("group")],
            )
        },
        # live boards (issue 4, docs/leaderboard.md)
        "/api/v1/rounds/{round_id}/leaderboard/around-me": {
            "get": _op(
                "The entries around my own (me: my line or null; each line has me: bool)",
                (200, _obj({"total": _IN, "offset": _I, "frozen": {"type": "boolean"},
                            "me": {"type": "object"}, "entries": BOARD["properties"]["entries"]})),
                (401, 404, 422),
                params=[rid, _query("before"), _query("after"), _query("unit"), _query("group")],
            )
        },
        "/api/v1/rounds/{round_id}/leaderboard/stream": {
            "get": _op(
                "Server-Sent Events: event leaderboard, data = the leaderboard read, at most "
                "once a second when it changes; id = board version; honours Last-Event-ID",
                (200, _S),
                (404, 422),
                params=[rid, _query("limit"), _query("unit"), _query("group")],
            )
        },
        "/api/v1/rounds/{round_id}/stats": {
            "get": _op(
                "Live counts: participants, submitted attempts, perfect counted scores",
                (200, _obj({"participants": _I, "attempts": _I, "perfect": _I,
                            "frozen": {"type": "boolean"}})),
                (404, 422),
                params=[rid, _query("unit"), _query("group")],
            )
        },
        "/api/v1/attempts/{attempt_id}": {
            "get": _op("An attempt as left", (200, PAPER), (401, 404), params=[aid])
        },
        "/api/v1/attempts/{attempt_id}/answers/{question_id}": {
            "put": _op(
                "Save an answer",
                (
                    200,
                    _obj(
                        {
                            "question_id": _S,
                            "option_ids": {"type": "array", "items": _S},
                            "saved_at": _S,
                        }
                    ),
                ),
                (401, 404, 409, 422),
                schemas.AnswerIn,
                [aid, _path("question_id")],
            )
        },
        "/api/v1/attempts/{attempt_id}/answers": {
            "put": _op(
                "Save several answers at once, all or none (the page's offline queue)",
                (200, _obj({"answers": {"type": "array", "items": _obj({
                    "question_id": _S, "option_ids": {"type": "array", "items": _S},
                    "saved_at": _S})}})),
                (401, 404, 409, 422),
                schemas.AnswersIn,
                [aid],
            )
        },
        "/api/v1/attempts/{attempt_id}/submit": {
            "post": _op(
                "Submit an attempt", (200, SUBMIT), (401, 404, 422), schemas.SubmitIn, [aid]
            )
        },
        # practice review and reach (issue 8, docs/mobile-web.md)
        "/api/v1/attempts/{attempt_id}/review": {
            "get": _op(
                "The key, explanation and legal basis of answered questions (practice; "
                "ranked rounds only once closed)",
                (200, _obj({"attempt_id": _S, "kind": _S, "status": _S,
                            "questions": {"type": "array", "items": {"type": "object"}}})),
                (401, 403, 404),
                params=[aid],
            )
        },
        "/api/v1/contests/{slug}/qr.svg": {
            "get": _op("QR code of the contest link (SVG)", (200, _S), (404,), params=[slug])
        },
        "/api/v1/contests/{slug}/qr.png": {
            "get": _op("QR code of the contest link (PNG)", (200, _S), (404,),
                       params=[slug, _query("scale")])
        },
        "/api/v1/contests/{slug}/embed": {
            "get": _op(
                "Embed snippets for portals",
                (200, _obj({"url": _S, "qr_svg": _S, "qr_png": _S, "iframe": _S, "script": _S})),
                (404,),
                params=[slug],
            )
        },
        # anti-cheating (issue 5, docs/anti-cheating.md)
        "/api/v1/contests/{slug}/challenge": {
            "get": _op(
                "A registration proof-of-work challenge; when required, send "
                "pow: {challenge, nonce} in the registration body (static/js/pow.js solves it)",
                (200, _obj({"required": {"type": "boolean"}, "challenge": _S, "bits": _I,
                            "expires_in_ms": _I})),
                (404,),
                params=[slug],
            )
        },
        "/api/v1/attempts/{attempt_id}/visibility": {
            "post": _op(
                "Report a page visibility change (body {state: hidden or visible}); a weak signal",
                (200, _obj({"ok": {"type": "boolean"}})),
                (401, 404, 422),
                params=[aid],
            )
        },
        "/api/v1/rounds/{round_id}/results": {
            "get": _op("Verifiable results of a finalised round (winners masked)",
                       (200, {"type": "object"}), (404,), params=[rid])
        },
        "/api/v1/rounds/{round_id}/results/eligible.csv": {
            "get": {"summary": "The eligible list the draw ran on (CSV, UTF-8 with BOM)",
                    "parameters": [rid],
                    "responses": {"200": {"description": "CSV",
                                          "content": {"text/csv": {"schema": _S}}},
                                  "404": {"description": "Error", **_json(ERROR)}}}
        },
        "/api/v1/rounds/{round_id}/certificate.pdf": {
            "get": {"summary": "The logged-in participant's own certificate (prize or "
                               "participation) of a finalised round, as PDF",
                    "parameters": [rid],
                    "responses": {"200": {"description": "PDF",
                                          "content": {"application/pdf": {"schema": _S}}},
                                  "401": {"description": "Error", **_json(ERROR)},
                                  "404": {"description": "Error", **_json(ERROR)}}}
        },
        "/api/v1/rounds/{round_id}/draw-commitment": {
            "get": _op("The draw's SHA-256 commitment, published before the round opens",
                       (200, {"type": "object"}), (404,), params=[rid])
        },
        # account recovery and reminders (issue 15, docs/notifications.md)
        "/api/v1/contests/{slug}/password-reset/request": {
            "post": _op(
                "Ask for a one-time 6-digit reset code, sent to the account's phone (SMS or "
                "Zalo) or, with via=email, to its e-mail. Always 202: the answer never says "
                "whether the phone has an account. 429 when a phone or an address asks too "
                "often",
                (202, _obj({"ok": {"type": "boolean"}})),
                (404, 422),
                recovery.ResetRequestIn,
                [slug],
            )
        },
        "/api/v1/contests/{slug}/password-reset/confirm": {
            "post": _op(
                "Set a new password with the code (single use, expires, a few wrong tries); "
                "ends the person's other sessions and logs this browser in. 400 "
                "reset_code_invalid for a wrong, expired or used code",
                (200, _obj({"participant_id": _S, "full_name": _S})),
                (404, 422),
                recovery.ResetConfirmIn,
                [slug],
            )
        },
        "/api/v1/me/preferences": {
            "get": _op("My notification preferences",
                       (200, _obj({"reminders": {"type": "boolean"}})), (401, 404)),
            "put": _op(
                "Opt in to or out of reminders (a round opens, closes in 24 h, results)",
                (200, _obj({"reminders": {"type": "boolean"}})),
                (401, 404, 422),
                recovery.PreferencesIn,
            ),
        },
        "/api/v1/openapi.json": {"get": _op("This document", (200, {"type": "object"}))},
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

    rid, pid = _path("round_id"), _path("participant_id")
    obj = {"type": "object"}
    staff_errors = (401, 403, 404, 409, 422)
    paths: dict[str, Any] = {
        "/api/staff/login": {"post": _op("Log in (username, password, TOTP code)", (200, obj),
                                         (401, 422), body=StaffLoginIn)},
        "/api/staff/me": {"get": _op("The logged-in staff member", (200, obj), (401,))},
        "/api/staff/review/rounds/{round_id}": {
            "get": _op("The round's review list in the caller's unit scope", (200, obj),
                       staff_errors, params=[rid, _query("unit"), _query("scan")])},
        "/api/staff/review/rounds/{round_id}/scan": {
            "post": _op("Run the integrity pass now", (200, obj), staff_errors, params=[rid])},
        "/api/staff/review/rounds/{round_id}/participants/{participant_id}": {
            "post": _op("Clear or disqualify a participant", (200, obj), staff_errors,
                        body=DecisionIn, params=[rid, pid])},
        "/api/staff/rounds/{round_id}/finalise": {
            "post": _op("Finalise a closed round", (200, obj), staff_errors, params=[rid])},
        "/api/staff/rounds/{round_id}/draw-commitment": {
            "post": _op("Draw and commit the round's seed", (201, obj), staff_errors,
                        params=[rid])},
        "/api/staff/rounds/{round_id}/exports/{kind}.{fmt}": {
            "get": {"summary": "A unit-scoped export (CSV or XLSX)",
                    "parameters": [rid, _path("kind"), _path("fmt"), _query("unit"),
                                   _query("level")],
                    "responses": {"200": {"description": "file"},
                                  **{str(c): {"description": "Error", **_json(ERROR)}
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
