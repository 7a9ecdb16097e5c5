"""A contest file's problems are catalogue phrases (contest/locales/<locale>/contest_file.json):
the CLI and `message` say them in Vietnamese word for word as before, and a console page says
them in the request's language (the lang cookie), the file and line kept as they are."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from contest.domain.phrase import Phrase
from contest.errors import ConfigInvalid
from contest.i18n import catalogue, t
from contest.setup import contest_as_code
from contest.setup.contest_file import ContestFileInvalid, parse
from contest.setup.yaml_reader import FileProblem
from tests.conftest import World
from tests.console.conftest import Console
from tests.console.test_contest_as_code import BASE

BAD = ("format: contest/2\nslug: a b\ntitle: Thử\ngroups: []\n"
       "rounds:\n- title: Tuần 1\n  opens: mai\n  closes: 2026-12-08 08:00\n  bank: NH\n"
       "  questions: 500\n  colour: đỏ\n")


def _problems(text: str) -> list[FileProblem]:
    with pytest.raises(ContestFileInvalid) as caught:
        parse(text, "thu.yaml")
    return caught.value.problems


def test_problems_read_in_vietnamese_as_before() -> None:
    problems = _problems(BAD)
    assert [str(p) for p in problems] == [
        "thu.yaml:1: format phải là contest/1 (đang là 'contest/2')",
        "thu.yaml:2: slug chỉ gồm chữ, số, - và _",
        "thu.yaml:4: cần ít nhất một nhóm đối tượng (groups)",
        "thu.yaml:11: khóa colour không được hỗ trợ trong đợt thi (dùng: title, kind, opens, "
        "closes, bank, bank_version, question_set, questions, quotas, time_limit_s, grace_s, "
        "attempts, counting, partial_credit, score_shown, prediction, prizes, tie_breaks, "
        "qualify)",
        "thu.yaml:7: opens phải có dạng YYYY-MM-DD HH:MM theo giờ Asia/Ho_Chi_Minh "
        "(đang là 'mai')",
        "thu.yaml:10: questions phải từ 1 đến 200 (đang là 500)",
    ]
    assert problems[1].message == "slug chỉ gồm chữ, số, - và _"
    assert str(ContestFileInvalid(problems)).startswith("thu.yaml:1: format phải là")


def test_problems_read_in_english() -> None:
    said = [p.said("en") for p in _problems(BAD)]
    assert said[0] == "format must be contest/1 (it is 'contest/2')"
    assert said[3].startswith("key colour is not supported in round (use: title, kind")
    assert said[4] == ("opens must be written YYYY-MM-DD HH:MM in Asia/Ho_Chi_Minh time "
                       "(it is 'mai')")
    located = _problems(BAD)[5].shown
    assert t(located.key, "en", **located.params) == (
        "thu.yaml:10: questions must be from 1 to 200 (it is 500)")
    missing = _problems("format: contest/1\nslug: a\n")
    assert str(missing[0]) == "thu.yaml:1: thiếu title"
    assert missing[0].said("en") == "title is missing"


def test_a_named_field_and_a_file_without_line() -> None:
    text = ("format: contest/1\nslug: a\ntitle: T\ngroups:\n- name: Tự do\nrounds: []\n")
    [p] = _problems(text)
    assert p.message == "thiếu mã nhóm (code)"
    assert p.said("en") == "group code (code) is missing"
    [empty] = _problems("")
    assert str(empty) == "thu.yaml: tệp rỗng" and empty.said("en") == "the file is empty"


def test_a_service_detail_inside_a_problem_is_translated_too() -> None:
    detail = Phrase("detail.round.finalised_named", title="Tuần 1")
    p = FileProblem("c.yaml", 3, Phrase("contest_file.round_problem", title="'Tuần 1'",
                                        detail=detail))
    assert p.message == "đợt 'Tuần 1': " + t(detail.key, "vi", **detail.params)
    assert p.said("en") == "round 'Tuần 1': " + t(detail.key, "en", **detail.params)
    assert contest_as_code._detail(ConfigInvalid(detail=detail)) == detail


def test_every_problem_key_is_translated_into_english() -> None:
    vi, en = catalogue("vi"), catalogue("en")
    keys = [k for k in vi if k.startswith("contest_file.")]
    assert len(keys) > 40 and all(en.get(k) for k in keys)
    assert sorted(k for k in en if k.startswith("contest_file.")) == sorted(keys)


async def test_an_imported_file_s_problems_follow_the_lang_cookie(console: Console) -> None:
    org = await console.login("organiser")
    bad = {"file": ("x.yaml", b"format: contest/1\nslug: a\ngroups: nhom\n", "text/yaml")}
    org.cookies.set("lang", "en")
    en = await org.post("/console/wizard/import", files=bad)
    assert en.status_code == 422
    page = html.unescape(en.text)
    assert "x.yaml:1: title is missing" in page
    assert "x.yaml:3: groups must be a list" in page
    assert "thiếu" not in page and "danh sách" not in page
    org.cookies.delete("lang")
    vi = await org.post("/console/wizard/import", files=bad)
    assert vi.status_code == 422
    page = html.unescape(vi.text)
    assert "x.yaml:1: thiếu title" in page and "x.yaml:3: groups phải là một danh sách" in page


async def test_a_loader_problem_found_against_the_database(world: World,
                                                           tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(BASE.replace("bank: test-bank\n    questions", "bank: other\n    questions")
                    .replace("questions: 5\n", "questions: 5\n    tie_breaks: [score, luck]\n"),
                    "utf-8")
    with pytest.raises(ContestFileInvalid) as caught:
        await contest_as_code.load(world.ctx, path)
    [p] = caught.value.problems
    assert str(p) == f"{path}:11: đợt 'Đợt A': ngân hàng other không có trong banks"
    assert p.said("en") == "round 'Đợt A': bank other is not listed in banks"
    path.write_text(BASE.replace("questions: 5\n", "questions: 5\n    quotas:\n"
                                 "      - {count: 5, difficulty: easy}\n"), "utf-8")
    with pytest.raises(ContestFileInvalid) as caught:
        await contest_as_code.load(world.ctx, path)
    [p] = caught.value.problems
    assert p.message.startswith("đợt 'Đợt A': ") and "không đủ câu hỏi" in p.message
    assert p.said("en").startswith("round 'Đợt A': ") and "không" not in p.said("en")


async def test_publish_problems_follow_the_lang_cookie(console: Console) -> None:
    org = await console.login("organiser")
    text = ("format: contest/1\nslug: nhap-loi\ntitle: Nhập lỗi\ngroups:\n- code: tudo\n"
            "  name: Tự do\nrounds:\n- title: Tuần 1\n  opens: 2026-12-01 08:00\n"
            "  closes: 2026-12-08 08:00\n  bank: khong-co\n  questions: 5\n")
    made = await org.post("/console/wizard/import",
                          files={"file": ("c.yaml", text.encode(), "text/yaml")})
    assert made.status_code == 303
    publish = made.headers["location"]
    org.cookies.set("lang", "en")
    en = await org.post(publish)
    assert en.status_code == 422
    assert ("round 'Tuần 1': there is no bank khong-co yet (import it with `contest bank "
            "import` or give its path in banks)") in html.unescape(en.text)
    org.cookies.delete("lang")
    vi = await org.post(publish)
    assert vi.status_code == 422
    assert ("đợt 'Tuần 1': chưa có ngân hàng khong-co (nhập bằng `contest bank import` hoặc "
            "khai path trong banks)") in html.unescape(vi.text)
    # the publish page lists the same problems, in the page's language, before the button
    org.cookies.set("lang", "en")
    page = html.unescape((await org.get(publish)).text)
    assert "there is no bank khong-co yet" in page and "chưa có ngân hàng" not in page


async def test_a_draft_without_rounds_is_refused_in_the_page_s_language(
        console: Console) -> None:
    org = await console.login("organiser")
    made = await org.post("/console/wizard", data={"title": "Chưa có đợt"})
    assert made.status_code == 303
    publish = made.headers["location"].rsplit("/", 1)[0] + "/publish"
    org.cookies.set("lang", "en")
    en = html.unescape((await org.post(publish)).text)
    assert "The contest has no rounds yet." in en
    org.cookies.delete("lang")
    vi = html.unescape((await org.post(publish)).text)
    assert "Cuộc thi chưa có đợt thi nào." in vi
