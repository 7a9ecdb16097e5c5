"""Request bodies (validated) and response shapes (rendered) of the participant API v1."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from contest.attempts.answers import SavedAnswer
from contest.attempts.attempts import SubmitResult
from contest.attempts.views import PaperView
from contest.domain import policy
from contest.domain.final_ranking import DEFAULT_CHAIN, parse_chain
from contest.domain.vocabulary import AttemptStatus, RoundKind, RoundState
from contest.notify.announcements import Shown
from contest.people.consent import Consent
from contest.setup.catalog import RoundInfo
from contest.storage.tables import Attempt, Contest, Unit


class Body(BaseModel):
    """Base of request bodies: unknown fields are ignored, types are strict."""

    model_config = ConfigDict(extra="ignore")


class RegisterIn(Body):
    full_name: StrictStr = Field(max_length=255)
    birth_date: date
    phone: StrictStr = Field(max_length=32)
    password: StrictStr = Field(max_length=1024)
    unit_code: StrictStr = Field(max_length=64)
    group: StrictStr = Field(max_length=64)
    consent: StrictBool
    gender: Literal["nam", "nu", "khac"] | None = None
    id_number: StrictStr | None = Field(default=None, max_length=32)
    email: StrictStr | None = Field(default=None, max_length=255)
    # issue 15: opt in to reminders (round opens, closes in 24 h, results are published)
    reminders: StrictBool = False


class LoginIn(Body):
    phone: StrictStr = Field(max_length=32)
    password: StrictStr = Field(max_length=1024)


class AnswerIn(Body):
    option_ids: list[StrictStr] = Field(max_length=16)


class BatchAnswerIn(Body):
    question_id: StrictStr = Field(max_length=32)
    option_ids: list[StrictStr] = Field(max_length=16)


class AnswersIn(Body):
    answers: list[BatchAnswerIn] = Field(min_length=1, max_length=50)


class SubmitIn(Body):
    prediction: StrictInt | None = Field(default=None, ge=0, le=10**9)


# ---- responses -------------------------------------------------------------------------


def chain_or_default(raw: list[str] | None) -> tuple[str, ...]:
    """The round's tie-break chain (the default when unset or malformed)."""
    try:
        return parse_chain(raw)
    except ValueError:
        return DEFAULT_CHAIN


def iso(dt: datetime | None) -> str | None:
    """ISO 8601 with offset."""
    return dt.isoformat() if dt else None


def points(milli: int | None) -> float | int | None:
    """Thousandths of a point as a JSON number (an int when whole)."""
    if milli is None:
        return None
    return milli // 1000 if milli % 1000 == 0 else milli / 1000


def round_out(info: RoundInfo) -> dict[str, Any]:
    r = info.round
    return {"id": str(r.id), "title": r.title, "kind": r.kind, "opens_at": iso(r.opens_at),
            "closes_at": iso(r.closes_at), "status": info.status,
            "questions_per_attempt": r.questions_per_attempt, "time_limit_s": r.time_limit_s,
            "max_attempts": r.max_attempts, "counting": r.counting,
            "has_prediction": bool(r.prediction_prompt),
            # issue 16: the page states the round's own tie-break order, the draw commitment
            # from the moment it exists, and the results (with the reveal) once published
            "tie_breaks": list(chain_or_default(r.tie_breaks)),
            "draw_commitment": info.commitment,
            "results_url": f"/results/{r.id}" if info.status == RoundState.FINALISED else None,
            "qualify": _qualify_out(r.qualify)}


