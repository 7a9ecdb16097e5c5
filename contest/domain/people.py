"""Rules about people: Vietnamese phone numbers, citizen IDs, public name masking."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_PHONE = re.compile(r"0[35789][0-9]{8}")
_CCCD = re.compile(r"[0-9]{12}")
_SEPARATORS = re.compile(r"[\s.\-()]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def ascii_digits(raw: str) -> str:
    """NFKC-normalised text with every decimal digit of any script as an ASCII digit, so
    "０９１２..." (full-width) or "٠٩١٢..." (Arabic-Indic) is the same number as "0912..."
    before it is compared or hashed (one person, one phone, one hash)."""
    text = unicodedata.normalize("NFKC", raw)
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def normalise_phone(raw: str) -> str | None:
    """A 10-digit mobile number from what a person typed (+84/84 prefix, spaces), or None."""
    digits = _SEPARATORS.sub("", ascii_digits(raw))
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if _PHONE.fullmatch(digits) else None


def normalise_id_number(raw: str) -> str | None:
    """A 12-digit citizen identity number (CCCD) in ASCII digits, spaces dropped, or None."""
    digits = _SEPARATORS.sub("", ascii_digits(raw))
    return digits if _CCCD.fullmatch(digits) else None


def valid_id_number(raw: str) -> bool:
    """True for a 12-digit citizen identity number (CCCD) in ASCII digits."""
    return bool(_CCCD.fullmatch(raw))


def valid_email(raw: str) -> bool:
    """A plausibility check for an e-mail address (one @, a dot in the domain)."""
    return bool(_EMAIL.fullmatch(raw)) and len(raw) <= 254


def age_on(birth: date, day: date) -> int:
    """Whole years of age on day."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_cutoff(day: date, years: int) -> date:
    """The latest birth date of someone at least `years` old on day: age_on(b, day) >= years
    exactly when b <= age_cutoff(day, years)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February, `years` before a leap day, is 28 February then
        return day.replace(year=day.year - years, day=28)


def clean_name(raw: str) -> str:
    """Collapse whitespace in a full name."""
    return " ".join(raw.split())


def mask_name(full_name: str) -> str:
    """Public form of a name: family name in full, other names as initials ("Nguyễn T. B. N.")."""
    parts = full_name.split()
    if not parts:
        return ""
    return " ".join([parts[0], *(p[0].upper() + "." for p in parts[1:])])
