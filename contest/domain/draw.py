"""Deterministic per-attempt papers: which questions, in what order, with which opaque ids.

Every choice is keyed by the attempt's seed (an HMAC of the round secret and the attempt's
identity), so an organiser holding the secret can re-derive exactly what a participant was
shown, on any machine and any Python version (no dependency on random.Random's algorithm).
A round keeps the draw version its papers were made with (Round.draw_version):

- version 1 keys every choice by its own HMAC-SHA256 under the seed (~300 per paper);
- version 2 reads the same kinds of keys from three SHAKE-256 streams of the seed, one C
  call each (keys per bank question in id order; option shuffle keys and public ids in
  paper order). A paper took ~0.34 ms to draw from 120 questions in version 1, a fifth of a
  start's CPU at the round-open herd; version 2 draws it in a fraction (docs/capacity.md).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple


class DrawError(ValueError):
    """The bank cannot fill the requested paper."""


@dataclass(frozen=True)
class QuestionText:
    """What a participant reads of a question: its text, kind and option texts (no key)."""

    text: str
    kind: str  # single | multiple, as the API shows it (true/false is single)
    options: dict[int, str]


DIFFICULTY_VI = {"easy": "dễ", "medium": "trung bình", "hard": "khó"}


def describe(quota: Quota) -> str:
    """A quota as an organiser reads it: 'chủ đề «X», mức độ «khó»', or the whole bank."""
    parts = []
    if quota.topic is not None:
        parts.append(f"chủ đề «{quota.topic}»")
    if quota.difficulty is not None:
        parts.append(f"mức độ «{DIFFICULTY_VI.get(quota.difficulty, quota.difficulty)}»")
    return ", ".join(parts) or "toàn ngân hàng"


def short_message(quota: Quota, have: int) -> str:
    """Vietnamese: the quota wants more questions than its pool holds."""
    return (f"cơ cấu {describe(quota)} cần {quota.count} câu nhưng ngân hàng chỉ có {have} "
            "câu phù hợp")


def joint_message(quota: Quota) -> str:
    """Vietnamese: the quota cannot be filled once the earlier quotas took their share."""
    return (f"cơ cấu {describe(quota)} cần {quota.count} câu nhưng các cơ cấu trước đã lấy "
            "hết câu phù hợp")


class Labels(NamedTuple):
    """The keyed-hash labels of one bank question, encoded once: a paper hashes ~300."""

    pick: bytes
    order: bytes
    public: bytes
    # (option id, its shuffle label, its public-id label) in the bank's order
    options: tuple[tuple[int, bytes, bytes], ...]


@dataclass(frozen=True)
class DrawQuestion:
    """What the draw needs to know of a bank question."""

    id: int
    option_ids: tuple[int, ...]
    topic: str = ""
    difficulty: str = ""
    # False keeps the bank's option order (true/false: "Đúng" before "Sai" reads naturally);
    # the public ids still differ per attempt.
    shuffle_options: bool = True
    labels: Labels = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        q = self.id
        object.__setattr__(self, "labels", Labels(
            b"pick:%d" % q, b"order:%d" % q, b"q:%d" % q,
            tuple((o, b"opt:%d:%d" % (q, o), b"o:%d:%d" % (q, o)) for o in self.option_ids)))


@dataclass(frozen=True)
class Quota:
    """Take `count` questions matching topic and difficulty (None matches any)."""

    count: int
    topic: str | None = None
    difficulty: str | None = None

    def matches(self, q: DrawQuestion) -> bool:
        """True when q belongs to this quota's pool."""
        return (self.topic is None or q.topic == self.topic) and (
            self.difficulty is None or q.difficulty == self.difficulty
        )


class PaperOption(NamedTuple):
    """An option as placed on a paper: the bank option and its public id."""

    option_id: int
    public_id: str


class PaperQuestion(NamedTuple):
    """A question as placed on a paper."""

    question_id: int
    public_id: str
    options: tuple[PaperOption, ...]


def attempt_seed(round_secret: bytes, participant_id: str, attempt_number: int) -> bytes:
    """The seed of one attempt, derived from the round secret and the attempt's identity."""
    msg = f"attempt:{participant_id}:{attempt_number}".encode()
    return hmac.new(round_secret, msg, hashlib.sha256).digest()


_IPAD = bytes(b ^ 0x36 for b in range(256))
_OPAD = bytes(b ^ 0x5C for b in range(256))
_B32 = "abcdefghijklmnopqrstuvwxyz234567"
# every pair of base32 digits, by the 10 bits they encode
_B32_PAIRS = tuple(_B32[i >> 5] + _B32[i & 31] for i in range(1024))