def _qualify_out(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    """A final round's rule as the page states it (issue 17)."""
    if not raw:
        return None
    return {"best_per_round": raw.get("best_per_round"), "ties": raw.get("ties", "draw"),
            "from": list(raw.get("from") or [])}


def announcement_out(a: Shown) -> dict[str, Any]:
    """An announcement on the contest page (issue 16 item 11)."""
    item = a.item
    return {"id": str(item.id), "title": item.title, "body": item.body,
            "published_at": iso(item.published_at),
            "round": {"id": str(item.round_id), "title": a.round_title}
            if item.round_id is not None else None}


def contest_out(c: Contest, rounds: list[RoundInfo], full: bool = False,
                consent: Consent | None = None,
                announcements: list[Shown] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"slug": c.slug, "title": c.title,
                           "rounds": [round_out(r) for r in rounds],
                           # issue 15: the Zalo Official Account of the Zalo share button
                           "zalo_oa_id": c.zalo_oa_id or None}
    if consent is not None:  # issue 6: the text registration shows and records the version of
        out["consent"] = {"version": consent.version, "text": consent.text,
                          "purposes": list(consent.purposes)}
    if full:
        out["rules"] = c.rules
        out["groups"] = [{"code": g["code"], "name": g["name"]} for g in c.groups]
        out["registration_fields"] = REGISTRATION_FIELDS
        out["announcements"] = [announcement_out(a) for a in announcements or []]
    return out


REGISTRATION_FIELDS = [
    {"name": "full_name", "label": "Họ và tên", "required": True, "kind": "text"},
    {"name": "birth_date", "label": "Ngày sinh", "required": True, "kind": "date"},
    {"name": "gender", "label": "Giới tính", "required": False, "kind": "choice"},
    {"name": "phone", "label": "Số điện thoại", "required": True, "kind": "phone"},
    {"name": "password", "label": "Mật khẩu", "required": True, "kind": "password"},
    {"name": "unit_code", "label": "Đơn vị", "required": True, "kind": "unit"},
    {"name": "group", "label": "Đối tượng dự thi", "required": True, "kind": "group"},
    {"name": "id_number", "label": "Số căn cước (CCCD)", "required": False, "kind": "id_number"},
    {"name": "email", "label": "Email", "required": False, "kind": "email"},
    {"name": "consent", "label": "Đồng ý với thể lệ và việc xử lý dữ liệu cá nhân",
     "required": True, "kind": "consent"},
    {"name": "reminders", "label": "Nhắn cho tôi khi đợt thi mở, sắp kết thúc và khi có kết quả",
     "required": False, "kind": "checkbox"},
]


def unit_out(u: Unit) -> dict[str, Any]:
    return {"code": u.code, "name": u.name, "parent_code": u.parent_code, "level": u.level}


def attempt_summary(a: Attempt, hidden_until: datetime | None = None) -> dict[str, Any]:
    """An attempt in the participant's list; no score while the round hides scores."""
    return {"attempt_id": a.id, "number": a.number, "status": a.status,
            "started_at": iso(a.started_at), "deadline": iso(a.deadline),
            "submitted_at": iso(a.submitted_at),
            "score": None if hidden_until else points(a.score_milli),
            "max_score": points(a.max_score_milli), "duration_ms": a.duration_ms,
            "auto_submitted": a.auto_submitted, "score_shown_at": iso(hidden_until)}


def paper_out(v: PaperView, now: datetime, with_answers: bool) -> dict[str, Any]:
    a = v.attempt
    out: dict[str, Any] = {
        "attempt_id": a.id, "round_id": str(a.round_id), "number": a.number,
        "started_at": iso(a.started_at), "deadline": iso(a.deadline), "server_now": iso(now),
        "questions": v.questions,
        "prediction": {"prompt": v.round.prediction_prompt}
        if v.round.prediction_prompt and v.round.kind != RoundKind.PRACTICE else None,
    }
    if with_answers:
        out["answers"] = v.answers
        out["status"] = a.status
        if a.status == AttemptStatus.SUBMITTED:
            r = v.round
            hidden = not policy.score_visible(r.kind, r.max_attempts, r.score_shown, now,
                                              r.closes_at)
            out["result"] = {"score": None if hidden else points(a.score_milli),
                             "max_score": points(a.max_score_milli),
                             "duration_ms": a.duration_ms, "auto_submitted": a.auto_submitted,
                             "score_shown_at": iso(r.closes_at) if hidden else None}
    return out


def answer_out(a: SavedAnswer) -> dict[str, Any]:
    return {"question_id": a.question_public_id, "option_ids": a.option_ids,
            "saved_at": iso(a.saved_at)}


def submit_out(r: SubmitResult, hidden_until: datetime | None = None) -> dict[str, Any]:
    """A submit's outcome; score, counted and rank are null while the round hides scores
    (score_shown_at says when they appear)."""
    a = r.attempt
    hide = hidden_until is not None
    return {"attempt_id": a.id, "score": None if hide else points(a.score_milli),
            "max_score": points(a.max_score_milli), "duration_ms": a.duration_ms,
            "counted": None if hide else r.counted, "rank": None if hide else r.rank,
            "auto_submitted": a.auto_submitted, "submitted_at": iso(a.submitted_at),
            "score_shown_at": iso(hidden_until)}
