"""What an official list needs besides its table: the issuing body, place, date and signer.

A Vietnamese administrative document opens with the issuing body (and the body above it) on
the left and the national heading on the right, and ends with the place and date and a
signature block (title, then the signer's name). The contest file's `documents` section says
who issues the lists, for the whole contest and per unit (a district officer signs for their
district); contests.documents stores it as JSON:

    {"parent_body": "UBND TỈNH BÌNH PHƯỚC", "organiser": "SỞ TƯ PHÁP",
     "place": "Bình Phước", "signer_title": "GIÁM ĐỐC", "signer_name": "Nguyễn Văn A",
     "units": {"BP-BUDANG": {"organiser": "PHÒNG TƯ PHÁP HUYỆN BÙ ĐĂNG", "place": "Bù Đăng",
                             "signer_title": "TRƯỞNG PHÒNG", "signer_name": "Trần Thị B",
                             "target": 5000}}}

It also holds `prize_claim`, the "how to receive the prize" sentence of the winner notices
(issue 16 item 9), for the contest and per unit (a district hands out its own prizes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
FIELDS = ("parent_body", "organiser", "place", "signer_title", "signer_name")
CLAIM = "prize_claim"
CLAIM_MAX = 400  # it travels in an SMS with the prize: keep it short
DEFAULT_CLAIM = ("Ban tổ chức sẽ liên hệ để hẹn thời gian, địa điểm trao giải; khi nhận giải "
                 "xin mang theo giấy tờ tùy thân có ảnh.")


@dataclass(frozen=True)
class Issuer:
    """Who issues a document and signs it."""

    parent_body: str = ""
    organiser: str = "BAN TỔ CHỨC CUỘC THI"
    place: str = ""
    signer_title: str = "TRƯỞNG BAN TỔ CHỨC"
    signer_name: str = ""
    target: int | None = None  # the unit's participation target, if the file gives one


def parse(raw: Any) -> dict[str, Any]:
    """The documents section validated; raises ValueError naming the first problem."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ValueError("documents must be a mapping")
    out: dict[str, Any] = {}
    for k, v in raw.items():
        if k in FIELDS:
            if not isinstance(v, str):
                raise ValueError(f"documents.{k} must be text")
            out[k] = v.strip()
        elif k == CLAIM:
            out[k] = claim(v, k)
        elif k == "units":
            if not isinstance(v, Mapping):
                raise ValueError("documents.units must map unit codes to settings")
            out["units"] = {str(code): _unit(str(code), u) for code, u in v.items()}
        else:
            raise ValueError(f"documents: unknown key {k}")
    return out


def _unit(code: str, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise ValueError(f"documents.units.{code} must be a mapping")
    out: dict[str, Any] = {}
    for k, v in raw.items():
        if k == "target":
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ValueError(f"documents.units.{code}.target must be a whole number")
            out[k] = v
        elif k in FIELDS and isinstance(v, str):
            out[k] = v.strip()
        elif k == CLAIM:
            out[k] = claim(v, f"documents.units.{code}.{k}")
        else:
            raise ValueError(f"documents.units.{code}.{k} is not a text setting")
    return out


def claim(raw: Any, where: str = CLAIM) -> str:
    """A "how to receive the prize" text, stripped; raises ValueError if not short text."""
    if not isinstance(raw, str):
        raise ValueError(f"{where} must be text")
    text = " ".join(raw.split())
    if len(text) > CLAIM_MAX:
        raise ValueError(f"{where} is longer than {CLAIM_MAX} characters")
    return text


def claim_text(documents: Mapping[str, Any] | None, unit_chain: tuple[str, ...] = ()) -> str:
    """How a winner of a unit receives the prize: the nearest unit's text, the contest's, or
    the default."""
    doc = dict(documents or {})
    units: Mapping[str, Mapping[str, Any]] = doc.get("units") or {}
    for code in unit_chain:
        if units.get(code, {}).get(CLAIM):
            return str(units[code][CLAIM])
    return str(doc.get(CLAIM) or DEFAULT_CLAIM)


def issuer(documents: Mapping[str, Any] | None, unit_chain: tuple[str, ...] = ()) -> Issuer:
    """The issuer of a list for a unit (nearest configured unit first), else the contest's."""
    doc = dict(documents or {})
    base = Issuer(**{k: doc[k] for k in FIELDS if doc.get(k)})
    units: Mapping[str, Mapping[str, Any]] = doc.get("units") or {}
    for code in unit_chain:
        if code in units:
            u = units[code]
            return Issuer(**{**base.__dict__, **{k: u[k] for k in (*FIELDS, "target")
                                                 if u.get(k) is not None}})
    return base


def place_and_date(place: str, day: date) -> str:
    """'Bình Phước, ngày 05 tháng 12 năm 2026' (without a place: the date alone)."""
    text = f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    return f"{place}, {text}" if place else text.capitalize()
