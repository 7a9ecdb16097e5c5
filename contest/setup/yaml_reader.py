"""Reading a YAML document the way contest files need: every value with its line, typed
accessors that record a problem (file, line, message) instead of failing at the first one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

NULL_TAG = "tag:yaml.org,2002:null"
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")




@dataclass(frozen=True)
class FileProblem:
    """Something wrong in a contest file, at a line (1-based) when one is known."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else \
            f"{self.file}: {self.message}"


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

    def bad(self, node: yaml.Node | None, message: str) -> None:
        self.problems.append(FileProblem(self.file, self.line(node) if node else None, message))

    def _once(self, node: yaml.Node) -> None:
        # Aliases share one node object; refuse them (billion-laughs expansion).
        if id(node) in self._seen:
            self.bad(node, "không dùng bí danh YAML (& và *)")
            raise Abort
        self._seen.add(id(node))

    def mapping(self, node: yaml.Node, allowed: tuple[str, ...], what: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            self.bad(node, f"{what} phải là một bảng khóa: giá trị")
            return {}
        self._once(node)
        out: dict[str, yaml.Node] = {}
        for k, v in node.value:
            key = str(k.value)
            if key in out:
                self.bad(k, f"khóa {key} xuất hiện hai lần")
            elif key not in allowed:
                self.bad(k, f"khóa {key} không được hỗ trợ trong {what} "
                            f"(dùng: {', '.join(allowed)})")
            out[key] = v
        return out

    def sequence(self, node: yaml.Node | None, what: str) -> list[yaml.Node]:
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.bad(node, f"{what} phải là một danh sách")
            return []
        self._once(node)
        return list(node.value)

    def text(self, node: yaml.Node | None, what: str, required: bool = False,
             parent: yaml.Node | None = None) -> str | None:
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG):
            if required:
                self.bad(node or parent, f"thiếu {what}")
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.bad(node, f"{what} phải là một giá trị văn bản")
            return None
        value = str(node.value)
        if required and not value.strip():
            self.bad(node, f"{what} không được để trống")
        return value

    def integer(self, node: yaml.Node | None, what: str, low: int, high: int) -> int | None:
        raw = self.text(node, what)
        if raw is None:
            return None
        try:
            value = int(raw)
        except ValueError:
            self.bad(node, f"{what} phải là số nguyên (đang là {raw!r})")
            return None
        if not low <= value <= high:
            self.bad(node, f"{what} phải từ {low} đến {high} (đang là {value})")
        return value

    def boolean(self, node: yaml.Node | None, what: str, default: bool) -> bool:
        raw = self.text(node, what)
        if raw is None:
            return default
        if raw.lower() in ("true", "yes", "on", "có"):
            return True
        if raw.lower() in ("false", "no", "off", "không"):
            return False
        self.bad(node, f"{what} phải là true hoặc false (đang là {raw!r})")
        return default

    def when(self, node: yaml.Node | None, what: str, tz: ZoneInfo,
             parent: yaml.Node) -> datetime | None:
        raw = self.text(node, what, required=True, parent=parent)
        if raw is None:
            return None
        for fmt in TIME_FORMATS:
            try:
                return datetime.strptime(raw.strip(), fmt).replace(tzinfo=tz)
            except ValueError:
                continue
        self.bad(node, f"{what} phải có dạng YYYY-MM-DD HH:MM theo giờ {tz.key} (đang là {raw!r})")
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
            self.bad(node, "giá trị không đọc được")
            return None