class Keyer:
    """HMAC-SHA256 under one key (RFC 2104), its padded-key hashes computed once.

    A paper takes ~300 keyed hashes under its seed; hmac.digest redoes the key schedule
    (two SHA-256 blocks) for each. With it done once a draw from 120 questions took 0.45 ms
    instead of 0.75 ms. Same digests (tests/domain/test_draw_keyer.py).
    """

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:  # SHA-256's block size
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(key.translate(_IPAD))
        self._outer = hashlib.sha256(key.translate(_OPAD))

    def __call__(self, label: str) -> bytes:
        """HMAC-SHA256(key, label)."""
        return self.digest(label.encode())

    def digest(self, label: bytes) -> bytes:
        """HMAC-SHA256(key, label) of an encoded label."""
        inner = self._inner.copy()
        inner.update(label)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def public_id(self, label: str) -> str:
        """An opaque id: the first 80 bits of the label's HMAC in lower-case base32 (what
        base64.b32encode gives, without its per-call checks)."""
        return self.public_id_of(label.encode())

    def public_id_of(self, label: bytes) -> str:
        """public_id of an encoded label."""
        n = int.from_bytes(self.digest(label)[:10], "big")
        p = _B32_PAIRS
        return (p[n >> 70] + p[(n >> 60) & 1023] + p[(n >> 50) & 1023] + p[(n >> 40) & 1023]
                + p[(n >> 30) & 1023] + p[(n >> 20) & 1023] + p[(n >> 10) & 1023]
                + p[n & 1023])


def _feasible(
    questions: Sequence[DrawQuestion], demands: Sequence[tuple[Quota, int]], excluded: set[int]
) -> bool:
    """True when distinct questions outside `excluded` can fill every (quota, count) at once.

    A bipartite matching with capacities (Kuhn's augmenting paths): quotas may overlap, so a
    question wanted by two quotas must go where it is irreplaceable.
    """
    pools = [
        [q.id for q in questions if q.id not in excluded and quota.matches(q)]
        for quota, _ in demands
    ]
    owner: dict[int, int] = {}

    def augment(i: int, visited: set[int]) -> bool:
        for qid in pools[i]:
            if qid in visited:
                continue
            visited.add(qid)
            j = owner.get(qid)
            if j is None or augment(j, visited):
                owner[qid] = i
                return True
        return False

    return all(augment(i, set()) for i, (_, n) in enumerate(demands) for _ in range(n))


def _safe_to_take(
    q: DrawQuestion,
    questions: Sequence[DrawQuestion],
    demands: Sequence[tuple[Quota, int]],
    taken: set[int],
) -> bool:
    """True when taking q for demands[0] still leaves the remaining demands satisfiable."""
    if not any(n and quota.matches(q) for quota, n in demands[1:]):
        # Only the current quota wants q: any joint filling that existed before (the loop's
        # invariant) still exists with q in the current quota's share.
        return True
    total = sum(n for _, n in demands)
    # Cheap sufficient test: every pool still holds the whole remaining demand.
    if all(
        sum(1 for o in questions if o.id not in taken and o.id != q.id and quota.matches(o))
        >= total
        for quota, n in demands
        if n
    ):
        return True
    return _feasible(questions, demands, taken | {q.id})


DRAW_VERSIONS = (1, 2)
LATEST_DRAW = 2  # what new rounds draw with


def draw_paper(
    seed: bytes,
    questions: Sequence[DrawQuestion],
    quotas: Sequence[Quota],
    seen: Collection[int] = (),
    version: int = 1,
) -> tuple[PaperQuestion, ...]:
    """Draw a paper meeting every quota, preferring unseen questions; raises DrawError, and
    ValueError for an unknown draw version.

    Quotas are filled in order; a question taken by one quota is not offered to the next.
    Within a quota, questions go in keyed order (unseen first), skipping one only when
    taking it would leave a later overlapping quota unfillable, so the draw succeeds whenever
    check_quotas finds no problem. The paper's order is then a keyed shuffle.
    """
    if version == 2:
        return _draw_v2(seed, questions, quotas, seen)
    if version != 1:
        raise ValueError(f"unknown draw version {version}")
    key = Keyer(seed)
    chosen = _choose(questions, quotas, seen, lambda q: key.digest(q.labels.pick))
    chosen.sort(key=lambda q: key.digest(q.labels.order))
    # labels encoded once per bank question (DrawQuestion.labels): the same hashes as
    # key(f"opt:{q.id}:{o}") and key.public_id(f"o:{q.id}:{o}"), a third cheaper in all
    public_id, digest = key.public_id_of, key.digest
    paper = []
    for q in chosen:
        options = q.labels.options
        if q.shuffle_options:
            options = tuple(sorted(options, key=lambda o: digest(o[1])))
        paper.append(PaperQuestion(q.id, public_id(q.labels.public),
                                   tuple(PaperOption(o, public_id(label))
                                         for o, _, label in options)))
    return tuple(paper)


