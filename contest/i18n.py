"""Translation layer: message keys to text, one JSON catalogue per locale."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

DEFAULT_LOCALE = "vi"


@cache
def catalogue(locale: str) -> dict[str, str]:
    """Load the messages of one locale; raises FileNotFoundError for an unknown one."""
    text = resources.files("contest.locales").joinpath(f"{locale}.json").read_text("utf-8")
    data: dict[str, str] = json.loads(text)
    return data


@cache
def available() -> tuple[str, ...]:
    """The locales that have a catalogue."""
    return tuple(sorted(
        p.name.removesuffix(".json")
        for p in resources.files("contest.locales").iterdir()
        if p.name.endswith(".json")
    ))


def with_prefix(prefix: str, locale: str = DEFAULT_LOCALE) -> dict[str, str]:
    """The messages whose key starts with prefix, by the rest of the key (for a page script)."""
    return {k.removeprefix(prefix): v for k, v in catalogue(locale).items()
            if k.startswith(prefix)}


def t(key: str, locale: str = DEFAULT_LOCALE, **params: object) -> str:
    """Translate key into locale (falling back to Vietnamese, then to the key itself)."""
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
