"""The error details of the setup, results and people services are catalogue phrases: every
key a Phrase names exists, and a detail follows the request's language."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest

from contest.domain import qualify as q
from contest.domain.phrase import Phrase
from contest.errors import ConfigInvalid
from contest.i18n import available, catalogue, t
from contest.setup import qualification
from contest.storage.tables import Round
from tests.conftest import REPO
from tests.console.conftest import Console

PHRASE_KEY = re.compile(r"""Phrase\(\s*["']([\w.]+)["']""")


def _phrase_keys() -> set[tuple[str, str]]:
    root = REPO / "contest"
    return {(str(p.relative_to(root)), key) for p in root.rglob("*.py")
            for key in PHRASE_KEY.findall(p.read_text("utf-8"))}


@pytest.mark.parametrize("locale", available())
def test_every_phrase_key_in_the_code_is_in_the_catalogue(locale: str) -> None:
    keys = _phrase_keys()
    assert ("setup/round_settings.py", "detail.round.key_leak") in keys  # the scan finds them
    assert {(f, k) for f, k in keys if k not in catalogue(locale)} == set()


def test_a_detail_built_from_pieces_reads_the_same_in_vietnamese() -> None:
    missing = Phrase("detail.qualify.sources_missing", titles="Tuần 1, Tuần 2")
    assert t("error.config_invalid", detail=missing) == (
        "Cấu hình chưa hợp lệ: qualify.from: không có đợt thi Tuần 1, Tuần 2")
    taken = Phrase("detail.clone.title_taken", name="Tuần 1")
    assert t(taken.key, **taken.params) == "đã có đợt thi tên 'Tuần 1' trong cuộc thi này"
    assert t(taken.key, "en", **taken.params) == "this contest already has a round named 'Tuần 1'"


def test_a_missing_source_round_is_named_in_either_language() -> None:
    when = datetime(2026, 12, 1, tzinfo=UTC)
    final = Round(id=2, contest_id=1, title="Chung kết", opens_at=when, closes_at=when)
    rule = q.parse({"from": ["Tuần 9"], "best_per_round": 1})
    assert rule is not None
    with pytest.raises(ConfigInvalid) as refused:
        qualification.pick_sources(final, rule, [final])
    detail = refused.value.params["detail"]
    assert t("error.config_invalid", "vi", detail=detail).endswith("không có đợt thi Tuần 9")
    english = t("error.config_invalid", "en", detail=detail)
    assert "Tuần 9" in english and "không có" not in english


async def test_the_claim_error_follows_the_lang_cookie(console: Console) -> None:
    org = await console.login("organiser")
    url = f"/console/rounds/{console.world.round_id}/results/claim"
    for lang, expected in [("vi", "cách nhận giải dài quá 400 ký tự"),
                           ("en", t("detail.notice.claim_too_long", "en", max=400))]:
        org.cookies.set("lang", lang)
        page = await org.post(url, data={"prize_claim": "x" * 401})
        assert page.status_code == 422
        assert expected in html.unescape(page.text), lang
