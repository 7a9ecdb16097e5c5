"""Texts of the organiser console: one catalogue per locale, merged from the JSON files of
contest/locales/console/<locale>/ (one file per area of the console); a key missing in a
locale falls back to Vietnamese, then to the shared catalogues (error.* keys)."""

from __future__ import annotations

from functools import cache

from contest.i18n import DEFAULT_LOCALE, LOCALES, merge_folder, t, words


@cache
def locales() -> frozenset[str]:
    """The locales the console has a folder of texts for."""
    root = LOCALES.joinpath("console")
    return frozenset(p.name for p in root.iterdir() if p.is_dir() and p.name.isalpha())


@cache
def catalogue(locale: str) -> dict[str, str]:
    """The console texts of one locale (empty for one without a folder: the name comes
    from a cookie, so only known folders are read); raises CatalogueError when two of its
    files define one key."""
    if locale not in locales():
        return {}
    return merge_folder({}, LOCALES.joinpath("console", locale), f"console/{locale}")


def page_language(locale: str) -> str:
    """The language a console page is shown in for a requested locale (its <html lang>)."""
    lang = locale.split("-")[0]
    return lang if lang in locales() else DEFAULT_LOCALE


def text(key: str, locale: str = DEFAULT_LOCALE, **params: object) -> str:
    """The console text for key in locale (Vietnamese when the locale lacks it); keys the
    console does not define (error.*) come from the shared catalogues."""
    lang = locale.split("-")[0]
    raw = catalogue(lang).get(key) or catalogue(DEFAULT_LOCALE).get(key)
    if raw is None:
        return t(key, locale, **params)
    params = words(params, locale)
    try:
        return raw.format(**params)
    except (KeyError, IndexError):
        return raw
