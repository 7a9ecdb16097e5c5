"""Proof-of-work registration challenges: stateless, signed, solved by the page's JS.

A challenge is `scope:expires_ms:bits:salt:signature`; a solution is a nonce such that
SHA-256("<challenge>:<nonce>") starts with `bits` zero bits. 16 bits is about 65 000 hashes:
a fraction of a second on a phone, but hours of CPU for a script registering thousands.
"""

from __future__ import annotations

import hashlib
import hmac
from enum import Enum

MAX_NONCE_LEN = 32


class Verdict(Enum):
    """Why a solution was accepted or refused."""

    OK = "ok"
    MALFORMED = "malformed"
    BAD_SIGNATURE = "bad_signature"
    WRONG_SCOPE = "wrong_scope"
    EXPIRED = "expired"
    INSUFFICIENT = "insufficient"


def _sign(secret: bytes, payload: str) -> str:
    return hmac.new(secret, f"pow:{payload}".encode(), hashlib.sha256).hexdigest()[:32]


def make_challenge(secret: bytes, scope: str, now_ms: int, ttl_ms: int, bits: int,
                   salt: str) -> str:
    """A signed challenge for scope (a contest slug) valid for ttl_ms with `bits` difficulty."""
    payload = f"{scope}:{now_ms + ttl_ms}:{bits}:{salt}"
    return f"{payload}:{_sign(secret, payload)}"


def leading_zero_bits(digest: bytes) -> int:
    """The number of leading zero bits of digest."""
    n = 0
    for byte in digest:
        if byte == 0:
            n += 8
            continue
        return n + 8 - byte.bit_length()
    return n


def work(challenge: str, nonce: str) -> int:
    """The leading zero bits of the solution's hash."""
    return leading_zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest())


def expires_ms(challenge: str) -> int | None:
    """The expiry of a well-formed challenge, else None."""
    parts = challenge.rsplit(":", 4)
    return int(parts[1]) if len(parts) == 5 and parts[1].isdecimal() else None


def verify(secret: bytes, challenge: str, nonce: str, scope: str, now_ms: int,
           min_bits: int) -> Verdict:
    """Check a solution; the caller must also make sure a challenge is used only once."""
    parts = challenge.rsplit(":", 4)
    if (len(parts) != 5 or not parts[1].isdecimal() or not parts[2].isdecimal()
            or not nonce or len(nonce) > MAX_NONCE_LEN):
        return Verdict.MALFORMED
    c_scope, expiry, bits, _salt, sig = parts
    if not hmac.compare_digest(sig, _sign(secret, challenge.rsplit(":", 1)[0])):
        return Verdict.BAD_SIGNATURE
    if c_scope != scope:
        return Verdict.WRONG_SCOPE
    if int(expiry) <= now_ms:
        return Verdict.EXPIRED
    if work(challenge, nonce) < max(int(bits), min_bits):
        return Verdict.INSUFFICIENT
    return Verdict.OK


def solve(challenge: str, bits: int) -> str:
    """Find a nonce (what the page's JS does; used by tests and benchmarks)."""
    n = 0
    while work(challenge, str(n)) < bits:
        n += 1
    return str(n)
