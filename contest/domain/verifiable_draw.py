"""The publicly verifiable draw that orders entries the tie-break chain leaves tied.

Procedure: before the round opens the organiser publishes commitment = SHA-256(seed) for a
secret 32-byte seed. At finalisation the seed is revealed; each tied entry gets
draw_key = HMAC-SHA256(key=seed, message=public entry id) and tied entries are ordered by
draw_key ascending (hex strings compare like the numbers they encode). Anyone can check that
the revealed seed matches the commitment and recompute every key with standard tools.

The eligible list is bound to the published results by a SHA-256 over canonical lines (one
per eligible entry, in final order), so a reader can tell that the list they hold is the one
the draw ran on.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable

ENGINE_VERSION = "contest-draw/1"
SEED_BYTES = 32


def new_seed(randbytes: Callable[[int], bytes]) -> bytes:
    """A fresh secret seed from the given source of randomness (secrets.token_bytes)."""
    seed = randbytes(SEED_BYTES)
    if len(seed) != SEED_BYTES:
        raise ValueError(f"a seed has {SEED_BYTES} bytes")
    return seed


def commitment(seed: bytes) -> str:
    """The public commitment to a seed: SHA-256 of its bytes, in lowercase hex."""
    return hashlib.sha256(seed).hexdigest()


def seed_from_hex(text: str) -> bytes:
    """The seed bytes from their published hex form; raises ValueError if malformed."""
    seed = bytes.fromhex(text.strip())
    if len(seed) != SEED_BYTES:
        raise ValueError(f"a seed has {SEED_BYTES} bytes, got {len(seed)}")
    return seed


def matches(seed: bytes, published_commitment: str) -> bool:
    """True when the revealed seed is the one committed to."""
    return hmac.compare_digest(commitment(seed), published_commitment.strip().lower())


def draw_key(seed: bytes, entry_id: str) -> str:
    """The entry's place in the draw: HMAC-SHA256(seed, entry id), lowercase hex."""
    return hmac.new(seed, entry_id.encode("utf-8"), hashlib.sha256).hexdigest()


def canonical_line(entry_id: str, split_key: str, values: Iterable[int | None]) -> str:
    """One eligible entry as hashed: id, split and chain values joined by '|', empty for None."""
    cells = [entry_id, split_key, *("" if v is None else str(v) for v in values)]
    return "|".join(cells) + "\n"


class ListHasher:
    """SHA-256 over canonical lines fed one at a time (the eligible list never sits in memory)."""

    def __init__(self) -> None:
        self._h = hashlib.sha256()
        self.count = 0

    def add(self, line: str) -> None:
        """Feed one canonical line."""
        self._h.update(line.encode("utf-8"))
        self.count += 1

    def hexdigest(self) -> str:
        """The hash of the lines fed so far."""
        return self._h.hexdigest()
