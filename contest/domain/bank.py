"""The in-memory shape of a question bank, shared by every importer and exporter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

QuestionKind = Literal["single", "multiple", "true_false"]
Difficulty = Literal["easy", "medium", "hard"]
KINDS: tuple[QuestionKind, ...] = ("single", "multiple", "true_false")
DIFFICULTIES: tuple[Difficulty, ...] = ("easy", "medium", "hard")
TRUE_FALSE_OPTIONS = ("Đúng", "Sai")


@dataclass(frozen=True)
class BankOption:
    """One option of a question, as the bank author wrote it."""

    text: str
    correct: bool


@dataclass(frozen=True)
class BankQuestion:
    """One question with its options, classification and legal basis."""

    ext_id: str
    kind: QuestionKind
    text: str
    options: tuple[BankOption, ...]
    topic: str
    difficulty: Difficulty
    basis: str = ""
    explanation: str | None = None
    # A named, disjoint part of the bank (e.g. one week's questions); "" = in no set.
    question_set: str = ""

    @property
    def correct_positions(self) -> tuple[int, ...]:
        """Indexes of the correct options, in bank order."""
        return tuple(i for i, o in enumerate(self.options) if o.correct)


@dataclass(frozen=True)
class Bank:
    """A whole bank: metadata and questions in file order."""

    code: str
    title: str
    questions: tuple[BankQuestion, ...]
    language: str = "vi"
    version: str = "1"
    sources: tuple[str, ...] = field(default_factory=tuple)
    topics: tuple[str, ...] = field(default_factory=tuple)
