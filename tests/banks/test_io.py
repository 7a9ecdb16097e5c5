"""load_bank: dispatch on extension and refusal of oversized, binary and zip-bomb files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from contest.banks.io import MAX_BYTES, load_bank
from contest.banks.messages import render
from contest.banks.problems import BankInvalid, Problem
from contest.banks.xlsx_export import to_xlsx
from tests.banks.conftest import EXPECTED, NATIVE, csv_text


def refused(path: Path, **kwargs: int) -> Problem:
    with pytest.raises(BankInvalid) as info:
        load_bank(path, **kwargs)  # type: ignore[arg-type]
    assert info.value.errors
    return info.value.errors[0]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("mau.yaml", NATIVE.encode()),
        ("mau.yml", NATIVE.encode()),
        ("hien-phap-mau.xlsx", to_xlsx(EXPECTED)),
    ],
)
def test_dispatch_on_extension(tmp_path: Path, name: str, content: bytes) -> None:
    (tmp_path / name).write_bytes(content)
    bank, warnings = load_bank(tmp_path / name)
    assert bank == EXPECTED
    assert warnings == []


@pytest.mark.parametrize("name", ["mau.gift", "mau.gift.txt", "mau.txt"])
def test_gift_extensions(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("Hỏi?{=Có ~Không}\n", "utf-8")
    bank, _ = load_bank(tmp_path / name)
    assert bank.questions[0].correct_positions == (0,)


@pytest.mark.parametrize("name", ["mau.aiken", "mau.aiken.txt", "mau.txt"])
def test_aiken_extensions(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("Hỏi?\nA) Có\nB) Không\nANSWER: B\n", "utf-8")
    bank, _ = load_bank(tmp_path / name)
    assert bank.questions[0].correct_positions == (1,)


def test_csv_returns_warnings(tmp_path: Path) -> None:
    path = tmp_path / "mau.csv"
    path.write_text(csv_text().replace("Giải thích", "Ghi chú"), "utf-8-sig")
    bank, warnings = load_bank(path)
    assert len(bank.questions) == 3
    assert [w.code for w in warnings] == ["unknown_header"]


def test_50_mb_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: no 50 MB written
    p = refused(path)
    assert p.code == "file_too_large"
    assert p.params == {"size": 50 * 1024 * 1024, "limit": MAX_BYTES}
    assert "File too large" in render(p, "en") and "Tệp quá lớn" in render(p, "vi")


def test_size_limit_is_configurable(tmp_path: Path) -> None:
    path = tmp_path / "mau.yaml"
    path.write_text(NATIVE, "utf-8")
    assert refused(path, max_bytes=100).code == "file_too_large"


def _zip(entries: dict[str, int]) -> bytes:
    """A zip whose entries hold that many zero bytes (written in chunks)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, size in entries.items():
            with zf.open(name, "w") as f:
                chunk = b"\0" * (1024 * 1024)
                for start in range(0, size, len(chunk)):
                    f.write(chunk[: size - start])
    return out.getvalue()


def test_zip_bomb_named_xlsx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(_zip({"xl/worksheets/sheet1.xml": 60 * 1024 * 1024}))
    assert path.stat().st_size < 1024 * 1024
    p = refused(path)
    assert p.code == "xlsx_too_big"
    assert "50" in render(p, "en") or "52428800" in render(p, "en")


def test_absurd_compression_ratio_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ratio.xlsx"
    path.write_bytes(_zip({"xl/sharedStrings.xml": 20 * 1024 * 1024}))
    p = refused(path)
    assert p.code == "xlsx_bomb"
    assert "zip bomb" in render(p, "en")


@pytest.mark.parametrize(
    "content", [b"this is not a zip", b"PK\x03\x04 broken", "Câu hỏi,Đáp án".encode()]
)
def test_non_zip_xlsx_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(content)
    p = refused(path)
    assert p.code == "xlsx_not_zip"
    assert "not an Excel" in render(p, "en")


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    path.write_bytes(_zip({"hello.txt": 10}))
    assert refused(path).code == "xlsx_unreadable"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary_file"),
        (bytes(range(256)) * 4, "binary_file"),
        (b"\x81\x8a\x8d\x8e\x8f\x90\x9a" * 20, "undecodable"),
        ("Câu hỏi\x07,Đáp án\x1b".encode(), "binary_file"),
    ],
)
def test_binary_csv_is_refused(tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    p = refused(path)
    assert p.code == code
    assert p.file == str(path)
    assert render(p, "en").startswith(f"{path}: error: ")


def test_mojibake_candidate_is_refused_not_imported(tmp_path: Path) -> None:
    # Arbitrary high bytes decode as cp1258 to symbols nobody writes in a question bank.
    path = tmp_path / "odd.csv"
    path.write_bytes(bytes(range(0xA0, 0x100)) * 3)
    assert refused(path).code == "undecodable"


def test_empty_and_unknown_files(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_bytes(b"  \n")
    assert refused(tmp_path / "empty.yaml").code == "empty_file"
    (tmp_path / "bank.docx").write_bytes(b"x")
    assert refused(tmp_path / "bank.docx").code == "unknown_extension"
    assert refused(tmp_path / "missing.yaml").code == "file_unreadable"


def test_progress_every_500_questions(tmp_path: Path) -> None:
    lines = ["Câu hỏi,Phương án A,Phương án B,Đáp án đúng"]
    lines += [f"Câu hỏi số {i}?,Có,Không,A" for i in range(1200)]
    path = tmp_path / "large.csv"
    path.write_text("\n".join(lines), "utf-8")
    seen: list[int] = []
    bank, _ = load_bank(path, progress=seen.append)
    assert len(bank.questions) == 1200
    assert seen == [500, 1000]
