"""Personal data at rest: Fernet encryption (rotatable keys) and a keyed hash for look-ups."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from contest.settings import Settings


class DataKeyError(RuntimeError):
    """A stored value cannot be decrypted with any configured key."""


@dataclass(frozen=True)
class DataCipher:
    """Encrypts with the newest key, decrypts with any; hashes look-up values with a fixed key."""

    fernet: MultiFernet
    lookup_key: bytes
    primary: Fernet  # the first key of CONTEST_DATA_KEYS: every new ciphertext uses it

    def encrypt(self, value: str | None) -> str | None:
        """The ciphertext of value (None stays None)."""
        return None if value is None else self.fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str | None) -> str | None:
        """The clear text of token (None stays None); raises DataKeyError for an unknown key."""
        if token is None:
            return None
        try:
            return self.fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise DataKeyError("stored personal data does not match CONTEST_DATA_KEYS") from exc

    def rotate(self, token: str | None) -> str | None:
        """token re-encrypted under the newest key; raises DataKeyError for an unknown key."""
        if token is None:
            return None
        try:
            return self.fernet.rotate(token.encode()).decode()
        except InvalidToken as exc:
            raise DataKeyError("stored personal data does not match CONTEST_DATA_KEYS") from exc

    def is_current(self, token: str | None) -> bool:
        """True when token is None or already encrypted under the newest key."""
        if token is None:
            return True
        try:
            self.primary.decrypt(token.encode())
        except InvalidToken:
            return False
        return True

    def lookup(self, kind: str, value: str) -> str:
        """Keyed hash of a normalised value, for uniqueness and look-ups without the clear text."""
        return hmac.new(self.lookup_key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _derived(secret: str, purpose: str) -> bytes:
    return hashlib.sha256(f"{purpose}:{secret}".encode()).digest()


@cache
def cipher(settings: Settings) -> DataCipher:
    """The cipher of settings; in dev mode without keys, keys derived from SECRET_KEY."""
    keys = [k.strip() for k in settings.data_keys.split(",") if k.strip()]
    if not keys:
        keys = [base64.urlsafe_b64encode(_derived(settings.secret_key, "data-key")).decode()]
    lookup = (settings.lookup_key.encode() if settings.lookup_key
              else _derived(settings.secret_key, "lookup-key"))
    fernets = [Fernet(k) for k in keys]
    return DataCipher(MultiFernet(fernets), lookup, fernets[0])


def new_key() -> str:
    """A fresh Fernet key for CONTEST_DATA_KEYS."""
    return Fernet.generate_key().decode()


def mask_phone(phone: str | None) -> str:
    """0912345678 -> 091****678."""
    if not phone:
        return ""
    return phone[:3] + "*" * max(len(phone) - 6, 1) + phone[-3:]


def mask_email(email: str | None) -> str:
    """ngoc.nguyen@example.vn -> n***@example.vn."""
    if not email or "@" not in email:
        return ""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_id(id_number: str | None) -> str:
    """079123456789 -> ********6789."""
    if not id_number:
        return ""
    return "*" * (len(id_number) - 4) + id_number[-4:]
