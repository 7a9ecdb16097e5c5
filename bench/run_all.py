"""Run every benchmark in bench/ and write one results file bench/results/<date>.md (+ .json).

    .venv/bin/python -m bench.run_all                  # components, load scenarios, fault drills
    .venv/bin/python -m bench.run_all --skip load --skip faults   # component benchmarks only

Component benchmarks are the bench/*.py scripts with a `__main__` entry other than the load
harness and the fault drills (leaderboard, throttle, finalise, ... whatever is present); each
runs as its own process with a time bound, REDIS_URL on a benchmark db index and BENCH_PG on
the local PostgreSQL. The load harness (bench.load, all scenarios) and the fault drills
(bench.faults, private servers) run after them. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SPECIAL = {"load", "faults", "run_all"}


def machine() -> dict[str, str]:
    """nproc, memory, CPU model, load average, Python."""
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "0")
    return {"nproc": str(os.cpu_count()), "memory_gib": f"{int(mem) / 1024 / 1024:.1f}",
            "cpu": cpu, "loadavg": Path("/proc/loadavg").read_text().split()[0],
            "python": platform.python_version()}


def components() -> list[Path]:
    """bench/*.py scripts runnable on their own, other than the harness and drills."""
    out = []
    for p in sorted(BENCH.glob("*.py")):
        if p.stem.startswith("_") or p.stem in SPECIAL:
            continue
        if "__main__" in p.read_text(encoding="utf-8"):
            out.append(p)
    return out


def run(cmd: list[str], timeout_s: float, env: dict[str, str]) -> tuple[int, str, float]:
    """Run a command with a time bound, echoing its output as it comes; (exit code, output,
    seconds)."""
    t = time.monotonic()
    print(f"\n$ {' '.join(cmd)}", flush=True)
    lines: list[str] = []
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    timer = threading.Timer(timeout_s, proc.kill)
    timer.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            print(line, end="", flush=True)
            lines.append(line)
        code = proc.wait()
    finally:
        timer.cancel()
    if time.monotonic() - t >= timeout_s:
        lines.append(f"\n[stopped after {timeout_s:g} s]\n")
        code = 124
    return code, "".join(lines[-400:]), time.monotonic() - t


def main(argv: list[str] | None = None) -> int:
    """Run everything chosen; write the results file; exit 1 if anything failed."""
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--skip", action="append", default=[],
                   help="component name, 'load' or 'faults' (repeatable)")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds per component")
    p.add_argument("--load-args", default="", help="extra arguments for bench.load")
    p.add_argument("--out", type=Path, help="results file (default bench/results/<date>.md)")
    a = p.parse_args(argv)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H%M")
    out_md = a.out or BENCH / "results" / f"{stamp}.md"
    out_md.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
    env.setdefault("BENCH_PG", "postgresql://postgres@127.0.0.1/postgres")
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    py = sys.executable
    info = machine()
    sections: list[tuple[str, int, str, float]] = []
    for script in components():
        if script.stem in a.skip:
            continue
        code, out, secs = run([py, str(script.relative_to(REPO))], a.timeout, env)
        sections.append((script.stem, code, out, secs))
    figures: dict[str, object] = {"machine": info}
    if "load" not in a.skip:
        load_json = out_md.with_suffix(".load.json")
        code, out, secs = run([py, "-m", "bench.load", "--json", str(load_json),
                               *a.load_args.split()], 3600, env)
        sections.append(("load (bench.load)", code, out, secs))
        if load_json.exists():
            figures["load"] = json.loads(load_json.read_text())
            load_json.unlink()
    if "faults" not in a.skip:
        faults_json = out_md.with_suffix(".faults.json")
        code, out, secs = run([py, "-m", "bench.faults", "--json", str(faults_json)], 1200, env)
        sections.append(("fault drills (bench.faults)", code, out, secs))
        if faults_json.exists():
            figures["faults"] = json.loads(faults_json.read_text())
            faults_json.unlink()
    lines = [f"# Benchmark results {stamp} UTC", "",
             f"Machine: {info['nproc']} cores, {info['memory_gib']} GiB, {info['cpu']}; "
             f"load average at start {info['loadavg']}; Python {info['python']}. "
             "The load generator shares the machine with the server (and, on a shared "
             "machine, with other people's work: see the load notes in each section).", ""]
    for name, code, out, secs in sections:
        status = "ok" if code == 0 else f"exit {code}"
        lines += [f"## {name} ({status}, {secs:.0f} s)", "", "```", out.strip(), "```", ""]
    out_md.write_text("\n".join(lines), encoding="utf-8")
    out_md.with_suffix(".json").write_text(json.dumps(
        {**figures, "sections": {n: {"exit": c, "seconds": round(s, 1)}
                                 for n, c, _o, s in sections}}, indent=2, ensure_ascii=False))
    print(f"\nresults written to {out_md} and {out_md.with_suffix('.json')}")
    return 0 if all(code == 0 for _n, code, _o, _s in sections) else 1


if __name__ == "__main__":
    sys.exit(main())
