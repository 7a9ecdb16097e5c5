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
