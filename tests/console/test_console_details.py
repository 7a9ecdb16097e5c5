"""The console's own error details and form problems follow the request's language (the lang
cookie), and the Vietnamese stays word for word what it was."""

from __future__ import annotations

import html
from typing import Any

import httpx

from contest.i18n import t
from contest.web.console.messages import text
from tests.console.conftest import Console


async def _in(lang: str, client: httpx.AsyncClient, method: str, url: str,
              **kw: Any) -> str:
    """The page's text (entities decoded) for a request made in lang."""
    client.cookies.set("lang", lang)
    r: httpx.Response = await getattr(client, method)(url, **kw)
    assert r.status_code == 422, r.status_code
    return html.unescape(r.text)


async def test_a_service_detail_follows_the_lang_cookie(console: Console) -> None:
    admin = await console.login("admin")
    form = {"username": "budang3", "full_name": "Lê Văn Cường", "role": "unit_officer",
            "unit_code": "BP-BUDANG", "password": "mat-khau-moi-1", "password2": "khac-hẳn"}
    vi = await _in("vi", admin, "post", "/console/staff", data=form)
    en = await _in("en", admin, "post", "/console/staff", data=form)
    assert "Cấu hình chưa hợp lệ: hai lần nhập mật khẩu không khớp" in vi
    assert t("detail.console.passwords_differ", "en") in en and "không khớp" not in en


async def test_a_field_named_in_a_detail_is_translated_too(console: Console) -> None:
    org = await console.login("organiser")
    data = {"title": "Cuộc thi", "rules": "", "groups": "", "min_age": "mười"}
    vi = await _in("vi", org, "post", "/console/contests/1", data=data)
    en = await _in("en", org, "post", "/console/contests/1", data=data)
    assert "tuổi tối thiểu phải là số nguyên" in vi
    assert "the minimum age must be a whole number" in en


async def test_form_problems_follow_the_lang_cookie(console: Console) -> None:
    org = await console.login("organiser")
    data = {"days": "bảy", "title": "Bản sao"}
    vi = await _in("vi", org, "post", "/console/contests/1/clone", data=data)
    en = await _in("en", org, "post", "/console/contests/1/clone", data=data)
    assert "Số ngày dời phải là số nguyên (đang là 'bảy')." in vi
    assert text("form.problem.not_integer", "en", what=text("form.field.shift_days", "en"),
                raw="'bảy'") in en


async def test_the_qr_title_and_prize_criteria_follow_the_lang_cookie(console: Console) -> None:
    org = await console.login("organiser")
    for lang in ("vi", "en"):
        org.cookies.set("lang", lang)
        totp = html.unescape((await org.get("/console/account/totp")).text)
        assert f"<title>{text('qr.totp_title', lang)}</title>" in totp, lang
        new = html.unescape((await org.get("/console/contests/1/rounds/new")).text)
        assert f">{text('criteria.duration', lang)}</option>" in new, lang
    assert text("qr.totp_title", "vi") == "Mã QR xác thực hai lớp"


async def test_a_list_of_wizard_problems_follows_the_lang_cookie(console: Console) -> None:
    org = await console.login("organiser")
    vi = await _in("vi", org, "post", "/console/wizard", data={"title": "  "})
    en = await _in("en", org, "post", "/console/wizard", data={"title": "  "})
    assert "Tên cuộc thi không được để trống." in vi
    assert t("wizard.problem.no_title", "en") in en and "Tên cuộc thi" not in en
