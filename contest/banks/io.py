"""Load a bank file of any supported format, refusing oversized, binary and zip-bomb files."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from contest.banks.aiken import parse_aiken
from contest.banks.decode import decode_text
from contest.banks.gift import parse_gift
from contest.banks.native import parse_native
from contest.banks.problems import BankInvalid, Loc, Problem, Progress, error
from contest.banks.tabular import parse_csv, parse_xlsx
from contest.domain.bank import Bank

MAX_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED = 50 * 1024 * 1024
MAX_RATIO = 100  # real workbooks compress 5-20x; a bomb compresses 1000x
_RATIO_FLOOR = 1024 * 1024  # tiny files may compress oddly well: judge ratio above 1 MB only
MAX_ZIP_ENTRIES = 10_000

FORMATS = ("yaml", "csv", "xlsx", "gift", "aiken")


def detect_format(path: str | Path) -> str | None:
    """The format named by a file's extension ("txt" means GIFT or Aiken); None if unknown."""
    name = Path(path).name.lower()
    for suffix, fmt in (
        (".yaml", "yaml"), (".yml", "yaml"), (".csv", "csv"), (".xlsx", "xlsx"),
        (".gift.txt", "gift"), (".gift", "gift"), (".aiken.txt", "aiken"), (".aiken", "aiken"),
        (".txt", "txt"),
    ):  # fmt: skip
        if name.endswith(suffix):
            return fmt
    return None


def check_zip(data: bytes, file: str, max_unzipped: int = MAX_UNZIPPED) -> None:
    """Refuse a non-zip or zip-bomb .xlsx from its directory alone; raises BankInvalid."""
    loc = Loc(file)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise BankInvalid([error("xlsx_not_zip", loc)]) from None
    # zipfile never inflates past an entry's declared size, so the directory is trustworthy.
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > max_unzipped:
        raise BankInvalid([error("xlsx_too_big", loc, size=total, limit=max_unzipped)])
    ratio = total // max(packed, 1)
    if len(infos) > MAX_ZIP_ENTRIES or (total > _RATIO_FLOOR and ratio > MAX_RATIO):
        raise BankInvalid([error("xlsx_bomb", loc, ratio=ratio)])


def read_limited(path: Path, max_bytes: int) -> bytes:
    """A file's bytes, refused before reading when over max_bytes; raises BankInvalid."""
    loc = Loc(str(path))
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise BankInvalid([error("file_too_large", loc, size=size, limit=max_bytes)])
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)  # the file may have grown since stat()
    except OSError as exc:
        raise BankInvalid(
            [error("file_unreadable", loc, detail=exc.strerror or str(exc))]
        ) from None
    if len(data) > max_bytes:
        raise BankInvalid([error("file_too_large", loc, size=len(data), limit=max_bytes)])
    if not data.strip():
        raise BankInvalid([error("empty_file", loc)])
    return data


def parse_bytes(
    data: bytes,
    file: str,
    fmt: str,
    progress: Progress | None = None,
    max_unzipped: int = MAX_UNZIPPED,
) -> tuple[Bank | None, list[Problem]]:
    """Parse bytes in a given format (see FORMATS; "txt" sniffs GIFT/Aiken)."""
    if fmt == "xlsx":
        check_zip(data, file, max_unzipped)
        return parse_xlsx(data, file, progress)
    if fmt == "csv":
        return parse_csv(data, file, progress)
    text = decode_text(data, file)
    if fmt == "txt":
        # Aiken has "ANSWER:" lines and no braces; everything else is read as GIFT.
        aiken = re.search(r"^\s*ANSWER:", text, re.MULTILINE) and "{" not in text
        fmt = "aiken" if aiken else "gift"
    if fmt == "yaml":
        return parse_native(text, file)
    if fmt == "gift":
        return parse_gift(text, file, progress)
    if fmt == "aiken":
        return parse_aiken(text, file, progress)
    return None, [error("unknown_extension", Loc(file), name=Path(file).name)]


def load_bank(
    path: str | Path,
    *,
    max_bytes: int = MAX_BYTES,
    max_unzipped: int = MAX_UNZIPPED,
    progress: Progress | None = None,
) -> tuple[Bank, list[Problem]]:
    """Load a bank file of any supported format: the Bank and its warnings.

    Raises BankInvalid (listing every problem) when the file is refused or has any error.
    """
    path = Path(path)
    fmt = detect_format(path)
    if fmt is None:
        raise BankInvalid([error("unknown_extension", Loc(str(path)), name=path.name)])
    data = read_limited(path, max_bytes)
    bank, problems = parse_bytes(data, str(path), fmt, progress, max_unzipped)
    if bank is None:
        raise BankInvalid(problems)
    return bank, problems