_KEY = 8  # bytes of a sort key in version 2 (ties between two 64-bit keys: never in practice)
_ID = 10  # bytes of a public id: 80 bits as in version 1 (20 hex digits, not 16 base32)


def _draw_v2(seed: bytes, questions: Sequence[DrawQuestion], quotas: Sequence[Quota],
             seen: Collection[int]) -> tuple[PaperQuestion, ...]:
    """draw_paper, version 2: keys read from SHAKE-256 streams of the seed; raises DrawError.

    Stream "k": for the i-th bank question in id order, its pick key and its order key. Once
    the paper is chosen and ordered, stream "s": a shuffle key per option, and stream "i": a
    public id per question and option, both in paper order.
    """
    n = len(questions)
    keys = hashlib.shake_256(b"draw2:k:" + seed).digest(2 * _KEY * n)
    at = {qid: 2 * _KEY * i for i, qid in enumerate(sorted(q.id for q in questions))}
    chosen = _choose(questions, quotas, seen, lambda q: keys[at[q.id]:at[q.id] + _KEY])
    chosen.sort(key=lambda q: keys[at[q.id] + _KEY:at[q.id] + 2 * _KEY])
    options = sum(len(q.option_ids) for q in chosen)
    shuffle = hashlib.shake_256(b"draw2:s:" + seed).digest(_KEY * options)
    # hex, not version 1's base32: base64.b32encode is Python code, a quarter of this draw
    ids = hashlib.shake_256(b"draw2:i:" + seed).hexdigest(_ID * (len(chosen) + options))
    paper = []
    s = i = 0  # next shuffle key, next public id (in digits)
    for q in chosen:
        opts = q.option_ids
        if q.shuffle_options:  # option j's key is the stream's (s + j)-th
            ranked = sorted(range(len(opts)),
                            key=lambda j: shuffle[(s + j) * _KEY:(s + j + 1) * _KEY])
            opts = tuple(opts[j] for j in ranked)
        s += len(opts)
        public = ids[i:i + 2 * _ID]
        i += 2 * _ID
        placed = []
        for o in opts:
            placed.append(PaperOption(o, ids[i:i + 2 * _ID]))
            i += 2 * _ID
        paper.append(PaperQuestion(q.id, public, tuple(placed)))
    return tuple(paper)


def _choose(questions: Sequence[DrawQuestion], quotas: Sequence[Quota], seen: Collection[int],
            pick: Callable[[DrawQuestion], bytes]) -> list[DrawQuestion]:
    """The paper's questions, quota by quota in `pick` order (unseen first); raises
    DrawError."""
    taken: set[int] = set()
    chosen: list[DrawQuestion] = []
    for i, quota in enumerate(quotas):
        pool = [q for q in questions if q.id not in taken and quota.matches(q)]
        if len(pool) < quota.count:
            raise DrawError(short_message(quota, len(pool)))
        if seen:
            pool.sort(key=lambda q: (q.id in seen, pick(q)))
        else:  # a first attempt: the same order without the partition
            pool.sort(key=pick)
        need = quota.count
        later = [(other, other.count) for other in quotas[i + 1 :]]
        for q in pool:
            if need == 0:
                break
            if later and not _safe_to_take(q, questions, [(quota, need - 1), *later], taken):
                continue
            taken.add(q.id)
            chosen.append(q)
            need -= 1
        if need:
            raise DrawError(joint_message(quota))
    return chosen


def check_quotas(questions: Sequence[DrawQuestion], quotas: Sequence[Quota]) -> list[str]:
    """Problems that would make draw_paper fail for any seed (empty when the bank suffices)."""
    problems: list[str] = []
    for quota in quotas:
        if quota.count < 0:
            problems.append(f"cơ cấu {describe(quota)} có số câu âm ({quota.count})")
    if problems:
        return problems
    jointly_ok = True  # once a prefix of quotas fails, every longer prefix fails too
    for i, quota in enumerate(quotas):
        pool = [q.id for q in questions if quota.matches(q)]
        if len(pool) < quota.count:
            problems.append(short_message(quota, len(pool)))
            jointly_ok = False
        elif jointly_ok and not _feasible(
            questions, [(x, x.count) for x in quotas[: i + 1]], set()
        ):
            jointly_ok = False
            problems.append(joint_message(quota))
    return problems
