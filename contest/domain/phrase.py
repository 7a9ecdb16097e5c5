"""A text to be shown to a person, named by its catalogue key and values, not yet translated:
what an error's detail carries so the request's language decides its words (web.errors and
the console render it through contest.i18n)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType


class Phrase:
    """A catalogue key and the values its text interpolates (frozen, comparable)."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params: Mapping[str, object] = MappingProxyType(params)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Phrase) and self.key == other.key
                and dict(self.params) == dict(other.params))

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"Phrase({self.key!r}, **{dict(self.params)!r})"
