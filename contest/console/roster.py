"""Bulk participant import: a school or agency uploads an XLSX of its people (from the
downloadable template); every bad row is named (row and column, as bank imports do), the good
rows become participants, each with a one-time first-login code printed on a slip.

The codes are shown once, in the answer to the upload, and stored only as argon2 hashes (they
are the accounts' first password). Imported rows are checked like a registration: name, date
of birth, phone (unique in the contest), a unit of the contest inside the officer's scope, a
group, optional CCCD and e-mail, the contest's minimum age.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import openpyxl
from openpyxl.styles import Font
from sqlmodel import col, select
from starlette.concurrency import run_in_threadpool

from contest.banks.io import check_zip
from contest.banks.problems import BankInvalid
from contest.core import audit_log
from contest.core.context import Services
from contest.core.crypto import cipher, mask_phone
from contest.core.scope import unit_codes_in_scope
from contest.domain import people
from contest.domain.phrase import Phrase
from contest.errors import ConfigInvalid, NotFound
from contest.i18n import t
from contest.people import consent
from contest.people.accounts import hash_password, new_id
from contest.setup.catalog import list_units
from contest.storage.db import transaction
from contest.storage.tables import Contest, Participant, Staff

MAX_FILE = 5 * 1024 * 1024
MAX_ROWS = 5000
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed
COLUMNS = (("full_name", "Họ và tên"), ("birth_date", "Ngày sinh"), ("gender", "Giới tính"),
           ("phone", "Số điện thoại"), ("unit_code", "Mã đơn vị"),
           ("group", "Nhóm đối tượng"), ("id_number", "Số căn cước"),
           ("email", "Thư điện tử"))
REQUIRED = ("full_name", "birth_date", "phone", "unit_code", "group")
GENDERS = {"nam": "nam", "nữ": "nu", "nu": "nu", "khác": "khac", "khac": "khac"}


@dataclass(frozen=True)
class RowProblem:
    """Something wrong with one row of the upload (row numbers as Excel shows them)."""

    row: int
    column: str  # the column's header, as the file has it
    message: Phrase

    def __str__(self) -> str:
        return t("detail.roster.row", row=self.row, column=self.column, message=self.message)


@dataclass(frozen=True)
class Slip:
    """What one imported person needs to log in the first time (shown once)."""

    full_name: str
    phone_masked: str
    unit_code: str
    code: str


@dataclass
class RosterResult:
    """The outcome of an upload: the slips of the created accounts and the refused rows."""

    contest: Contest
    slips: list[Slip] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    rows: int = 0


def new_code(length: int = 10) -> str:
    """A one-time first-login code (about 50 bits: 10 letters or digits, none ambiguous)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


async def contest_or_latest(ctx: Services, contest_id: int | None) -> Contest:
    """The named contest, or the newest one; raises NotFound."""
    async with ctx.sm() as s:
        q = select(Contest).order_by(col(Contest.id).desc()).limit(1)
        if contest_id is not None:
            q = select(Contest).where(col(Contest.id) == contest_id)
        c = await s.scalar(q)
    if c is None:
        raise NotFound()
    return c


