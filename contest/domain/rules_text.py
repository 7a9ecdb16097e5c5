"""The prize structure and tie-break chain of a round in plain Vietnamese (pure): the
wording citizens read in the rules, previewed by the organiser while editing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from contest.domain.final_ranking import parse_chain
from contest.domain.prizes import parse_rules

CRITERIA_VI = {
    "score": "người có điểm cao hơn",
    "prediction": "người có số dự đoán gần với con số thực tế hơn",
    "duration": "người làm bài trong thời gian ngắn hơn",
    "submitted": "người nộp bài sớm hơn",
}


def _percent(rate: float) -> str:
    return f"{rate * 100:g}%".replace(".", ",")


def chain_text(chain: Sequence[str] | None) -> str:
    """The tie-break chain as one sentence; raises ValueError for an invalid chain."""
    steps = [f"{CRITERIA_VI[c]} xếp trên" for c in parse_chain(chain)]
    text = steps[0][0].upper() + steps[0][1:]
    for k, step in enumerate(steps[1:]):
        text += ("; nếu bằng nhau, " if k == 0 else "; nếu vẫn bằng nhau, ") + step
    return text + ("; nếu vẫn bằng nhau ở mọi tiêu chí, thứ tự được xác định bằng bốc thăm "
                   "công khai mà ai cũng kiểm tra lại được.")


def prizes_text(raw: Mapping[str, Any] | None,
                groups: Mapping[str, str] | None = None) -> list[str]:
    """The prize structure as sentences, one per rule; raises ValueError when invalid."""
    rules = parse_rules(raw)
    names = dict(groups or {})
    if not rules.tiers and rules.collective is None:
        return ["Đợt thi này không có giải thưởng."]
    values = {str(t.get("code")): t.get("value") for t in (raw or {}).get("tiers") or []}
    per = {None: "", "group": " cho mỗi nhóm đối tượng",
           "unit": f" cho mỗi đơn vị cấp {rules.split_level}"}[rules.split]
    out = []
    tiers = []
    for t in rules.tiers:
        piece = f"{t.count} {t.name}"
        if values.get(t.code):
            piece += f" (trị giá {values[t.code]})"
        extra = [f"{names.get(k, k)}: {n}" for k, n in t.counts.items()]
        if extra:
            piece += " (riêng " + ", ".join(extra) + ")"
        tiers.append(piece)
    if tiers:
        out.append("Cơ cấu giải" + per + ": " + "; ".join(tiers) + ".")
    if rules.one_prize_per_person:
        out.append("Mỗi người chỉ nhận một giải trong toàn cuộc thi; người đã có giải ở đợt "
                   "trước không xét giải đợt này.")
    if rules.max_share is not None:
        out.append(f"Số người đoạt giải không quá {_percent(rules.max_share)} số người dự thi "
                   "của đợt.")
    if rules.min_score_milli is not None:
        points = f"{rules.min_score_milli / 1000:g}".replace(".", ",")
        out.append(f"Chỉ xét giải bài thi đạt từ {points} điểm trở lên.")
    if rules.min_age is not None:
        out.append(f"Chỉ xét giải người từ {rules.min_age} tuổi trở lên.")
    if rules.excluded_groups:
        out.append("Không xét giải: " + ", ".join(names.get(g, g) for g in
                                                   sorted(rules.excluded_groups)) + ".")
    if rules.excluded_units:
        out.append("Không xét giải người thuộc đơn vị: "
                   + ", ".join(sorted(rules.excluded_units)) + ".")
    c = rules.collective
    if c is not None:
        cond = (f", có tỉ lệ tham gia từ {_percent(c.min_participation_rate)} trở lên"
                if c.min_participation_rate else "")
        out.append(f"{c.name}: {c.count} giải cho các đơn vị cấp {c.level} có tỉ lệ người "
                   f"tham gia cao nhất so với số người thuộc đơn vị{cond}.")
    return out
