"""The native YAML bank format (contest-bank/1): load with line numbers, dump back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from contest.banks.problems import BankInvalid, Loc, Problem, error, warning
from contest.banks.validate import LETTERS, BankMeta, Draft, build_bank, parse_answer
from contest.domain.bank import Bank

FORMAT = "contest-bank/1"
_NULL = "tag:yaml.org,2002:null"
_BANK_FIELDS = ("format", "code", "title", "language", "version", "sources", "topics", "questions")
_QUESTION_FIELDS = (
    "id",
    "kind",
    "topic",
    "difficulty",
    "text",
    "options",
    "answer",
    "basis",
    "explanation",
    "set",
)


class _Walker:
    """Reads a composed YAML node tree into plain values, recording problems with lines."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self._visited: set[int] = set()

    def loc(self, node: yaml.Node) -> Loc:
        return Loc(self.file, line=node.start_mark.line + 1)

    def mapping(self, node: yaml.Node, allowed: tuple[str, ...], what: str) -> dict[str, yaml.Node]:
        """The keys of a mapping node; duplicate and unknown keys are reported."""
        if not isinstance(node, yaml.MappingNode):
            self.problems.append(
                error("wrong_type", self.loc(node), field=what, expected="mapping")
            )
            return {}
        self._once(node)
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in out:
                self.problems.append(error("duplicate_key", self.loc(key_node), key=key))
            elif key not in allowed:
                self.problems.append(warning("unknown_field", self.loc(key_node), field=key))
            out[key] = value_node
        return out

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        """The items of a sequence node (an empty or null value is an empty list)."""
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problems.append(error("wrong_type", self.loc(node), field=what, expected="list"))
            return []
        self._once(node)
        return list(node.value)

    def text(self, node: yaml.Node | None, what: str) -> str | None:
        """A scalar as written (no YAML 1.1 booleans or floats: "No" stays "No"); None if null."""
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problems.append(error("wrong_type", self.loc(node), field=what, expected="text"))
            return None
        if node.tag == _NULL:
            return None
        return str(node.value)

    def strings(self, node: yaml.Node | None, what: str) -> list[str]:
        """A list of scalars as text."""
        if node is None:
            return []
        return [t for t in (self.text(n, what) for n in self.sequence(node, what)) if t is not None]

    def _once(self, node: yaml.Node) -> None:
        # Aliases make PyYAML share one node object; refuse them (billion-laughs expansion).
        if id(node) in self._visited:
            self.problems.append(error("yaml_alias", self.loc(node)))
            raise _Abort
        self._visited.add(id(node))


class _Abort(Exception):
    """Stop walking: the document is unusable."""


