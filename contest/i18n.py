"""Translation layer: message keys to text, one JSON catalogue per locale."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from contest.domain.phrase import Phrase

DEFAULT_LOCALE = "vi"
LOCALES = resources.files("contest.locales")


class CatalogueError(ValueError):
    """Two files of one locale's catalogue define the same key."""


def merge_folder(data: dict[str, str], folder: Traversable, label: str) -> dict[str, str]:
    """data with the texts of every JSON file in folder (one per area, in name order) added;
    raises CatalogueError for a key defined twice."""
    parts = sorted(folder.iterdir(), key=lambda p: p.name) if folder.is_dir() else []
    for part in parts:
        if part.name.endswith(".json"):
            more: dict[str, str] = json.loads(part.read_text("utf-8"))
            twice = data.keys() & more.keys()
            if twice:
                raise CatalogueError(f"{label}/{part.name}: {sorted(twice)} defined twice")
            data.update(more)
    return data


@cache
def catalogue(locale: str) -> dict[str, str]:
    """Load the messages of one locale: <locale>.json and the files of its folder
    <locale>/ (one per area); raises FileNotFoundError for an unknown locale and
    CatalogueError for a key defined twice."""
    data: dict[str, str] = json.loads(LOCALES.joinpath(f"{locale}.json").read_text("utf-8"))
    return merge_folder(data, LOCALES.joinpath(locale), locale)


@cache
def available() -> tuple[str, ...]:
    """The locales that have a catalogue."""
    return tuple(sorted(
        p.name.removesuffix(".json")
        for p in LOCALES.iterdir()
        if p.name.endswith(".json")
    ))


def with_prefix(prefix: str, locale: str = DEFAULT_LOCALE) -> dict[str, str]:
    """The messages whose key starts with prefix, by the rest of the key (for a page script)."""
    return {k.removeprefix(prefix): v for k, v in catalogue(locale).items()
            if k.startswith(prefix)}


def words(params: dict[str, object], locale: str) -> dict[str, object]:
    """The params with every Phrase among them (or in a list of them) translated into
    locale."""
    def one(v: object) -> object:
        return say(v, locale) if isinstance(v, Phrase) else v

    return {k: [one(x) for x in v] if isinstance(v, list | tuple) else one(v)
            for k, v in params.items()}


def say(phrase: Phrase, locale: str = DEFAULT_LOCALE) -> str:
    """The phrase's text in locale."""
    return t(phrase.key, locale, **phrase.params)


def t(key: str, locale: str = DEFAULT_LOCALE, **params: object) -> str:
    """Translate key into locale (falling back to Vietnamese, then to the key itself); a
    Phrase among the params is translated into the same locale first."""
    params = words(params, locale)
    for loc in (locale, DEFAULT_LOCALE):
        if loc not in available():
            continue  # the name may come from a cookie: read only the catalogues we ship
        text = catalogue(loc).get(key)
        if text is not None:
            try:
                return text.format(**params)
            except (KeyError, IndexError):
                return text
    return key
