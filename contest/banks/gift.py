"""Moodle GIFT import (multiple choice, multiple response, true/false) and export.

Escapes are swapped for private-use placeholders before parsing (as Moodle does), so the
parser can use plain string operations, and swapped back for literal characters afterwards.
Bank fields GIFT has no syntax for travel in comment lines (`// basis: ...`), topics in
`$CATEGORY:` and the explanation in the `####` general feedback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from contest.banks.problems import Loc, Problem, Progress, error, warning
from contest.banks.textformat import parse_text
from contest.banks.validate import LETTERS, BankMeta, Draft, clean, fold
from contest.domain.bank import Bank

_ESCAPES = {
    "\\\\": "\ue000",
    "\\=": "\ue001",
    "\\~": "\ue002",
    "\\#": "\ue003",
    "\\{": "\ue004",
    "\\}": "\ue005",
    "\\:": "\ue006",
}
_LITERAL = {v: k[1] for k, v in _ESCAPES.items()}
_FORMAT_RE = re.compile(r"^\s*\[(html|moodle|markdown|plain)\]", re.IGNORECASE)
_META_RE = re.compile(r"^//\s*([a-z][a-z-]*)\s*:\s?(.*)$")
_WEIGHT_RE = re.compile(r"^%([^%]*)%")
_QUESTION_KEYS = {"id", "kind", "difficulty", "topic", "basis", "set"}
_BANK_KEYS = {
    "bank-code": "code",
    "bank-title": "title",
    "bank-language": "language",
    "bank-version": "version",
    "bank-source": "sources",
    "bank-topic": "topics",
}


def _protect(text: str) -> str:
    for esc, ph in _ESCAPES.items():
        text = text.replace(esc, ph)
    return text.replace("\\n", "\n")


def _restore(text: str) -> str:
    """Placeholders back to literal characters, without a format prefix; text stays text."""
    text = _FORMAT_RE.sub("", text, count=1)
    return clean("".join(_LITERAL.get(c, c) for c in text))


def _unquote_meta(value: str) -> str:
    """A comment value with its escapes (\\n newline, \\\\ backslash) decoded in one pass."""
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), value)


@dataclass
class _Block:
    """The lines of one question, with the comment metadata and category before it."""

    line: int
    text: str
    meta: dict[str, str] = field(default_factory=dict)
    category: str = ""


def _category_topic(path: str) -> str:
    """The last segment of a Moodle category path ("//" is an escaped "/")."""
    parts = path.strip().replace("//", "\ue007").split("/")
    return parts[-1].replace("\ue007", "/").strip()


def _blocks(text: str, meta: BankMeta) -> list[_Block]:
    """Split a GIFT file into question blocks; a blank line outside braces ends a question."""
    blocks: list[_Block] = []
    pending: dict[str, str] = {}
    category = ""
    lines: list[str] = []
    start = 0
    depth = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("//"):
            m = _META_RE.match(line)
            if m and m.group(1) in _BANK_KEYS:
                key = _BANK_KEYS[m.group(1)]
                value = _unquote_meta(m.group(2)).strip()
                if key in ("sources", "topics"):
                    setattr(meta, key, (*getattr(meta, key), value))
                else:
                    setattr(meta, key, value)
            elif m and m.group(1) in _QUESTION_KEYS:
                pending[m.group(1)] = _unquote_meta(m.group(2)).strip()
            continue
        if not lines and line.startswith("$CATEGORY:"):
            category = _category_topic(line.removeprefix("$CATEGORY:"))
            continue
        if not line and depth == 0:
            if lines:
                blocks.append(_Block(start, "\n".join(lines), pending, category))
                lines, pending = [], {}
            continue
        if not lines:
            start = number
        lines.append(raw)
        protected = _protect(raw)
        depth = max(0, depth + protected.count("{") - protected.count("}"))
    if lines:
        blocks.append(_Block(start, "\n".join(lines), pending, category))
    return blocks


def _split_answers(body: str) -> list[tuple[str, str]]:
    """(marker, text) for each answer of a multiple-choice body ("=a ~b" -> [("=", "a"), ...])."""
    items: list[tuple[str, str]] = []
    for m in re.finditer(r"([=~])([^=~]*)", body):
        items.append((m.group(1), m.group(2)))
    return items


def _kind_of(body: str) -> str:
    """The GIFT question type of an answers body (already without general feedback)."""
    stripped = body.strip()
    if not stripped:
        return "essay"
    if stripped.startswith("#"):
        return "numerical"
    if stripped.split("#", 1)[0].strip().upper() in ("T", "F", "TRUE", "FALSE"):
        return "truefalse"
    if "~" not in stripped and "=" in stripped and "->" in stripped:
        return "matching"
    if "~" in stripped:
        return "multichoice"
    if "=" in stripped:
        return "shortanswer"
    return "unknown"


def _draft(block: _Block, file: str, index: int, problems: list[Problem]) -> Draft | None:
    """The draft of one block, or None (with problems) when it cannot be imported."""
    loc = Loc(file, line=block.line)
    text = _protect(block.text)
    title = ""
    if text.lstrip().startswith("::"):
        rest = text.lstrip()[2:]
        end = rest.find("::")
        if end >= 0:
            title, text = rest[:end], rest[end + 2 :]
    open_at = text.find("{")
    if open_at < 0:
        problems.append(error("gift_unsupported", loc, type="description"))
        return None
    close_at = text.find("}", open_at)
    if close_at < 0:
        problems.append(error("gift_unclosed", loc))
        return None
    before, body, after = text[:open_at], text[open_at + 1 : close_at], text[close_at + 1 :]
    body, _, general = body.partition("####")
    kind = _kind_of(body)
    if kind not in ("truefalse", "multichoice"):
        problems.append(error("gift_unsupported", loc, type=kind))
        return None
    question = _restore(before)
    if after.strip():
        # Moodle's missing-word form: the answers stand for a blank inside the sentence.
        problems.append(warning("gift_text_after_answers", loc))
        question = f"{question} _____ {_restore(after)}"
    meta = block.meta
    draft = Draft(
        loc=loc,
        ext_id=meta.get("id") or clean(_restore(title)) or f"q{index}",
        text=question,
        options=[],
        answer=[],
        kind=meta.get("kind"),
        topic=meta.get("topic", block.category),
        difficulty=meta.get("difficulty", "medium"),
        basis=meta.get("basis", ""),
        explanation=_restore(general) or None,
        question_set=meta.get("set", ""),
    )
    if kind == "truefalse":
        word = body.split("#", 1)[0].strip().upper()
        draft.answer = ["true" if word in ("T", "TRUE") else "false"]
        draft.kind = draft.kind or "true_false"
        return draft
    return _multichoice(draft, body, loc, problems)


def _multichoice(draft: Draft, body: str, loc: Loc, problems: list[Problem]) -> Draft | None:
    ok = True
    feedback = False
    for i, (marker, raw) in enumerate(_split_answers(body)):
        answer, sep, _ = raw.partition("#")
        feedback = feedback or bool(sep)
        answer = answer.strip()
        weight = 100.0 if marker == "=" else 0.0
        m = _WEIGHT_RE.match(answer)
        if m:
            try:
                weight = float(m.group(1))
            except ValueError:
                problems.append(error("gift_bad_weight", loc, weight=m.group(1)))
                ok = False
            answer = answer[m.end() :]
        draft.options.append(_restore(answer))
        if weight > 0 and i < len(LETTERS):
            draft.answer.append(LETTERS[i])
    if feedback:
        problems.append(warning("gift_feedback_ignored", loc))
    if not draft.answer:
        problems.append(error("gift_no_correct", loc))
        ok = False
    return draft if ok else None


def _unique_ids(drafts: list[Draft], explicit: set[int]) -> None:
    """Ids taken from titles are names, not keys in Moodle: suffix repeats to keep them apart."""
    used: dict[str, int] = {}
    for i, d in enumerate(drafts):
        if i in explicit:
            continue
        n = used.get(d.ext_id, 0)
        used[d.ext_id] = n + 1
        if n:
            d.ext_id = f"{d.ext_id}-{n + 1}"


def read_gift(
    text: str, file: str, progress: Progress | None = None
) -> tuple[BankMeta, list[Draft], list[Problem]]:
    """The bank fields, importable question drafts and problems of GIFT text (no checks yet)."""
    stem = Path(file).name.split(".")[0]
    meta = BankMeta(
        code=re.sub(r"[^a-z0-9]+", "-", fold(stem)).strip("-") or "bank",
        title=stem,
        loc=Loc(file),
    )
    problems: list[Problem] = []
    drafts: list[Draft] = []
    explicit: set[int] = set()
    for index, block in enumerate(_blocks(text, meta), start=1):
        d = _draft(block, file, index, problems)
        if d is not None:
            if "id" in block.meta:
                explicit.add(len(drafts))
            drafts.append(d)
        if progress and index % 500 == 0:
            progress(index)
    _unique_ids(drafts, explicit)
    return meta, drafts, problems


def parse_gift(
    data: bytes | str, file: str, progress: Progress | None = None
) -> tuple[Bank | None, list[Problem]]:
    """Parse a GIFT file into a Bank (None when any error) and its problems.

    Raises BankInvalid when the bytes are binary or undecodable.
    """
    return parse_text(read_gift, data, file, progress)


# ---- export ------------------------------------------------------------------------------


def _escape(text: str) -> str:
    out = text.replace("\\", "\\\\")
    for c in "~=#{}:":
        out = out.replace(c, "\\" + c)
    out = out.replace("\r\n", "\n").replace("\n", "\\n")
    # A leading "[html]" would be read back as a format prefix: say explicitly it is plain.
    return "[plain]" + out if _FORMAT_RE.match(out) else out


def _meta_value(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\r\n", "\n").replace("\n", "\\n")


def _weight(n: int) -> str:
    return f"{round(100 / n, 5):g}"


def to_gift(bank: Bank) -> str:
    """The bank as GIFT text that parse_gift reads back to an equal Bank."""
    out = [
        f"// bank-code: {_meta_value(bank.code)}",
        f"// bank-title: {_meta_value(bank.title)}",
        f"// bank-language: {_meta_value(bank.language)}",
        f"// bank-version: {_meta_value(bank.version)}",
    ]
    out += [f"// bank-source: {_meta_value(s)}" for s in bank.sources]
    out += [f"// bank-topic: {_meta_value(t)}" for t in bank.topics]
    out.append("")
    category: str | None = None
    for q in bank.questions:
        if q.topic != category:
            category = q.topic
            out += [f"$CATEGORY: {q.topic.replace('/', '//')}", ""]
        out += [
            f"// id: {_meta_value(q.ext_id)}",
            f"// kind: {q.kind}",
            f"// difficulty: {q.difficulty}",
        ]
        if q.basis:
            out.append(f"// basis: {_meta_value(q.basis)}")
        if q.question_set:
            out.append(f"// set: {_meta_value(q.question_set)}")
        out.append(f"::{_escape(q.ext_id)}::{_escape(q.text)}{{")
        if q.kind == "true_false":
            out.append("TRUE" if q.options[0].correct else "FALSE")
        else:
            n_correct = len(q.correct_positions)
            for o in q.options:
                if q.kind == "single":
                    # an option starting with "%" would read as a weight: write one explicitly
                    weight = ("%100%" if o.correct else "%0%") if o.text.startswith("%") else ""
                    out.append(("=" if o.correct else "~") + weight + _escape(o.text))
                else:
                    w = _weight(n_correct) if o.correct else "-100"
                    out.append(f"~%{w}%{_escape(o.text)}")
        if q.explanation is not None:
            out.append(f"####{_escape(q.explanation)}")
        out += ["}", ""]
    return "\n".join(out)
