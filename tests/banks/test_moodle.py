"""Moodle's own GIFT and Aiken fixtures, copied into tests/fixtures/moodle (GPL-3.0)."""

from __future__ import annotations

from pathlib import Path

from contest.banks.aiken import parse_aiken, read_aiken
from contest.banks.gift import parse_gift, read_gift
from contest.banks.io import load_bank
from contest.banks.messages import render
from contest.banks.problems import BankInvalid


def test_gift_unsupported_types_are_reported_by_name_and_line(moodle: Path) -> None:
    bank, problems = parse_gift((moodle / "questions.gift.txt").read_bytes(), "questions.gift.txt")
    assert bank is None  # a file with unsupported questions imports nothing
    unsupported = [(p.params["type"], p.line) for p in problems if p.code == "gift_unsupported"]
    assert unsupported == [("essay", 2), ("matching", 5), ("numerical", 31), ("shortanswer", 34)]
    assert "Unsupported GIFT question type 'matching'" in render(problems[1], "en")


def test_gift_supported_questions_are_read_correctly(moodle: Path) -> None:
    text = (moodle / "questions.gift.txt").read_text("utf-8")
    _, drafts, _ = read_gift(text, "questions.gift.txt")
    got = {d.ext_id: (d.text, d.options, d.answer, d.explanation) for d in drafts}
    spectrum = "What's between orange and green in the spectrum?"
    assert got["Q2"] == (spectrum, ["yellow", "red", "blue"], ["A"], None)
    # multiple response: the positive-weight options are the correct ones
    assert got["colours"] == (spectrum, ["yellow", "red", "off-beige", "blue"], ["A", "C"], None)
    assert got["Q1"][1:] == (
        [],
        ["false"],
        "This is, of course, a Hitchiker's Guide to the Galaxy reference.",
    )
    assert got["2-08 TSL"][2] == ["true"] and got["2-08 TSL-2"][2] == ["true"]
    assert [d.kind for d in drafts] == [None, None, "true_false", "true_false", "true_false"]


def test_gift_fixture_other_problems(moodle: Path) -> None:
    _, problems = parse_gift((moodle / "questions.gift.txt").read_bytes(), "q.gift.txt")
    others = [(p.code, p.line) for p in problems if p.code != "gift_unsupported"]
    assert others == [
        ("gift_feedback_ignored", 14),
        ("gift_feedback_ignored", 22),
        ("gift_text_after_answers", 41),  # the stray '";' after Q1's closing brace
        ("duplicate_question", 49),  # the two identical "TSL is blablabla." questions
    ]


def test_aiken_questions_and_html_stays_text(moodle: Path) -> None:
    bank, problems = load_bank(moodle / "questions.aiken.txt")
    assert problems == []
    assert [q.text for q in bank.questions] == [
        "The Moodle project was started by:",
        'Moodle\'s abilities include handling user input that includes <html class="cool"> '
        "& images:",
    ]
    assert [o.text for o in bank.questions[0].options] == [
        "Petr Skoda", "Martin Dougiamas", "Eloy Lafuente", "Tim Hunt",
    ]  # fmt: skip
    assert [q.correct_positions for q in bank.questions] == [(1,), (0,)]
    assert all(q.kind == "single" for q in bank.questions)


def test_aiken_errors_with_moodle_wording_and_lines(moodle: Path) -> None:
    bank, problems = parse_aiken((moodle / "aiken_errors.txt").read_bytes(), "aiken_errors.txt")
    assert bank is None
    assert [f"{render(p, 'en').split(': ', 2)[2]} on line {p.line}" for p in problems] == [
        "Question must have at least 2 answers on line 3",
        "Question not started on line 5",
        "Question not started on line 7",
        "Question not completed before next question start on line 18",
    ]


def test_aiken_errors_good_questions_are_read(moodle: Path) -> None:
    _, drafts, _ = read_aiken((moodle / "aiken_errors.txt").read_text("utf-8"), "x.txt")
    assert [(d.text, d.options, d.answer) for d in drafts] == [
        ("A good question", ["Correct", "Incorrect"], ["A"]),
        ("A second good question", ["Incorrect (No space)", "Correct (No space)"], ["B"]),
    ]


def test_aiken_error_file_via_load_bank_imports_nothing(moodle: Path) -> None:
    try:
        load_bank(moodle / "aiken_errors.txt")
    except BankInvalid as exc:
        assert len(exc.errors) == 4
    else:  # pragma: no cover
        raise AssertionError("aiken_errors.txt must be refused")
