"""`contest bank validate | export | template`, and every shipped bank file validates."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from contest.banks.io import FORMATS, detect_format, load_bank
from contest.banks.native import load_native
from contest.banks.tabular import parse_xlsx
from contest.cli.bank import main
from tests.banks.conftest import EXPECTED, NATIVE, REPO

_BANKS_DIR = REPO / "question_banks"
SHIPPED = (
    sorted(p for p in _BANKS_DIR.iterdir() if p.is_file() and detect_format(p) in FORMATS)
    if _BANKS_DIR.is_dir()
    else []
)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "mau.yaml"
    path.write_text(NATIVE, "utf-8")
    return path


@pytest.mark.parametrize(("lang", "word"), [("vi_VN.UTF-8", "hợp lệ"), ("en_US.UTF-8", "valid")])
def test_validate_clean_prints_summary(
    sample: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    word: str,
) -> None:
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", lang)
    assert main(["validate", str(sample)]) == 0
    out = capsys.readouterr().out
    assert f"{sample}: {word}, 3 " in out
    last = out.strip().splitlines()[-1].split()
    assert last[-4:] == ["1", "1", "1", "3"]  # easy, medium, hard, total


def test_lc_all_wins_over_lang(
    sample: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.setenv("LC_ALL", "vi_VN.UTF-8")
    main(["validate", str(sample)])
    assert "Chủ đề" in capsys.readouterr().out


def test_validate_lists_problems_and_exits_1(
    tmp_path: Path,
    sample: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LC_ALL", "C")
    bad = tmp_path / "bad.yaml"
    bad.write_text(NATIVE.replace("answer: B", "answer: F"), "utf-8")
    assert main(["validate", str(sample), str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:15: error: Answer F has no option (there are only 4 options)" in out
    assert f"{bad}: invalid, 1 errors" in out
    assert f"{sample}: valid" in out


def test_progress_goes_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LC_ALL", "C")
    path = tmp_path / "large.csv"
    rows = [f"Câu hỏi số {i}?,Có,Không,A" for i in range(600)]
    path.write_text("\n".join(["Câu hỏi,Phương án A,Phương án B,Đáp án đúng", *rows]), "utf-8")
    assert main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert "read 500 questions" in captured.err
    assert "read 500" not in captured.out


@pytest.mark.parametrize("fmt", ["gift", "xlsx", "yaml"])
def test_export_file_to_file(sample: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    assert main(["export", str(sample), "--format", fmt, "-o", str(out)]) == 0
    bank, _ = load_bank(out)
    assert bank == EXPECTED


def test_export_default_name_and_never_over_the_source(sample: Path) -> None:
    assert main(["export", str(sample), "--format", "gift"]) == 0
    assert sample.with_suffix(".gift").is_file()
    assert main(["export", str(sample), "--format", "yaml"]) == 1
    assert load_native(sample) == EXPECTED


def test_export_of_invalid_file_fails(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: x\n", "utf-8")
    assert main(["export", str(bad), "--format", "gift", "-o", str(tmp_path / "o.gift")]) == 1
    assert not (tmp_path / "o.gift").exists()


def test_template(tmp_path: Path) -> None:
    out = tmp_path / "mau.xlsx"
    assert main(["template", "-o", str(out)]) == 0
    bank, problems = parse_xlsx(out.read_bytes(), str(out))
    assert problems == []
    assert bank is not None and len(bank.questions) == 1
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Câu hỏi", "Thông tin", "Hướng dẫn"]
    assert "HƯỚNG DẪN" in str(wb["Hướng dẫn"]["A1"].value)


def test_question_banks_folder_has_files() -> None:
    assert len(SHIPPED) >= 1


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_every_shipped_bank_validates(path: Path) -> None:
    bank, warnings = load_bank(path)
    assert bank.questions
    assert [w.code for w in warnings] == []
