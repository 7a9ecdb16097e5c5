"""Checks shared by every importer: turn located drafts into a Bank, or list what is wrong."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from contest.banks.problems import Loc, Problem, error, warning
from contest.domain.bank import (
    TRUE_FALSE_OPTIONS,
    Bank,
    BankOption,
    BankQuestion,
    Difficulty,
    QuestionKind,
)

MAX_OPTIONS = 8
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class Draft:
    """A question as an importer read it, before checks, with the location of each field.

    `topic` or `difficulty` None means the format requires the field and it was missing.
    `answer` holds tokens: option letters ("A") or "true"/"false" for true/false answers.
    """

    loc: Loc
    ext_id: str
    text: str
    options: list[str]
    answer: list[str]
    kind: str | None = None
    topic: str | None = ""
    difficulty: str | None = "medium"
    basis: str = ""
    explanation: str | None = None
    question_set: str = ""
    locs: dict[str, Loc] = field(default_factory=dict)

    def at(self, name: str) -> Loc:
        """The location of one field, falling back to the question's own."""
        return self.locs.get(name, self.loc)


@dataclass
class BankMeta:
    """Bank-level fields read from a file (or derived from its name)."""

    code: str
    title: str
    language: str = "vi"
    version: str = "1"
    sources: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    loc: Loc | None = None


def fold(text: str) -> str:
    """Text reduced for near-duplicate comparison: no case, diacritics (đ→d) or extra spaces."""
    text = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.split())


def clean(text: str) -> str:
    """NFC-normalised text without surrounding whitespace (importers apply it to every cell)."""
    return unicodedata.normalize("NFC", text).strip()


_KINDS: dict[str, QuestionKind] = {
    "single": "single",
    "mot dap an": "single",
    "1 dap an": "single",
    "chon mot": "single",
    "multiple": "multiple",
    "nhieu dap an": "multiple",
    "chon nhieu": "multiple",
    "true false": "true_false",
    "dung sai": "true_false",
}

_DIFFICULTIES: dict[str, Difficulty] = {
    "easy": "easy",
    "de": "easy",
    "medium": "medium",
    "trung binh": "medium",
    "tb": "medium",
    "hard": "hard",
    "kho": "hard",
}

_TRUE_WORDS = {"dung", "true", "yes", "co"}  # not "T"/"F": F is also an option letter
_FALSE_WORDS = {"sai", "false", "no", "khong"}


def parse_kind(raw: str) -> QuestionKind | None:
    """The kind named by raw (English or Vietnamese, any case/diacritics); None if unknown."""
    return _KINDS.get(" ".join(re.sub(r"[_\-/]", " ", fold(raw)).split()))


def parse_difficulty(raw: str) -> Difficulty | None:
    """The difficulty named by raw (easy/medium/hard or Dễ/Trung bình/Khó); None if unknown."""
    return _DIFFICULTIES.get(fold(raw))


def tf_token(raw: str) -> str | None:
    """ "true"/"false" when raw is a true/false word (Đúng, Sai, True, F...), else None."""
    f = fold(raw)
    if f in _TRUE_WORDS:
        return "true"
    if f in _FALSE_WORDS:
        return "false"
    return None


def parse_answer(raw: object) -> list[str]:
    """Answer tokens from a cell or YAML value: "B", "A,C", "A; C", "AC", Đúng/Sai, booleans."""
    if isinstance(raw, bool):
        return ["true" if raw else "false"]
    if raw is None:
        return []
    text = clean(str(raw))
    if not text:
        return []
    whole = tf_token(text)
    if whole is not None:
        return [whole]
    tokens: list[str] = []
    for part in re.split(r"[,;/\s]+", text):
        if not part:
            continue
        tf = tf_token(part)
        if tf is not None:
            tokens.append(tf)
        elif part.isascii() and part.isalpha() and part.isupper() and len(part) > 1:
            tokens.extend(part)  # "AC" written without a separator
        else:
            tokens.append(part.upper().rstrip(".)"))
    return tokens


