"""Problems found while importing a bank, each with the place it was found."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]

# Called with the number of questions read so far, for progress on large files.
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Loc:
    """Where something sits in a source file: a line, or a sheet/row/column."""

    file: str
    line: int | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None


@dataclass(frozen=True)
class Problem:
    """One thing wrong (error) or suspicious (warning) in a bank file, with its location."""

    severity: Severity
    code: str
    file: str
    line: int | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    params: dict[str, object] = field(default_factory=dict, hash=False, compare=True)

    @property
    def is_error(self) -> bool:
        """True for an error (which blocks the import), False for a warning."""
        return self.severity == "error"


def error(code: str, loc: Loc, /, **params: object) -> Problem:
    """An error at loc."""
    return _make("error", code, loc, params)


def warning(code: str, loc: Loc, /, **params: object) -> Problem:
    """A warning at loc."""
    return _make("warning", code, loc, params)


def _make(severity: Severity, code: str, loc: Loc, params: dict[str, object]) -> Problem:
    return Problem(
        severity=severity,
        code=code,
        file=loc.file,
        line=loc.line,
        sheet=loc.sheet,
        row=loc.row,
        column=loc.column,
        params=params,
    )


class BankInvalid(Exception):
    """A bank file has errors; nothing from it was imported."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.is_error]
        first = errors[0] if errors else (problems[0] if problems else None)
        summary = f"{len(errors)} error(s)" + (f", first: {first.code}" if first else "")
        super().__init__(summary)

    @property
    def errors(self) -> list[Problem]:
        """Only the blocking problems."""
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        """Only the non-blocking problems."""
        return [p for p in self.problems if not p.is_error]
