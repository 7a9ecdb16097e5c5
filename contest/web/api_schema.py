"""The schemas of the participant API's responses and the helpers building OpenAPI entries."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from contest.domain.vocabulary import AttemptStatus, RoundState

STR = {"type": "string"}
STR_OR_NULL = {"type": ["string", "null"]}
INT = {"type": "integer"}
INT_OR_NULL = {"type": ["integer", "null"]}
NUM_OR_NULL = {"type": ["number", "null"]}


def obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    """An object schema; every property required unless told otherwise."""
    return {
        "type": "object",
        "properties": props,
        "required": list(props) if required is None else required,
    }


ERROR = obj(
    {"error": STR, "detail": STR, "fields": {"type": "object", "additionalProperties": STR}},
    ["error", "detail"],
)
ROUND = obj(
    {
        "id": STR,
        "title": STR,
        "kind": STR,
        "opens_at": STR,
        "closes_at": STR,
        "status": {"enum": sorted({s.public for s in RoundState}, key=list(RoundState).index)},
        "questions_per_attempt": INT,
        "time_limit_s": INT,
        "max_attempts": INT_OR_NULL,
        "counting": STR,
        "has_prediction": {"type": "boolean"},
        "tie_breaks": {"type": "array", "items": {"enum": ["score", "prediction", "duration",
                                                           "submitted"]}},
        "draw_commitment": STR_OR_NULL,
        "results_url": STR_OR_NULL,
        # issue 17: a final open only to the best N of each earlier round (null: everyone)
        "qualify": {"oneOf": [obj({"best_per_round": INT, "ties": {"enum": ["draw", "include"]},
                                   "from": {"type": "array", "items": STR}}),
                              {"type": "null"}]},
    }
)
CONTEST = obj({"slug": STR, "title": STR, "rounds": {"type": "array", "items": ROUND},
               # issue 15: the Zalo Official Account of the Zalo share button (null: none)
               "zalo_oa_id": STR_OR_NULL})
CONTEST_FULL = obj(
    {
        **CONTEST["properties"],
        "rules": STR,
        "groups": {"type": "array", "items": obj({"code": STR, "name": STR})},
        # issue 6: the consent text to show at registration; its version is stored with it
        "consent": obj({"version": STR, "text": STR,
                         "purposes": {"type": "array", "items": STR}}),
        "registration_fields": {
            "type": "array",
            "items": obj({"name": STR, "label": STR, "required": {"type": "boolean"}, "kind": STR}),
        },
        # issue 16: the organiser's published notices, newest first
        "announcements": {
            "type": "array",
            "items": obj({"id": STR, "title": STR, "body": STR, "published_at": STR,
                          "round": {"anyOf": [obj({"id": STR, "title": STR}),
                                              {"type": "null"}]}}),
        },
    }
)
UNIT = obj({"code": STR, "name": STR, "parent_code": STR_OR_NULL, "level": INT})
OPTION = obj({"id": STR, "text": STR})
QUESTION = obj(
    {
        "id": STR,
        "text": STR,
        "kind": {"enum": ["single", "multiple"]},
        "options": {"type": "array", "items": OPTION},
    }
)
PAPER = obj(
    {
        "attempt_id": STR,
        "round_id": STR,
        "number": INT,
        "started_at": STR,
        "deadline": STR,
        "server_now": STR,
        "questions": {"type": "array", "items": QUESTION},
        "prediction": {"oneOf": [obj({"prompt": STR}), {"type": "null"}]},
        "answers": {"type": "object", "additionalProperties": {"type": "array", "items": STR}},
        "status": {"enum": list(AttemptStatus)},
        "result": {"type": "object"},
    },
    ["attempt_id", "started_at", "deadline", "server_now", "questions", "prediction"],
)
SUBMIT = obj(
    {
        "attempt_id": STR,
        "score": NUM_OR_NULL,
        "max_score": NUM_OR_NULL,
        "duration_ms": INT_OR_NULL,
        "counted": {"type": ["boolean", "null"]},
        "rank": INT_OR_NULL,
        "auto_submitted": {"type": "boolean"},
        "submitted_at": STR_OR_NULL,
        # set while the round hides scores (issue 14): the scores are null then
        "score_shown_at": STR_OR_NULL,
    }
)
SUMMARY = obj(
    {
        "attempt_id": STR,
        "number": INT,
        "status": STR,
        "started_at": STR,
        "deadline": STR,
        "submitted_at": STR_OR_NULL,
        "score": NUM_OR_NULL,
        "max_score": NUM_OR_NULL,
        "duration_ms": INT_OR_NULL,
        "auto_submitted": {"type": "boolean"},
        "score_shown_at": STR_OR_NULL,
    }
)
ME = obj(
    {
        "attempt": {"oneOf": [SUMMARY, {"type": "null"}]},
        "rank": INT_OR_NULL,
        "prediction": INT_OR_NULL,
        "attempts": {"type": "array", "items": SUMMARY},
        "attempts_left": INT_OR_NULL,
        # issue 17: on a final round, whether this person is on its list (list_ready false:
        # not drawn up yet); null on a round open to everyone
        "qualification": {"oneOf": [obj({"qualified": {"type": "boolean"},
                                         "list_ready": {"type": "boolean"}}),
                                    {"type": "null"}]},
    }
)
BOARD = obj(
    {
        "total": INT,
        "offset": INT,
        "frozen": {"type": "boolean"},
        "entries": {
            "type": "array",
            "items": obj({"rank": INT, "name": STR, "unit": STR, "score": NUM_OR_NULL,
                          "duration_ms": INT}),
        },
    }
)


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON body of that schema."""
    return {"content": {"application/json": {"schema": schema}}}


def operation(
    summary: str,
    ok: tuple[int, dict[str, Any]],
    errors: tuple[int, ...] = (),
    body: type[BaseModel] | None = None,
    params: list[dict[str, Any]] | None = None,
    extra_ok: tuple[int, ...] = (),
) -> dict[str, Any]:
    """An operation: its summary, OK response, error responses, body and parameters."""
    responses: dict[str, Any] = {str(ok[0]): {"description": "OK", **json_content(ok[1])}}
    for code in extra_ok:
        responses[str(code)] = {"description": "OK", **json_content(ok[1])}
    for code in (*errors, 400, 413, 429, 503):
        responses[str(code)] = {"description": "Error", **json_content(ERROR)}
    op: dict[str, Any] = {"summary": summary, "responses": responses}
    if body is not None:
        op["requestBody"] = {
            "required": True,
            **json_content({"$ref": f"#/components/schemas/{body.__name__}"}),
        }
    if params:
        op["parameters"] = params
    return op


def path_param(name: str) -> dict[str, Any]:
    """A required path parameter."""
    return {"name": name, "in": "path", "required": True, "schema": STR}


def query_param(name: str) -> dict[str, Any]:
    """An optional query parameter (integer for paging and around-me counts)."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": INT if name in ("limit", "offset", "before", "after") else STR,
    }
