"""The draw's keyed hashes: the same digests and ids as the standard library's HMAC-SHA256
and base32, so papers drawn before the Keyer existed re-derive unchanged."""

from __future__ import annotations

import base64
import hmac

from hypothesis import given
from hypothesis import strategies as st

from contest.domain.draw import Keyer


@given(key=st.binary(min_size=0, max_size=150), label=st.text(max_size=80))
def test_keyer_is_hmac_sha256(key: bytes, label: str) -> None:
    assert Keyer(key)(label) == hmac.digest(key, label.encode(), "sha256")


@given(key=st.binary(min_size=1, max_size=80), label=st.text(max_size=40))
def test_public_id_is_the_lowercase_base32_of_the_first_80_bits(key: bytes, label: str) -> None:
    expected = base64.b32encode(hmac.digest(key, label.encode(), "sha256")[:10])
    assert Keyer(key).public_id(label) == expected.decode().lower()


def test_one_keyer_serves_many_labels_without_carrying_state() -> None:
    k = Keyer(b"round secret")
    first = [k(f"pick:{i}") for i in range(5)]
    assert [k(f"pick:{i}") for i in range(5)] == first
    assert len(set(first)) == 5


def test_a_paper_drawn_before_the_keyer_is_drawn_the_same() -> None:
    """Pinned from the draw as it was before the Keyer (hmac.digest and base64.b32encode per
    hash): a paper must re-derive identically for as long as its attempt is kept."""
    from contest.domain.draw import DrawQuestion, Quota, attempt_seed, draw_paper

    bank = [DrawQuestion(i, (i * 10 + 1, i * 10 + 2, i * 10 + 3), "t", "d",
                         shuffle_options=True) for i in range(1, 9)]
    paper = draw_paper(attempt_seed(b"golden secret", "participant-1", 1), bank,
                       [Quota(count=3)])
    assert [(q.question_id, q.public_id, [(o.option_id, o.public_id) for o in q.options])
            for q in paper] == [
        (4, "4l76gn7nvdwnr23j", [(41, "hfskvvcix7vz6wps"), (43, "4hc435mgfnz6ee4f"),
                                 (42, "4a6cp5g2y4smqa3s")]),
        (3, "fw5rph345abmd2x6", [(31, "utsaqfgxz4322ykc"), (33, "y5khwsvk5djkx5xn"),
                                 (32, "uugd4ekyp3xa3aaf")]),
        (7, "adkddghfrbtq7ety", [(71, "pdco67z2y43ymxuv"), (73, "svhc3sxrdezh35y4"),
                                 (72, "chbhz27j2rtqhuzz")]),
    ]


def test_a_version_2_paper_is_pinned_and_read_from_its_streams() -> None:
    """Version 2 as first released: a paper must re-derive identically for as long as its
    attempt is kept. Its ids are the SHAKE-256 stream "i" of the seed, in paper order."""
    import hashlib

    from contest.domain.draw import DrawQuestion, Quota, attempt_seed, draw_paper

    bank = [DrawQuestion(i, (i * 10 + 1, i * 10 + 2, i * 10 + 3), "t", "d",
                         shuffle_options=True) for i in range(1, 9)]
    seed = attempt_seed(b"golden secret", "participant-1", 1)
    paper = draw_paper(seed, bank, [Quota(count=3)], version=2)
    assert [(q.question_id, q.public_id, [(o.option_id, o.public_id) for o in q.options])
            for q in paper] == [
        (8, "db60a06502010d5b2742", [(83, "4cce9b145944af5fe3f6"),
                                     (81, "9782b2ea85216fdcc6f1"),
                                     (82, "1871d40a7300752f55e3")]),
        (5, "b24360c89c17667b0976", [(53, "bd2c803eb7ec2b59e14b"),
                                     (52, "8960598d059772fb46fe"),
                                     (51, "307b391d9990dba26816")]),
        (6, "3ba8ea888afae20d9a4e", [(63, "e217d1c16f2fd4b5a680"),
                                     (62, "0502be8e03a8826d12dc"),
                                     (61, "73057bc24679996313a2")]),
    ]
    stream = hashlib.shake_256(b"draw2:i:" + seed).hexdigest(10 * 12)
    assert [x for q in paper for x in (q.public_id, *(o.public_id for o in q.options))] == \
        [stream[i:i + 20] for i in range(0, 240, 20)]
    # the questions in the pick stream's order: the 3 smallest 8-byte keys of the 8
    keys = hashlib.shake_256(b"draw2:k:" + seed).digest(16 * 8)
    picked = sorted(range(1, 9), key=lambda qid: keys[16 * (qid - 1):16 * (qid - 1) + 8])[:3]
    assert sorted(q.question_id for q in paper) == sorted(picked)


def test_an_unknown_draw_version_is_refused() -> None:
    import pytest

    from contest.domain.draw import DrawQuestion, Quota, draw_paper

    with pytest.raises(ValueError, match="unknown draw version 3"):
        draw_paper(b"seed", [DrawQuestion(1, (1, 2))], [Quota(1)], version=3)
