"""`contest bank import`: any supported format, problems printed, nothing stored on error."""

from __future__ import annotations

from pathlib import Path

import pytest

from contest.cli import main

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def db_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/bank.sqlite3")
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("CONTEST_DEV", "1")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert main(["db", "upgrade"]) == 0


def test_import_then_reimport_same_file(db_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(REPO / "question_banks" / "can-cuoc.yaml")
    assert main(["bank", "import", path]) == 0
    assert "new version 1" in capsys.readouterr().out
    assert main(["bank", "import", path]) == 0
    assert "unchanged, existing version 1" in capsys.readouterr().out


def test_import_of_a_broken_csv_stores_nothing(
    db_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "STT,Câu hỏi,Phương án A,Phương án B,Đáp án đúng,Chủ đề,Mức độ,Căn cứ\n"
        "1,Thủ đô là?,Hà Nội,Huế,C,Chung,Dễ,Điều 13\n",
        encoding="utf-8",
    )
    assert main(["bank", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.csv" in err and "2" in err  # names the file and the row
