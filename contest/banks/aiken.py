"""Moodle Aiken import: a question line, lettered answer lines, then "ANSWER: X".

Follows Moodle's qformat_aiken: lines shorter than 2 characters are skipped, answer labels
may be followed by a space or not ("A)Incorrect"), and errors are reported on the line where
they are noticed, with Moodle's wording in English.
"""

from __future__ import annotations

import re
from pathlib import Path

from contest.banks.problems import Loc, Problem, Progress, error
from contest.banks.textformat import parse_text
from contest.banks.validate import LETTERS, BankMeta, Draft, clean, fold
from contest.domain.bank import Bank

_ANSWER_LINE = re.compile(r"^([A-Z])[).][ \t]*(.*)$")
_KEY_LINE = re.compile(r"^ANSWER:\s*(.*)$")


def read_aiken(
    text: str, file: str, progress: Progress | None = None
) -> tuple[BankMeta, list[Draft], list[Problem]]:
    """The bank fields, complete question drafts and problems of Aiken text."""
    stem = Path(file).name.split(".")[0]
    meta = BankMeta(
        code=re.sub(r"[^a-z0-9]+", "-", fold(stem)).strip("-") or "bank",
        title=stem,
        loc=Loc(file),
    )
    problems: list[Problem] = []
    drafts: list[Draft] = []
    current: Draft | None = None
    labels: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = clean(raw)
        loc = Loc(file, line=number)
        if len(line) < 2:
            continue
        answer_m = _ANSWER_LINE.match(line)
        key_m = _KEY_LINE.match(line)
        if key_m:
            if current is None:
                problems.append(error("aiken_not_started", loc))
            elif len(current.options) < 2:
                problems.append(error("aiken_too_few_answers", loc))
                current = None
            else:
                key = key_m.group(1).strip().upper()
                if key in labels:
                    current.answer = [LETTERS[labels.index(key)]]
                    current.locs["answer"] = loc
                    drafts.append(current)
                    if progress and len(drafts) % 500 == 0:
                        progress(len(drafts))
                else:
                    problems.append(error("aiken_bad_answer", loc, answer=key))
                current = None
        elif answer_m:
            if current is None:
                problems.append(error("aiken_not_started", loc))
            else:
                labels.append(answer_m.group(1))
                current.options.append(answer_m.group(2))
                current.locs[f"option{len(current.options) - 1}"] = loc
        elif current is not None and not current.options:
            current.text += "\n" + line  # a question text may span lines until its answers
        else:
            if current is not None:
                problems.append(error("aiken_not_completed", loc))
            current = Draft(
                loc=loc,
                ext_id=f"q{len(drafts) + 1}",
                text=line,
                options=[],
                answer=[],
                kind="single",
            )
            current.locs["options"] = loc
            labels = []
    if current is not None:
        problems.append(error("aiken_unfinished", current.loc))
    return meta, drafts, problems


def parse_aiken(
    data: bytes | str, file: str, progress: Progress | None = None
) -> tuple[Bank | None, list[Problem]]:
    """Parse an Aiken file into a Bank (None when any error) and its problems.

    Raises BankInvalid when the bytes are binary or undecodable.
    """
    return parse_text(read_aiken, data, file, progress)