def parse_native(text: str, file: str) -> tuple[Bank | None, list[Problem]]:
    """Parse native YAML text into a Bank (None when any error) and every problem found."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        detail = str(getattr(exc, "problem", None) or exc)
        return None, [error("yaml_syntax", Loc(file, line=line), detail=detail)]
    if root is None:
        return None, [error("empty_file", Loc(file))]
    w = _Walker(file)
    try:
        meta, drafts = _read(w, root)
    except _Abort:
        return None, w.problems
    if meta is None:
        return None, w.problems
    bank, problems = build_bank(meta, drafts, file)
    problems = w.problems + problems
    if any(p.is_error for p in problems):
        return None, problems
    return bank, problems


def _read(w: _Walker, root: yaml.Node) -> tuple[BankMeta | None, list[Draft]]:
    top = w.mapping(root, _BANK_FIELDS, "bank")
    if not top:
        return None, []
    root_loc = w.loc(root)
    fmt = w.text(top.get("format"), "format")
    if fmt is None:
        w.problems.append(error("missing_field", root_loc, field="format"))
    elif fmt != FORMAT:
        w.problems.append(error("bad_format", w.loc(top["format"]), format=fmt))
    for name in ("code", "title", "questions"):
        if name not in top:
            w.problems.append(error("missing_field", root_loc, field=name))
    meta = BankMeta(
        code=w.text(top.get("code"), "code") or "",
        title=w.text(top.get("title"), "title") or "",
        language=w.text(top.get("language"), "language") or "vi",
        version=w.text(top.get("version"), "version") or "1",
        sources=tuple(w.strings(top.get("sources"), "sources")),
        topics=tuple(w.strings(top.get("topics"), "topics")),
        loc=w.loc(top["code"]) if "code" in top else root_loc,
    )
    if "code" not in top or "title" not in top:
        meta.loc = root_loc
    items = w.sequence(top["questions"], "questions") if "questions" in top else []
    return meta, [_draft(w, n) for n in items]


def _draft(w: _Walker, node: yaml.Node) -> Draft:
    fields = w.mapping(node, _QUESTION_FIELDS, "question")
    loc = w.loc(node)
    locs = {name: w.loc(n) for name, n in fields.items()}
    for name in ("id", "text", "answer", "topic", "difficulty"):
        if name not in fields:
            w.problems.append(error("missing_field", loc, field=name))
    option_nodes = w.sequence(fields["options"], "options") if "options" in fields else []
    options: list[str] = []
    for i, n in enumerate(option_nodes):
        locs[f"option{i}"] = w.loc(n)
        options.append(w.text(n, "options") or "")
    answer_node = fields.get("answer")
    answer: object = None
    if isinstance(answer_node, yaml.ScalarNode) and answer_node.tag != _NULL:
        answer = answer_node.value
    elif isinstance(answer_node, yaml.SequenceNode):  # answer: [A, C]
        answer = ",".join(w.strings(answer_node, "answer"))
    elif answer_node is not None and answer_node.tag != _NULL:
        w.problems.append(error("wrong_type", w.loc(answer_node), field="answer", expected="text"))
    return Draft(
        loc=loc,
        ext_id=w.text(fields.get("id"), "id") or "",
        text=w.text(fields.get("text"), "text") or "",
        options=options,
        answer=parse_answer(answer),
        kind=w.text(fields.get("kind"), "kind"),
        topic=w.text(fields.get("topic"), "topic") if "topic" in fields else None,
        difficulty=w.text(fields.get("difficulty"), "difficulty"),
        basis=w.text(fields.get("basis"), "basis") or "",
        explanation=w.text(fields.get("explanation"), "explanation"),
        question_set=w.text(fields.get("set"), "set") or "",
        locs=locs,
    )


def read_text(path: Path) -> str:
    """A UTF-8 text file's content (BOM tolerated); raises BankInvalid when it is not UTF-8."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BankInvalid([error("undecodable", Loc(str(path)))]) from None


def load_native(path: str | Path) -> Bank:
    """Load a native YAML bank file; raises BankInvalid listing every problem when invalid."""
    path = Path(path)
    bank, problems = parse_native(read_text(path), str(path))
    if bank is None:
        raise BankInvalid(problems)
    return bank


def to_data(bank: Bank) -> dict[str, Any]:
    """The bank as plain data in the native layout."""
    questions: list[dict[str, Any]] = []
    for q in bank.questions:
        item: dict[str, Any] = {
            "id": q.ext_id,
            "kind": q.kind,
            "topic": q.topic,
            "difficulty": q.difficulty,
            "text": q.text,
        }
        if q.kind == "true_false":
            item["answer"] = q.options[0].correct
        else:
            item["options"] = [o.text for o in q.options]
            item["answer"] = ",".join(LETTERS[i] for i in q.correct_positions)
        item["basis"] = q.basis
        if q.explanation is not None:
            item["explanation"] = q.explanation
        if q.question_set:
            item["set"] = q.question_set
        questions.append(item)
    return {
        "format": FORMAT,
        "code": bank.code,
        "title": bank.title,
        "language": bank.language,
        "version": bank.version,
        "sources": list(bank.sources),
        "topics": list(bank.topics),
        "questions": questions,
    }


def dump_native(bank: Bank) -> str:
    """The bank as native YAML text (loads back to an equal Bank)."""
    return yaml.safe_dump(to_data(bank), allow_unicode=True, sort_keys=False, width=100)
