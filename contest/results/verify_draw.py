"""`contest draw verify`: re-run a round's draw from its published files alone.

Input: the results manifest (GET /api/v1/rounds/ID/results, saved as JSON) and the eligible
list (GET .../results/eligible.csv). Nothing is read from the database: a journalist with
the two files and this program (or the steps in docs/results.md) gets the same answer.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contest.domain import final_ranking as fr
from contest.domain import prizes as pz
from contest.domain import verifiable_draw as vd


@dataclass
class Report:
    """Each check with its outcome, in the order they were made."""

    checks: list[tuple[str, bool, str]] = field(default_factory=list)

    def add(self, name: str, ok: bool, detail: str = "") -> None:
        """Record one check."""
        self.checks.append((name, ok, detail))

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return bool(self.checks) and all(ok for _, ok, _ in self.checks)


def _int(cell: str) -> int | None:
    return int(cell) if cell.strip() else None


def read_eligible(lines: Iterable[str]) -> list[tuple[fr.Entry, int]]:
    """(entry, published position) per row of the eligible CSV; raises ValueError if malformed."""
    rows = csv.DictReader(lines)
    out = []
    for row in rows:
        try:
            out.append((fr.Entry(
                entry_id=row["entry_id"], split_key=row["split"],
                score_milli=int(row["score_milli"]), prediction=_int(row["prediction"]),
                duration_ms=int(row["duration_ms"]), submitted_ms=int(row["submitted_ms"])),
                int(row["position"])))
        except (KeyError, ValueError) as exc:
            raise ValueError(f"eligible list line {rows.line_num}: {exc}") from exc
    return out


def verify(manifest: dict[str, Any], eligible: list[tuple[fr.Entry, int]]) -> Report:
    """Check the seed against the commitment, the list against its hash, and re-run the
    ranking and the prize allocation to compare with the published winners."""
    report = Report()
    try:
        seed = vd.seed_from_hex(manifest["seed"])
    except (KeyError, ValueError) as exc:
        report.add("seed", False, f"unreadable seed: {exc}")
        return report
    report.add("commitment", vd.matches(seed, manifest.get("commitment", "")),
               "SHA-256(seed) = commitment")
    hasher = vd.ListHasher()
    for e, _ in eligible:
        hasher.add(vd.canonical_line(e.entry_id, e.split_key,
                                     [e.score_milli, e.prediction, e.duration_ms,
                                      e.submitted_ms]))
    report.add("eligible_hash", hasher.hexdigest() == manifest.get("eligible_hash"),
               f"{hasher.count} entries, SHA-256 {hasher.hexdigest()}")
    chain = fr.parse_chain(manifest.get("chain"))
    actual = manifest.get("actual_figure")
    ranked = fr.final_order([e for e, _ in eligible], chain, actual, seed)
    published_order = [e.entry_id for e, _ in sorted(eligible, key=lambda ep: ep[1])]
    report.add("order", [r.entry.entry_id for r in ranked] == published_order,
               "the list's order is the chain, then HMAC-SHA256(seed, entry id)")
    rules = pz.parse_rules(manifest.get("prizes"))
    positions = {e.entry_id: p for e, p in eligible}
    awards = pz.allocate(((positions[r.entry.entry_id], r.entry.entry_id, r.entry.split_key)
                          for r in ranked), rules, int(manifest.get("entrants", 0)))
    mine = [(a.entry_id, a.tier_code) for a in awards]
    theirs = [(w["entry_id"], w["tier_code"]) for w in manifest.get("winners", [])]
    report.add("winners", sorted(mine) == sorted(theirs),
               f"{len(mine)} prizes recomputed, {len(theirs)} published")
    return report


def verify_files(paths: list[Path]) -> Report:
    """Verify from a manifest .json and an eligible .csv, in any order."""
    manifests = [p for p in paths if p.suffix.lower() == ".json"]
    lists = [p for p in paths if p.suffix.lower() == ".csv"]
    if len(manifests) != 1 or len(lists) != 1:
        raise ValueError("give one results .json file and one eligible list .csv file")
    manifest = json.loads(manifests[0].read_text(encoding="utf-8"))
    with lists[0].open(encoding="utf-8-sig", newline="") as f:
        eligible = read_eligible(f)
    return verify(manifest, eligible)