async def template(ctx: Services, staff: Staff, contest_id: int | None) -> tuple[str, bytes]:
    """(file name, XLSX) of the upload template: the columns, an example row, and a sheet
    listing the unit codes (in the staff member's scope) and group codes; raises NotFound."""
    c = await contest_or_latest(ctx, contest_id)
    scope = await unit_codes_in_scope(ctx, staff)
    units = [u for u in await list_units(ctx, c.unit_root) if scope is None or u.code in scope]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    ws.append([name for _, name in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    example = units[-1].code if units else ""
    ws.append(["Nguyễn Văn An", "21/05/2008", "Nam", "0912345678", example,
               c.groups[0]["code"] if c.groups else "", "", ""])
    for letter, width in zip("ABCDEFGH", (28, 14, 10, 16, 22, 18, 16, 26), strict=True):
        ws.column_dimensions[letter].width = width
    codes = wb.create_sheet("Mã tra cứu")
    codes.append(["Mã đơn vị", "Tên đơn vị", "", "Mã nhóm", "Tên nhóm"])
    groups = [(g["code"], g["name"]) for g in c.groups]
    for i in range(max(len(units), len(groups))):
        u = units[i] if i < len(units) else None
        g = groups[i] if i < len(groups) else ("", "")
        codes.append([u.code if u else "", u.name if u else "", "", g[0], g[1]])
    out = io.BytesIO()
    wb.save(out)
    return f"mau-danh-sach-{c.slug}.xlsx", out.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """(Excel row number, {column key: text}) of each non-empty row under the header;
    raises ConfigInvalid for a file that is not a usable workbook."""
    if len(data) > MAX_FILE:
        raise ConfigInvalid(detail=Phrase("detail.roster.too_large", file=filename,
                                           max_mb=MAX_FILE // (1024 * 1024)))
    if not filename.lower().endswith(".xlsx"):
        raise ConfigInvalid(detail=Phrase("detail.roster.not_xlsx", file=filename))
    try:
        check_zip(data, filename)
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except BankInvalid as exc:
        raise ConfigInvalid(detail=Phrase("detail.roster.unreadable", file=filename)) from exc
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ConfigInvalid(detail=Phrase("detail.roster.unreadable_because", file=filename,
                                           reason=str(exc))) from exc
    ws = wb.worksheets[0]
    header: dict[str, int] | None = None
    out: list[tuple[int, dict[str, str]]] = []
    names = {name.lower(): key for key, name in COLUMNS}
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = [_text(v) for v in values]
        if header is None:
            found = {names[c.lower()]: i for i, c in enumerate(cells) if c.lower() in names}
            if all(k in found for k in REQUIRED):
                header = found
            elif number >= 10:
                break
            continue
        if not any(cells):
            continue
        out.append((number, {k: cells[i] if i < len(cells) else "" for k, i in header.items()}))
        if len(out) > MAX_ROWS:
            raise ConfigInvalid(detail=Phrase("detail.roster.too_many_rows", file=filename,
                                               max=MAX_ROWS))
    wb.close()
    if header is None:
        raise ConfigInvalid(detail=Phrase(
            "detail.roster.no_header", file=filename,
            columns=", ".join(n for k, n in COLUMNS if k in REQUIRED)))
    return out


def _birth(raw: str) -> date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


async def import_roster(ctx: Services, staff: Staff, contest_id: int | None, filename: str,
                        data: bytes, ip: str | None) -> RosterResult:
    """Create the good rows' participants (one transaction, audited) and name the bad rows;
    raises NotFound, ConfigInvalid (the file itself is unusable)."""
    c = await contest_or_latest(ctx, contest_id)
    assert c.id is not None
    rows = read_rows(data, filename)
    scope = await unit_codes_in_scope(ctx, staff)
    units = {u.code for u in await list_units(ctx, c.unit_root)
             if scope is None or u.code in scope}
    groups = {g["code"] for g in c.groups}
    names = dict(COLUMNS)
    today = ctx.now().astimezone(ctx.settings.tz).date()
    data_cipher = cipher(ctx.settings)
    async with ctx.sm() as s:
        taken = set((await s.scalars(select(Participant.phone_hash).where(
            col(Participant.contest_id) == c.id))).all())
    result = RosterResult(contest=c, rows=len(rows))
    good: list[tuple[dict[str, Any], str]] = []
    for number, row in rows:
        bad = len(result.problems)

        def problem(key: str, what: str, number: int = number, **params: object) -> None:
            result.problems.append(RowProblem(number, names[key],
                                              Phrase(f"detail.roster.row.{what}", **params)))

        for key in REQUIRED:
            if not row.get(key):
                problem(key, "required")
        name = people.clean_name(row.get("full_name", ""))
        if row.get("full_name") and (len(name) > 255 or len(name.split()) < 2):
            problem("full_name", "full_name")
        birth = _birth(row.get("birth_date", ""))
        if row.get("birth_date") and (birth is None or not date(1900, 1, 1) <= birth <= today):
            problem("birth_date", "birth_date", value=repr(row["birth_date"]))
        elif birth is not None and c.min_age is not None and \
                people.age_on(birth, today) < c.min_age:
            problem("birth_date", "too_young", age=c.min_age)
        phone = people.normalise_phone(row.get("phone", ""))
        phone_hash = data_cipher.lookup("phone", phone) if phone else None
        if row.get("phone") and phone is None:
            problem("phone", "phone", value=repr(row["phone"]))
        elif phone_hash in taken:
            problem("phone", "phone_taken")
        if row.get("unit_code") and row["unit_code"] not in units:
            problem("unit_code", "unit", unit=row["unit_code"])
        if row.get("group") and row["group"] not in groups:
            problem("group", "group", group=row["group"], groups=", ".join(sorted(groups)))
        gender = GENDERS.get(row.get("gender", "").lower()) if row.get("gender") else None
        if row.get("gender") and gender is None:
            problem("gender", "gender")
        id_number = row.get("id_number") or None
        if id_number and not people.valid_id_number(id_number):
            problem("id_number", "id_number")
        email = row.get("email") or None
        if email and not people.valid_email(email):
            problem("email", "email")
        if len(result.problems) > bad:
            continue
        assert phone is not None and phone_hash is not None and birth is not None
        taken.add(phone_hash)
        code = new_code()
        good.append(({"full_name": name, "birth_date": birth, "gender": gender,
                      "phone": phone, "phone_hash": phone_hash, "unit_code": row["unit_code"],
                      "group": row["group"], "id_number": id_number, "email": email}, code))
    if not good:
        return result
    hashes = [await run_in_threadpool(hash_password, code) for _, code in good]
    version = (await consent.current(ctx, c.id)).version
    now = ctx.now()
    async with transaction(ctx.sm) as s:
        for (p, code), hashed in zip(good, hashes, strict=True):
            s.add(Participant(
                id=new_id(), contest_id=c.id, phone_hash=p["phone_hash"],
                phone_enc=data_cipher.encrypt(p["phone"]), password_hash=hashed,
                full_name=p["full_name"], birth_date=p["birth_date"], gender=p["gender"],
                unit_code=p["unit_code"], group_code=p["group"],
                id_number_enc=data_cipher.encrypt(p["id_number"]),
                id_number_hash=data_cipher.lookup("id", p["id_number"]) if p["id_number"]
                else None,
                email_enc=data_cipher.encrypt(p["email"]), consent_at=now,
                # the unit collected the consent (on paper) when it listed the person
                consent_version=f"{version}/danh-sach-don-vi", created_at=now))
            result.slips.append(Slip(p["full_name"], mask_phone(p["phone"]), p["unit_code"],
                                     code))
        audit_log.record(s, now, f"staff:{staff.username}", "participants.import",
                         f"contest:{c.id}", ip=ip, file=filename, rows=len(rows),
                         created=len(good), refused=len({p.row for p in result.problems}))
    return result
