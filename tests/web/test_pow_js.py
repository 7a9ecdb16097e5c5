"""The page's proof-of-work solver (static/js/pow.js) finds nonces the server accepts."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from contest.domain import pow as powd
from tests.conftest import REPO

NODE = shutil.which("node")
SCRIPT = """
const P = require(process.argv[1]);
const out = JSON.parse(process.argv[2]).map(([c, b]) => P.solveSync(c, b));
const empty = P.sha256(new Uint8Array(0)).map(w => w.toString(16).padStart(8, '0')).join('');
console.log(JSON.stringify({nonces: out, empty}));
"""


@pytest.mark.skipif(NODE is None, reason="needs node to run the page's script")
def test_the_js_solver_agrees_with_the_server() -> None:
    secret = b"k" * 32
    cases = [(powd.make_challenge(secret, slug, 0, 10**6, bits, salt), bits)
             for slug, bits, salt in [("thu", 12, "a1"), ("cuoc-thi-2026", 14, "b2"),
                                      ("pháp-luật", 10, "c3")]]
    run = subprocess.run([NODE or "node", "-e", SCRIPT, str(REPO / "static/js/pow.js"),
                          json.dumps(cases)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["empty"] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    for (challenge, bits), nonce in zip(cases, out["nonces"], strict=True):
        slug = challenge.rsplit(":", 4)[0]
        assert powd.verify(secret, challenge, nonce, slug, 1, bits) is powd.Verdict.OK
