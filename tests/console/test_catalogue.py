"""The console's texts live in its catalogues (contest/locales/console/<locale>/*.json), not
in the templates: every key a template asks for exists in Vietnamese, translations keep the
Vietnamese placeholders, and a locale named by a cookie reads only shipped catalogues."""

from __future__ import annotations

import html
import re
import string
import unicodedata
from pathlib import Path

import pytest

from contest.domain.phrase import Phrase
from contest.i18n import available, t, words
from contest.i18n import catalogue as shared_catalogue
from contest.web.console.messages import catalogue, locales, text
from tests.console.conftest import Console

TEMPLATES = Path(__file__).resolve().parents[2] / "contest" / "web" / "templates"
# Jinja tags, expressions and comments: what is left is the text a person reads.
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
KEY_CALL = re.compile(r"""\b_\(\s*["']([\w.\-]+)["']""")
# Templates whose Vietnamese text has not moved into the catalogues yet; shrinks to empty.
PENDING = {
}


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def _vietnamese(line: str) -> bool:
    """True when the line has a letter with a Vietnamese diacritic (or đ)."""
    return any(ord(c) > 127 and unicodedata.category(c).startswith("L")
               and "LATIN" in unicodedata.name(c, "") for c in line)


def _placeholders(s: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(s) if name}


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_text_comes_from_the_catalogue(path: Path) -> None:
    name = str(path.relative_to(TEMPLATES))
    outside = [line.strip() for line in JINJA.sub("", path.read_text("utf-8")).splitlines()
               if _vietnamese(line)]
    if name in PENDING:
        assert outside, f"{name} no longer has inline Vietnamese: take it off PENDING"
    else:
        assert outside == [], f"{name}: move these texts into the catalogue: {outside[:5]}"


def test_every_key_a_template_asks_for_exists() -> None:
    vi = catalogue("vi")

    def known(key: str) -> bool:
        if key.endswith("."):  # a prefix completed in the template: `_("role." ~ s.role)`
            return any(k.startswith(key) for k in vi)
        return key in vi or t(key) != key

    missing = {(str(p.relative_to(TEMPLATES)), key) for p in _templates()
               for key in KEY_CALL.findall(p.read_text("utf-8")) if not known(key)}
    assert missing == set()


@pytest.mark.parametrize("locale", sorted(locales() - {"vi"}))
def test_translations_match_the_vietnamese(locale: str) -> None:
    vi, other = catalogue("vi"), catalogue(locale)
    assert other.keys() <= vi.keys(), sorted(other.keys() - vi.keys())
    for key, s in other.items():
        assert _placeholders(s) == _placeholders(vi[key]), key


def test_english_is_a_real_translation_and_falls_back() -> None:
    assert text("nav.logout", "en") == "Log out"
    assert text("nav.logout", "en-GB") == "Log out"
    assert text("nav.logout", "vi") == "Đăng xuất"
    # keys the console does not define come from the shared catalogues, in the same locale
    assert text("error.not_found", "en") == t("error.not_found", "en") != "error.not_found"


@pytest.mark.parametrize("cookie", ["../../../etc/passwd", "console/../vi", "xx", ""])
def test_a_locale_from_a_cookie_reads_only_shipped_catalogues(cookie: str) -> None:
    assert text("nav.logout", cookie) == "Đăng xuất"
    assert t("error.not_found", cookie) == t("error.not_found", "vi") != "error.not_found"
    assert cookie not in locales()


def test_the_shipped_english_is_complete() -> None:
    assert catalogue("vi").keys() - catalogue("en").keys() == set()


async def test_pages_follow_the_lang_cookie(console: Console) -> None:
    admin = await console.login("admin")
    for path, vi_heading, en_heading in [
            ("/console/contests", text("nav.contests", "vi"), text("nav.contests", "en")),
            ("/console/staff", text("nav.staff", "vi"), text("nav.staff", "en"))]:
        admin.cookies.set("lang", "en")
        english = (await admin.get(path)).text
        admin.cookies.set("lang", "vi")
        vietnamese = (await admin.get(path)).text
        assert '<html lang="en">' in english and '<html lang="vi">' in vietnamese
        # the page's own link in the menu, which names it
        assert f'aria-current="page">{en_heading}</a>' in english, path
        assert f'aria-current="page">{vi_heading}</a>' in vietnamese, path
        # nothing inline is left to stay Vietnamese on the English page's chrome
        assert text("nav.logout", "vi") not in english


def test_a_phrase_is_translated_in_the_language_of_its_error() -> None:
    detail = Phrase("detail.announcement.title_length", max=200)
    assert t("error.config_invalid", "vi", detail=detail) == (
        "Cấu hình chưa hợp lệ: tiêu đề cần từ 1 đến 200 ký tự")
    english = t("error.config_invalid", "en", detail=detail)
    assert "200" in english and "tiêu đề" not in english
    assert text("error.config_invalid", "en", detail=detail) == english
    assert words({"detail": detail, "n": 3}, "vi") == {
        "detail": "tiêu đề cần từ 1 đến 200 ký tự", "n": 3}


async def test_an_error_detail_follows_the_lang_cookie(console: Console) -> None:
    org = await console.login("organiser")
    url = "/console/contests/1/announcements"
    for lang, expected in [("vi", "đợt thi không thuộc cuộc thi này"),
                           ("en", t("detail.round_of_another_contest", "en"))]:
        org.cookies.set("lang", lang)
        page = await org.post(url, data={"title": "T", "body": "B", "round_id": "999"})
        assert page.status_code == 422
        assert expected in html.unescape(page.text), lang


@pytest.mark.parametrize("locale", [loc for loc in available() if loc != "vi"])
def test_shared_translations_match_the_vietnamese(locale: str) -> None:
    vi, other = shared_catalogue("vi"), shared_catalogue(locale)
    assert other.keys() <= vi.keys(), sorted(other.keys() - vi.keys())
    for key, s in other.items():
        assert _placeholders(s) == _placeholders(vi[key]), key
