"""The contest file (contest/1 YAML): parse it with line numbers, render it back.

Pure: no database. `contest.setup.contest_as_code` loads a parsed file into SQL and dumps a
stored contest through `render`. Scalars are read as written (no YAML 1.1 surprises: "No" stays
"No", "2026-12-01 08:00" stays text), aliases are refused, and every problem names the file and
line, as the bank loader (contest/banks/native.py) does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from contest.domain import documents
from contest.domain import qualify as qualify_rule
from contest.domain.phrase import Phrase
from contest.domain.vocabulary import RoundKind
from contest.setup.yaml_reader import Abort, FileProblem, Reader, plain_value, verbatim

FORMAT = "contest/1"
ZALO_OA_PROBLEM = Phrase("contest_file.zalo_oa_id")
_TOP = ("format", "slug", "title", "organiser", "rules", "visible", "timezone", "eligibility",
        "groups", "units", "consent", "banks", "rounds", "documents", "share")
_ROUND = ("title", "kind", "opens", "closes", "bank", "bank_version", "question_set",
          "questions", "quotas",
          "time_limit_s", "grace_s", "attempts", "counting", "partial_credit", "score_shown",
          "prediction", "prizes", "tie_breaks", "qualify")


class ContestFileInvalid(Exception):
    """A contest file cannot be loaded; `problems` lists every problem found."""

    def __init__(self, problems: list[FileProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class UnitSpec:
    """An inline unit of the tree."""

    code: str
    name: str
    parent_code: str | None
    level: int
    headcount: int | None = None


@dataclass
class BankRef:
    """A bank the rounds use, by code; with a path, the file is imported first."""

    code: str
    path: str | None = None
    line: int | None = None


@dataclass
class RoundSpec:
    """A round as the file describes it (times aware, in the file's time zone)."""

    title: str
    opens_at: datetime
    closes_at: datetime
    bank: str
    questions_per_attempt: int
    bank_version: int | None = None  # None: the bank's newest version
    question_set: str | None = None  # None: the whole bank
    kind: str = RoundKind.RANKED
    quotas: list[dict[str, Any]] = field(default_factory=list)
    time_limit_s: int = 900
    grace_s: int = 5
    max_attempts: int | None = 1
    counting: str = "best"
    partial_credit: bool = False
    prediction_prompt: str | None = None
    prediction_kind: str | None = None
    prizes: dict[str, Any] | None = None
    tie_breaks: list[str] | None = None
    score_shown: str | None = None  # submit | close; None: the default rule
    qualify: dict[str, Any] | None = None  # contest.domain.qualify (a final for the best N)
    line: int | None = None


@dataclass
class ConsentSpec:
    """The consent text the registration shows."""

    version: str
    text: str
    purposes: list[str]
    line: int | None = None


@dataclass
class ContestSpec:
    """Everything a contest file says."""

    slug: str
    title: str
    rules: str = ""
    visible: bool = True
    timezone: str = "Asia/Ho_Chi_Minh"
    organiser: str = ""
    min_age: int | None = None
    groups: list[dict[str, str]] = field(default_factory=list)
    unit_root: str | None = None
    units_file: str | None = None
    units: list[UnitSpec] = field(default_factory=list)
    consent: ConsentSpec | None = None
    banks: list[BankRef] = field(default_factory=list)
    rounds: list[RoundSpec] = field(default_factory=list)
    documents: dict[str, Any] = field(default_factory=dict)  # contest.domain.documents
    zalo_oa_id: str | None = None  # share: {zalo_oa_id}: the Zalo share button (issue 15)


def parse(text: str, file: str, default_tz: str = "Asia/Ho_Chi_Minh") -> ContestSpec:
    """A contest file's content; raises ContestFileInvalid listing every problem with its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ContestFileInvalid([FileProblem(
            file, int(mark.line) + 1 if mark is not None else None,
            Phrase("contest_file.bad_yaml",
                   detail=str(getattr(exc, "problem", None) or exc)))]) from exc
    if root is None:
        raise ContestFileInvalid([FileProblem(file, None, Phrase("contest_file.empty_file"))])
    r = Reader(file)
    try:
        spec = _contest(r, root, default_tz)
    except Abort:
        spec = None
    if spec is None or r.problems:
        raise ContestFileInvalid(r.problems)
    return spec


def _contest(r: Reader, root: yaml.Node, default_tz: str) -> ContestSpec | None:
    top = r.mapping(root, _TOP, Phrase("contest_file.what.contest_file"))
    if not top:
        return None
    fmt = r.text(top.get("format"), "format", required=True, parent=root)
    if fmt is not None and fmt != FORMAT:
        r.bad(top["format"], Phrase("contest_file.bad_format", format=FORMAT, value=repr(fmt)))
    tz_name = r.text(top.get("timezone"), "timezone") or default_tz
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        r.bad(top.get("timezone"), Phrase("contest_file.unknown_timezone", tz=tz_name))
        tz = ZoneInfo(default_tz)
    spec = ContestSpec(
        slug=r.text(top.get("slug"), "slug", required=True, parent=root) or "",
        title=r.text(top.get("title"), "title", required=True, parent=root) or "",
        rules=r.text(top.get("rules"), "rules") or "",
        organiser=r.text(top.get("organiser"), "organiser") or "",
        visible=r.boolean(top.get("visible"), "visible", True), timezone=tz_name)
    if spec.slug and not all(c.isalnum() or c in "-_" for c in spec.slug):
        r.bad(top["slug"], Phrase("contest_file.bad_slug"))
    if "eligibility" in top:
        elig = r.mapping(top["eligibility"], ("min_age",), "eligibility")
        spec.min_age = r.integer(elig.get("min_age"), "eligibility.min_age", 0, 120)
    for n in r.sequence(top.get("groups"), "groups"):
        g = r.mapping(n, ("code", "name"), Phrase("contest_file.what.group"))
        code = r.text(g.get("code"), Phrase("contest_file.what.group_code"), required=True,
                      parent=n) or ""
        spec.groups.append({"code": code, "name": r.text(g.get("name"), "name") or code})
    if not spec.groups:
        r.bad(top.get("groups") or root, Phrase("contest_file.no_groups"))
    if len({g["code"] for g in spec.groups}) != len(spec.groups):
        r.bad(top["groups"], Phrase("contest_file.group_code_twice"))
    if "units" in top:
        _units(r, top["units"], spec)
    if "documents" in top:
        try:
            spec.documents = documents.parse(plain_value(top["documents"]))
        except ValueError as exc:
            r.bad(top["documents"], Phrase("contest_file.documents", detail=str(exc)))
    if "share" in top:
        sh = r.mapping(top["share"], ("zalo_oa_id",), "share")
        spec.zalo_oa_id = r.text(sh.get("zalo_oa_id"), "share.zalo_oa_id")
        if spec.zalo_oa_id is not None and not valid_oa_id(spec.zalo_oa_id):
            r.bad(sh.get("zalo_oa_id"), ZALO_OA_PROBLEM)
    if "consent" in top:
        c = r.mapping(top["consent"], ("version", "text", "purposes"), "consent")
        spec.consent = ConsentSpec(
            version=r.text(c.get("version"), "consent.version", True, top["consent"]) or "",
            text=r.text(c.get("text"), "consent.text", True, top["consent"]) or "",
            purposes=[r.text(p, Phrase("contest_file.what.purpose"), True) or "" for p in
                      r.sequence(c.get("purposes"), "consent.purposes")],
            line=r.line(top["consent"]))
        if not spec.consent.purposes:
            r.bad(top["consent"], Phrase("contest_file.no_purposes"))
    for n in r.sequence(top.get("banks"), "banks"):
        b = r.mapping(n, ("code", "path"), Phrase("contest_file.what.bank"))
        code = r.text(b.get("code"), Phrase("contest_file.what.bank_code"), True, n) or ""
        spec.banks.append(BankRef(code, r.text(b.get("path"), "path"), r.line(n)))
    titles: set[str] = set()
    for n in r.sequence(top.get("rounds"), "rounds"):
        rs = _round(r, n, tz)
        if rs is None:
            continue
        if rs.title in titles:
            r.bad(n, Phrase("contest_file.round_title_twice", title=repr(rs.title)))
        titles.add(rs.title)
        spec.rounds.append(rs)
    for rs in spec.rounds:
        named = (rs.qualify or {}).get("from") or ()
        missing = [t for t in named if t == rs.title or t not in titles]
        if missing:
            r.problems.append(FileProblem(r.file, rs.line, Phrase(
                "contest_file.qualify_from_missing", title=repr(rs.title),
                titles=", ".join(missing))))
    return spec


def _units(r: Reader, node: yaml.Node, spec: ContestSpec) -> None:
    u = r.mapping(node, ("root", "file", "inline"), "units")
    spec.unit_root = r.text(u.get("root"), "units.root")
    spec.units_file = r.text(u.get("file"), "units.file")
    for n in r.sequence(u.get("inline"), "units.inline"):
        m = r.mapping(n, ("code", "name", "parent", "level", "headcount"),
                      Phrase("contest_file.what.unit"))
        spec.units.append(UnitSpec(
            code=r.text(m.get("code"), Phrase("contest_file.what.unit_code"), True, n) or "",
            name=r.text(m.get("name"), Phrase("contest_file.what.unit_name"), True, n) or "",
            parent_code=r.text(m.get("parent"), "parent"),
            level=r.integer(m.get("level"), "level", 1, 10) or 1,
            headcount=r.integer(m.get("headcount"), "headcount", 0, 10**8)))
    known = {x.code for x in spec.units}
    if spec.unit_root is None and spec.units:
        spec.unit_root = spec.units[0].code
    if spec.units and spec.unit_root not in known:
        r.bad(node, Phrase("contest_file.root_not_inline", root=spec.unit_root))


def _round(r: Reader, node: yaml.Node, tz: ZoneInfo) -> RoundSpec | None:
    m = r.mapping(node, _ROUND, Phrase("contest_file.what.round"))
    if not m:
        return None
    title = r.text(m.get("title"), Phrase("contest_file.what.round_title"), True, node) or ""
    opens = r.when(m.get("opens"), "opens", tz, node)
    closes = r.when(m.get("closes"), "closes", tz, node)
    bank = r.text(m.get("bank"), Phrase("contest_file.what.round_bank"), True, node) or ""
    questions = r.integer(m.get("questions"), "questions", 1, 200)
    if questions is None and "questions" not in m:
        r.bad(node, Phrase("contest_file.no_questions"))
    quotas = []
    for q in r.sequence(m.get("quotas"), "quotas"):
        qm = r.mapping(q, ("count", "topic", "difficulty"), Phrase("contest_file.what.quota"))
        quotas.append({"count": r.integer(qm.get("count"), "count", 0, 200) or 0,
                       "topic": r.text(qm.get("topic"), "topic"),
                       "difficulty": r.text(qm.get("difficulty"), "difficulty")})
    pred = r.mapping(m["prediction"], ("prompt", "kind"), "prediction") if "prediction" in m \
        else {}
    prizes = r.plain(m["prizes"]) if "prizes" in m else None
    if prizes is not None and not isinstance(prizes, dict):
        r.bad(m["prizes"], Phrase("contest_file.not_mapping", what="prizes"))
        prizes = None
    qualify = _qualify(r, m["qualify"]) if "qualify" in m else None
    attempts_node = m.get("attempts")
    attempts = r.integer(attempts_node, "attempts", 1, 100) if attempts_node is not None else 1
    if opens is None or closes is None or questions is None:
        return None
    return RoundSpec(
        title=title, opens_at=opens, closes_at=closes, bank=bank, questions_per_attempt=questions,
        bank_version=r.integer(m.get("bank_version"), "bank_version", 1, 10**6),
        question_set=r.text(m.get("question_set"), Phrase("contest_file.what.question_set")),
        kind=r.text(m.get("kind"), "kind") or RoundKind.RANKED, quotas=quotas,
        time_limit_s=r.integer(m.get("time_limit_s"), "time_limit_s", 30, 6 * 3600) or 900,
        grace_s=_or(r.integer(m.get("grace_s"), "grace_s", 0, 120), 5),
        max_attempts=attempts,
        counting=r.text(m.get("counting"), "counting") or "best",
        partial_credit=r.boolean(m.get("partial_credit"), "partial_credit", False),
        score_shown=r.text(m.get("score_shown"), "score_shown"),
        prediction_prompt=r.text(pred.get("prompt"), "prediction.prompt"),
        prediction_kind=r.text(pred.get("kind"), "prediction.kind"),
        prizes=prizes, qualify=qualify,
        tie_breaks=[r.text(n, "tie_breaks") or "" for n in r.sequence(m.get("tie_breaks"),
                                                                       "tie_breaks")] or None,
        line=r.line(node))


def _qualify(r: Reader, node: yaml.Node) -> dict[str, Any] | None:
    """A final round's rule (contest.domain.qualify), in its stored shape."""
    try:
        rule = qualify_rule.parse(r.plain(node))
    except ValueError as exc:
        r.bad(node, verbatim(exc))  # contest.domain.qualify words its problems itself
        return None
    return rule.as_dict() if rule else None


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def valid_oa_id(value: str) -> bool:
    """Whether value looks like a Zalo Official Account id (digits only)."""
    return value.isascii() and value.isdigit() and 5 <= len(value) <= 32


class _Dumper(yaml.SafeDumper):
    """Multi-line text as literal blocks, so rules and consent texts read naturally; never
    anchors and aliases (the parser refuses them), even when rounds share one value."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=style)


_Dumper.add_representer(str, _str)
_Dumper.add_multi_representer(StrEnum, _str)  # the vocabulary's members are written as text


def _local(dt: datetime, tz: ZoneInfo) -> str:
    local = dt.astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M:%S" if local.second else "%Y-%m-%d %H:%M")


def render(spec: ContestSpec) -> str:
    """The contest file of spec (what `contest dump` writes; `parse` reads it back equal)."""
    tz = ZoneInfo(spec.timezone)
    doc: dict[str, Any] = {"format": FORMAT, "slug": spec.slug, "title": spec.title}
    if spec.organiser:
        doc["organiser"] = spec.organiser
    doc.update({"rules": spec.rules, "visible": spec.visible, "timezone": spec.timezone})
    if spec.min_age is not None:
        doc["eligibility"] = {"min_age": spec.min_age}
    doc["groups"] = [{"code": g["code"], "name": g["name"]} for g in spec.groups]
    if spec.unit_root or spec.units or spec.units_file:
        units: dict[str, Any] = {"root": spec.unit_root}
        if spec.units_file:
            units["file"] = spec.units_file
        if spec.units:
            units["inline"] = [_unit_doc(u) for u in spec.units]
        doc["units"] = units
    if spec.documents:
        doc["documents"] = spec.documents
    if spec.zalo_oa_id:
        doc["share"] = {"zalo_oa_id": spec.zalo_oa_id}
    if spec.consent is not None:
        doc["consent"] = {"version": spec.consent.version, "text": spec.consent.text,
                          "purposes": list(spec.consent.purposes)}
    doc["banks"] = [{"code": b.code} for b in spec.banks]
    doc["rounds"] = [_round_doc(rs, tz) for rs in spec.rounds]
    out: str = yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return out


def _unit_doc(u: UnitSpec) -> dict[str, Any]:
    d: dict[str, Any] = {"code": u.code, "name": u.name}
    if u.parent_code:
        d["parent"] = u.parent_code
    d["level"] = u.level
    if u.headcount is not None:
        d["headcount"] = u.headcount
    return d


def _round_doc(rs: RoundSpec, tz: ZoneInfo) -> dict[str, Any]:
    d: dict[str, Any] = {"title": rs.title, "kind": rs.kind, "opens": _local(rs.opens_at, tz),
                         "closes": _local(rs.closes_at, tz), "bank": rs.bank}
    if rs.bank_version is not None:
        d["bank_version"] = rs.bank_version
    if rs.question_set is not None:
        d["question_set"] = rs.question_set
    d["questions"] = rs.questions_per_attempt
    if rs.quotas:
        d["quotas"] = [{k: v for k, v in q.items() if v is not None} for q in rs.quotas]
    d.update({"time_limit_s": rs.time_limit_s, "grace_s": rs.grace_s,
              "attempts": rs.max_attempts, "counting": rs.counting,
              "partial_credit": rs.partial_credit})
    if rs.score_shown:
        d["score_shown"] = rs.score_shown
    if rs.prediction_kind or rs.prediction_prompt:
        d["prediction"] = {"prompt": rs.prediction_prompt, "kind": rs.prediction_kind}
    if rs.prizes:
        d["prizes"] = rs.prizes
    if rs.tie_breaks:
        d["tie_breaks"] = list(rs.tie_breaks)
    if rs.qualify:
        d["qualify"] = dict(rs.qualify)
    return d
