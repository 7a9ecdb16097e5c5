"""PDF documents at size: the winners list of 10,000 rows and 1,000 certificates.

    .venv/bin/python bench/documents.py [--rows 10000] [--certificates 1000]

Lays the documents out from synthetic rows (the SQL reads before them are a few hundred ms
at these sizes and are measured with the exports in bench/finalise.py), each in a fresh child
process, and reports wall time, pages, size and the child's peak RSS (VmHWM) over its idle
baseline after imports.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (VmHWM), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child(what: str, n: int) -> dict[str, Any]:
    """Render one document of n rows or people; figures as a dict."""
    from contest.domain.documents import Issuer
    from contest.results import documents as d
    from contest.results.result_rows import Tree
    from contest.storage.tables import Contest, Round

    issuer = Issuer("UBND TỈNH BÌNH PHƯỚC", "SỞ TƯ PHÁP", "Bình Phước", "GIÁM ĐỐC",
                    "Nguyễn Văn Hùng")
    at = datetime(2026, 12, 1, tzinfo=UTC)
    r = Round(contest_id=1, title="Đợt 1", opens_at=at, closes_at=at, bank_version_id=1,
              secret=b"")
    c = Contest(slug="bench", title="Cuộc thi tìm hiểu pháp luật trực tuyến năm 2026",
                created_at=at)
    doc = d.Document(r, c, issuer, None, date(2026, 12, 5), "https://thi.example.vn/results/1",
                     Tree({}, {}, {}))
    base = peak_rss_mb()
    t0 = time.perf_counter()
    if what == "winners":
        rows = [[str(i + 1), f"Nguyễn Thị Bích Ngọc {i}", "21/05/1990",
                 f"Trường THPT Bù Đăng số {i % 97}", "9,5", "7:05,312", str(1000 + i),
                 "Giải Khuyến khích"] for i in range(n)]
        data = d.render_winners(doc, rows)
    else:
        people = [d.Holder(f"p{i:011d}", f"Trần Văn Đức {i}", date(1990, 5, 21),
                           f"Xã {i % 50} huyện Bù Đăng", "Giải Ba" if i % 10 == 0 else None,
                           9500) for i in range(n)]
        data = d.render_certificates(doc, people)
    seconds = time.perf_counter() - t0
    import io

    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(data)).pages)
    return {"what": what, "n": n, "seconds": round(seconds, 1), "pages": pages,
            "mb": round(len(data) / 1e6, 1), "peak_rss_mb": round(peak_rss_mb(), 1),
            "baseline_rss_mb": round(base, 1)}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--rows", type=int, default=10_000)
    p.add_argument("--certificates", type=int, default=1_000)
    p.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]))))
        return 0
    for what, n in (("winners", args.rows), ("certificates", args.certificates)):
        done = subprocess.run([sys.executable, __file__, "--child", what, str(n)],
                              capture_output=True, text=True, check=False)
        if done.returncode:
            print(done.stderr, file=sys.stderr)
            return done.returncode
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        print(" ".join(f"{k}={v}" for k, v in figures.items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
