"""Reading a YAML document the way contest files need: every value with its line, typed
accessors that record a problem (file, line, message) instead of failing at the first one.

A problem's message is a Phrase (contest/locales/<locale>/contest_file.json): `message` and
`str()` say it in Vietnamese, as the CLI prints it; a console page translates `phrase` (or
`shown`, with the file and line) into the request's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from contest.domain.phrase import Phrase
from contest.i18n import DEFAULT_LOCALE, say

NULL_TAG = "tag:yaml.org,2002:null"
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")
# What a value is called in a problem: a field name as written in the file, or a Phrase.
What = str | Phrase


@dataclass(frozen=True)
class FileProblem:
    """Something wrong in a contest file, at a line (1-based) when one is known; what is
    wrong is a Phrase, so it can be said in any language."""

    file: str
    line: int | None
    phrase: Phrase

    @property
    def message(self) -> str:
        """What is wrong, in Vietnamese (the CLI's and the default language)."""
        return self.said(DEFAULT_LOCALE)

    def said(self, locale: str) -> str:
        """What is wrong, in locale."""
        return say(self.phrase, locale)

    @property
    def shown(self) -> Phrase:
        """The problem with its file and line (data, not words), for a page to translate."""
        if self.line:
            return Phrase("contest_file.at_line", file=self.file, line=self.line,
                          problem=self.phrase)
        return Phrase("contest_file.at_file", file=self.file, problem=self.phrase)

    def __str__(self) -> str:
        return say(self.shown)


def verbatim(text: object) -> Phrase:
    """A text that comes already worded (an error from a library or another module)."""
    return Phrase("contest_file.text", text=str(text))


def plain_value(node: yaml.Node) -> Any:
    """A composed node as plain data: mappings, lists, text, and whole numbers."""
    if isinstance(node, yaml.MappingNode):
        return {str(plain_value(k)): plain_value(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [plain_value(v) for v in node.value]
    value = str(node.value)
    if node.tag.endswith(":int") or (value.isdigit() and getattr(node, "style", None) is None):
        return int(value)
    return value


class Abort(Exception):
    """The document cannot be read further."""


class Reader:
    """Reads composed YAML nodes into values, collecting problems with their lines."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[FileProblem] = []
        self._seen: set[int] = set()

    def line(self, node: yaml.Node) -> int:
        return int(node.start_mark.line) + 1

    def bad(self, node: yaml.Node | None, message: Phrase) -> None:
        self.problems.append(FileProblem(self.file, self.line(node) if node else None, message))

    def _once(self, node: yaml.Node) -> None:
        # Aliases share one node object; refuse them (billion-laughs expansion).
        if id(node) in self._seen:
            self.bad(node, Phrase("contest_file.alias"))
            raise Abort
        self._seen.add(id(node))

    def mapping(self, node: yaml.Node, allowed: tuple[str, ...],
                what: What) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            self.bad(node, Phrase("contest_file.not_mapping", what=what))
            return {}
        self._once(node)
        out: dict[str, yaml.Node] = {}
        for k, v in node.value:
            key = str(k.value)
            if key in out:
                self.bad(k, Phrase("contest_file.key_twice", name=key))
            elif key not in allowed:
                self.bad(k, Phrase("contest_file.key_unknown", name=key, what=what,
                                   allowed=", ".join(allowed)))
            out[key] = v
        return out

    def sequence(self, node: yaml.Node | None, what: What) -> list[yaml.Node]:
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.bad(node, Phrase("contest_file.not_list", what=what))
            return []
        self._once(node)
        return list(node.value)

    def text(self, node: yaml.Node | None, what: What, required: bool = False,
             parent: yaml.Node | None = None) -> str | None:
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG):
            if required:
                self.bad(node or parent, Phrase("contest_file.missing", what=what))
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.bad(node, Phrase("contest_file.not_text", what=what))
            return None
        value = str(node.value)
        if required and not value.strip():
            self.bad(node, Phrase("contest_file.blank", what=what))
        return value

    def integer(self, node: yaml.Node | None, what: What, low: int, high: int) -> int | None:
        raw = self.text(node, what)
        if raw is None:
            return None
        try:
            value = int(raw)
        except ValueError:
            self.bad(node, Phrase("contest_file.not_integer", what=what, value=repr(raw)))
            return None
        if not low <= value <= high:
            self.bad(node, Phrase("contest_file.out_of_range", what=what, low=low, high=high,
                                 value=value))
        return value

    def boolean(self, node: yaml.Node | None, what: What, default: bool) -> bool:
        raw = self.text(node, what)
        if raw is None:
            return default
        if raw.lower() in ("true", "yes", "on", "có"):
            return True
        if raw.lower() in ("false", "no", "off", "không"):
            return False
        self.bad(node, Phrase("contest_file.not_boolean", what=what, value=repr(raw)))
        return default

    def when(self, node: yaml.Node | None, what: What, tz: ZoneInfo,
             parent: yaml.Node) -> datetime | None:
        raw = self.text(node, what, required=True, parent=parent)
        if raw is None:
            return None
        for fmt in TIME_FORMATS:
            try:
                return datetime.strptime(raw.strip(), fmt).replace(tzinfo=tz)
            except ValueError:
                continue
        self.bad(node, Phrase("contest_file.bad_time", what=what, tz=tz.key, value=repr(raw)))
        return None

    def plain(self, node: yaml.Node) -> Any:
        """Any value (mappings, lists, typed scalars), for free-form parts such as prizes."""
        if isinstance(node, yaml.MappingNode):
            self._once(node)
            return {str(k.value): self.plain(v) for k, v in node.value}
        if isinstance(node, yaml.SequenceNode):
            self._once(node)
            return [self.plain(v) for v in node.value]
        try:
            return SafeConstructor().construct_object(node)
        except ConstructorError:
            self.bad(node, Phrase("contest_file.unreadable_value"))
            return None