def build_bank(
    meta: BankMeta, drafts: Sequence[Draft], file: str
) -> tuple[Bank | None, list[Problem]]:
    """Check every draft and build the Bank; the Bank is None when any error was found."""
    problems: list[Problem] = []
    problems += _check_meta(meta, file)
    questions: list[BankQuestion] = []
    declared = {fold(t): t for t in meta.topics}
    ids: dict[str, Loc] = {}
    exact: dict[tuple[str, ...], Loc] = {}
    near: dict[tuple[str, ...], Loc] = {}
    for d in drafts:
        found: list[Problem] = []
        q = _check_question(d, declared, found)
        if not d.ext_id:
            found.append(error("missing_id", d.at("id")))
        elif d.ext_id in ids:
            found.append(
                error("duplicate_id", d.at("id"), id=d.ext_id, first=_where(ids[d.ext_id]))
            )
        else:
            ids[d.ext_id] = d.at("id")
        if d.text.strip():
            key = (d.text.strip(), *sorted(o.strip() for o in d.options))
            fkey = tuple(fold(k) for k in key)
            if key in exact:
                found.append(error("duplicate_question", d.loc, first=_where(exact[key])))
            elif fkey in near:
                found.append(warning("near_duplicate_question", d.loc, first=_where(near[fkey])))
            exact.setdefault(key, d.loc)
            near.setdefault(fkey, d.loc)
        problems += found
        if q is not None and not any(p.is_error for p in found):
            questions.append(q)
    if not drafts:
        problems.append(error("no_questions", meta.loc or Loc(file)))
    if any(p.is_error for p in problems):
        return None, problems
    bank = Bank(
        code=meta.code,
        title=meta.title,
        questions=tuple(questions),
        language=meta.language,
        version=meta.version,
        sources=meta.sources,
        topics=meta.topics,
    )
    return bank, problems


def _where(loc: Loc) -> int | str:
    return loc.line if loc.line is not None else (loc.row if loc.row is not None else "?")


def _check_meta(meta: BankMeta, file: str) -> list[Problem]:
    loc = meta.loc or Loc(file)
    found: list[Problem] = []
    if not CODE_RE.match(meta.code):
        found.append(error("bad_bank_code", loc, code=meta.code))
    if not meta.title.strip():
        found.append(error("missing_title", loc))
    seen: set[str] = set()
    for t in meta.topics:
        if fold(t) in seen:
            found.append(error("duplicate_topic", loc, topic=t))
        seen.add(fold(t))
    return found


def _check_question(
    d: Draft, declared: dict[str, str], found: list[Problem]
) -> BankQuestion | None:
    """Check one draft, appending to found; the question when it is usable."""
    if not d.text.strip():
        found.append(error("empty_text", d.at("text")))
    kind = _resolve_kind(d, found)
    topic = _resolve_topic(d, declared, found)
    difficulty = _resolve_difficulty(d, found)
    options = _resolve_options(d, kind, found) if kind is not None else None
    if kind is None or options is None or topic is None or difficulty is None:
        return None
    if not d.text.strip():
        return None
    return BankQuestion(
        ext_id=d.ext_id,
        kind=kind,
        text=d.text.strip(),
        options=options,
        topic=topic,
        difficulty=difficulty,
        basis=d.basis.strip(),
        explanation=d.explanation.strip() if d.explanation and d.explanation.strip() else None,
        question_set=d.question_set.strip(),
    )


def _is_tf_options(options: Sequence[str]) -> bool:
    return len(options) == 2 and tf_token(options[0]) == "true" and tf_token(options[1]) == "false"


def _resolve_kind(d: Draft, found: list[Problem]) -> QuestionKind | None:
    if d.kind:
        kind = parse_kind(d.kind)
        if kind is None:
            found.append(error("unknown_kind", d.at("kind"), kind=d.kind))
        return kind
    tf_answer = len(d.answer) == 1 and d.answer[0] in ("true", "false")
    if tf_answer and (not d.options or _is_tf_options(d.options)):
        return "true_false"
    return "multiple" if len(set(d.answer)) > 1 else "single"


