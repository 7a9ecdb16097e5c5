"""Decoding of uploaded text files: UTF-8 (BOM or not), UTF-16 with BOM, Windows-1258."""

from __future__ import annotations

import codecs
import unicodedata

from contest.banks.problems import BankInvalid, Loc, error

# Characters a Vietnamese text may hold beyond letters, combining marks, digits, punctuation
# and spaces (categories L*, M*, N*, P*, Z*): a few symbols cp1258 can produce legitimately.
_SYMBOLS_OK = set("€§°±×÷©®™¦¨¬¯´¸¤¢£¥")


def decode_text(data: bytes, file: str) -> str:
    """The NFC text of a file's bytes; raises BankInvalid when binary or undecodable.

    Strict UTF-8 first (a non-UTF-8 file essentially never decodes as UTF-8 by accident);
    then Windows-1258, accepted only when it yields plausible text. cp1258 writes tone marks
    as combining characters, so the result is NFC-normalised to the precomposed letters.
    """
    loc = Loc(file)
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return _checked(data[len(bom) :].decode(codec), file)
            except UnicodeDecodeError:
                raise BankInvalid([error("undecodable", loc)]) from None
    if b"\x00" in data:
        raise BankInvalid([error("binary_file", loc)])
    try:
        return _checked(data.decode("utf-8"), file)
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        raise BankInvalid([error("undecodable", loc)]) from None
    if not _plausible(text):
        raise BankInvalid([error("undecodable", loc)])
    return _checked(text, file)


def _checked(text: str, file: str) -> str:
    """NFC text; binary content that happens to decode (control characters) is refused."""
    if any(unicodedata.category(c) == "Cc" and c not in "\t\r\n\f" for c in text):
        raise BankInvalid([error("binary_file", Loc(file))])
    return unicodedata.normalize("NFC", text)


def _plausible(text: str) -> bool:
    """True when every non-ASCII character is a letter, mark, digit, punctuation or space."""
    odd = 0
    for c in text:
        if c.isascii():
            continue
        cat = unicodedata.category(c)
        if cat[0] in "LMNPZ" and cat not in ("Lm", "Lo"):
            continue
        if c in _SYMBOLS_OK:
            odd += 1
            continue
        return False
    return odd <= max(2, len(text) // 100)
