"""What the text formats (GIFT, Aiken) share: decode, read, check, build."""

from __future__ import annotations

from collections.abc import Callable

from contest.banks.decode import decode_text
from contest.banks.problems import Problem, Progress
from contest.banks.validate import BankMeta, Draft, build_bank
from contest.domain.bank import Bank

Reader = Callable[[str, str, Progress | None], tuple[BankMeta, list[Draft], list[Problem]]]
Parser = Callable[[bytes, str], tuple[Bank | None, list[Problem]]]


def parse_text(
    reader: Reader, data: bytes | str, file: str, progress: Progress | None = None
) -> tuple[Bank | None, list[Problem]]:
    """Read a text-format bank into a Bank (None when any error) and its problems.

    Raises BankInvalid when the bytes are binary or undecodable.
    """
    text = data if isinstance(data, str) else decode_text(data, file)
    meta, drafts, problems = reader(text, file, progress)
    bank, more = build_bank(meta, drafts, file)
    problems += more
    return (None if any(p.is_error for p in problems) else bank), problems