def _resolve_topic(d: Draft, declared: dict[str, str], found: list[Problem]) -> str | None:
    if d.topic is None or (declared and not d.topic.strip()):
        found.append(error("missing_topic", d.at("topic")))
        return None
    topic = d.topic.strip()
    if declared:
        if fold(topic) not in declared:
            found.append(error("unknown_topic", d.at("topic"), topic=topic))
            return None
        topic = declared[fold(topic)]  # spelling of the declaration wins
    return topic


def _resolve_difficulty(d: Draft, found: list[Problem]) -> Difficulty | None:
    if d.difficulty is None or not d.difficulty.strip():
        found.append(error("missing_difficulty", d.at("difficulty")))
        return None
    difficulty = parse_difficulty(d.difficulty)
    if difficulty is None:
        found.append(error("unknown_difficulty", d.at("difficulty"), difficulty=d.difficulty))
    return difficulty


def _resolve_options(
    d: Draft, kind: QuestionKind, found: list[Problem]
) -> tuple[BankOption, ...] | None:
    at_answer = d.at("answer")
    if kind == "true_false":
        if d.options and not _is_tf_options(d.options):
            found.append(error("tf_with_options", d.at("options")))
            return None
        tokens = list(d.answer)
        if d.options and tokens in (["A"], ["B"]):
            tokens = ["true" if tokens == ["A"] else "false"]
        if not tokens:
            found.append(error("missing_answer", at_answer))
            return None
        if len(tokens) != 1 or tokens[0] not in ("true", "false"):
            found.append(error("tf_bad_answer", at_answer, answer=",".join(d.answer)))
            return None
        truth = tokens[0] == "true"
        return (
            BankOption(TRUE_FALSE_OPTIONS[0], truth),
            BankOption(TRUE_FALSE_OPTIONS[1], not truth),
        )
    ok = _check_option_texts(d, found)
    if not d.answer:
        found.append(error("missing_answer", at_answer))
        return None
    correct: set[int] = set()
    for token in d.answer:
        if len(token) != 1 or token not in LETTERS:
            found.append(error("bad_answer", at_answer, answer=token))
            ok = False
        elif LETTERS.index(token) >= len(d.options):
            found.append(
                error("answer_without_option", at_answer, letter=token, count=len(d.options))
            )
            ok = False
        else:
            correct.add(LETTERS.index(token))
    if ok and kind == "single" and len(correct) > 1:
        found.append(error("single_many_correct", at_answer, count=len(correct)))
        ok = False
    if not ok:
        return None
    return tuple(BankOption(o.strip(), i in correct) for i, o in enumerate(d.options))


def _check_option_texts(d: Draft, found: list[Problem]) -> bool:
    at = d.at("options")
    ok = True
    if len(d.options) < 2:
        found.append(error("too_few_options", at, count=len(d.options)))
        ok = False
    if len(d.options) > MAX_OPTIONS:
        found.append(error("too_many_options", at, count=len(d.options), max=MAX_OPTIONS))
        ok = False
    exact: dict[str, int] = {}
    near: dict[str, int] = {}
    for i, o in enumerate(d.options):
        letter = LETTERS[i] if i < len(LETTERS) else str(i + 1)
        text = o.strip()
        if not text:
            found.append(error("empty_option", d.locs.get(f"option{i}", at), letter=letter))
            ok = False
            continue
        if text in exact:
            found.append(error("duplicate_option", at, letter=letter, first=LETTERS[exact[text]]))
            ok = False
        elif fold(text) in near:
            found.append(
                warning("near_duplicate_option", at, letter=letter, first=LETTERS[near[fold(text)]])
            )
        exact.setdefault(text, i)
        near.setdefault(fold(text), i)
    return ok
