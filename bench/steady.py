"""Steady load of whole attempts: citizens start, save 20 answers, submit, and the next begins.

    .venv/bin/python -m bench.steady                       # 64 citizens at once, 60 s, 2 workers
    .venv/bin/python -m bench.steady --citizens 128 --think-ms 250 --seconds 60

Each simulated citizen is one wrk thread with one connection (so the Lua state is the
citizen's): POST start, parse the paper (attempt id, question ids, an option of each), PUT
each answer after `think` ms, POST submit with a prediction, then the next participant of
its slice. It measures completed attempts per minute, the save latency (p50/p99, measured
per request in Lua), status counts, and the CPU of the server, PostgreSQL, Redis and of the
generator itself, so a run limited by the generator on two shared cores shows it, with the
server CPU per completed attempt. Reconciliation afterwards from SQL: every acknowledged
submit is a submitted attempt with its 20 answers. Uses `contest_bench` and Redis db 13.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import subprocess
import tempfile
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from bench import wrk
from bench.load import ensure_database, machine_load
from bench.ratio import _cpu, storage_args, write_results
from bench.seed import QUESTIONS, seed, session_cookie
from bench.servers import BENCH_SECRET, app_server, bench_env
from contest.settings import Settings
from contest.storage.db import make_engine

_SCRIPT = r"""
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_usec; } st_timeval;
           int gettimeofday(st_timeval *tv, void *tz); ]]
local function now() local tv = ffi.new("st_timeval"); ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) + tonumber(tv.tv_usec) / 1e6 end
local cookies = dofile(%(data)s)
local rid, think, nthreads = %(rid)s, %(think)s, %(threads)s
local counter = 0
setup = function(thread) counter = counter + 1; thread:set("tid", counter) end
completed, starts_ok, saves_ok, submits_ok, s409, s429, s503, other = 0, 0, 0, 0, 0, 0, 0, 0
save_lat = {}
local k, state, aid, qs, j, sent, cookie = 0, "start", nil, {}, 1, 0, nil
local function next_citizen()
  k = k + 1
  local idx = tid + (k - 1) * nthreads
  cookie = cookies[idx]
  state, j = "start", 1
  return cookie ~= nil
end
init = function(args) next_citizen() end
delay = function()
  if cookie == nil then return 3600000 end
  if state == "save" and j > 1 then return think end
  return 0
end
request = function()
  sent = now()
  if state == "start" then
    return wrk.format("POST", "/api/v1/rounds/" .. rid .. "/attempts", {["Cookie"]=cookie}, "")
  elseif state == "save" then
    local q = qs[j]
    return wrk.format("PUT", "/api/v1/attempts/" .. aid .. "/answers/" .. q[1],
      {["Cookie"]=cookie, ["Content-Type"]="application/json"}, '{"option_ids":["' .. q[2] .. '"]}')
  else
    return wrk.format("POST", "/api/v1/attempts/" .. aid .. "/submit",
      {["Cookie"]=cookie, ["Content-Type"]="application/json"},
      '{"prediction":' .. (1000 + k) .. '}')
  end
end
local function parse(body)
  local ids = {}
  for pos, id in string.gmatch(body, '(){"id":"([^"]+)"') do ids[#ids + 1] = {pos, id} end
  local out = {}
  for n = 1, #ids - 1 do
    local seg = string.sub(body, ids[n][1], ids[n + 1][1])
    if string.find(seg, '"options":[', 1, true) then out[#out + 1] = {ids[n][2], ids[n + 1][2]} end
  end
  return string.match(body, '"attempt_id":"([^"]+)"'), out
end
response = function(status, headers, body)
  local took = now() - sent
  if status == 409 then s409 = s409 + 1 elseif status == 429 then s429 = s429 + 1
  elseif status == 503 then s503 = s503 + 1 elseif status >= 300 then other = other + 1 end
  if status == 503 or status == 429 then return end  -- the same request again (as the page does)
  if state == "start" then
    if status == 200 or status == 201 then
      starts_ok = starts_ok + 1
      aid, qs = parse(body)
      state = "save"
      if #qs == 0 then state = "submit" end
    else next_citizen() end
  elseif state == "save" then
    if status == 200 then saves_ok = saves_ok + 1; save_lat[#save_lat + 1] = took end
    j = j + 1
    if j > #qs then state = "submit" end
  else
    if status == 200 then submits_ok = submits_ok + 1; completed = completed + 1 end
    next_citizen()
  end
end
"""


def _parse_threads(out: str) -> dict[str, Any]:
    m = re.search(r"^RESULT (.*)$", out, re.M)
    if not m:
        raise RuntimeError(f"wrk gave no figures: {out[-800:]}")
    return dict(json.loads(m.group(1)))


_DONE = r"""
local threads = {}
local old_setup = setup
setup = function(thread) table.insert(threads, thread); old_setup(thread) end
done = function(summary, latency, requests)
  local total = {completed = 0, starts_ok = 0, saves_ok = 0, submits_ok = 0, s409 = 0,
                 s429 = 0, s503 = 0, other = 0}
  local lat = {}
  for _, t in ipairs(threads) do
    for name, _ in pairs(total) do total[name] = total[name] + t:get(name) end
    for _, v in ipairs(t:get("save_lat")) do lat[#lat + 1] = v end
  end
  table.sort(lat)
  local function pct(p)
    if #lat == 0 then return 0 end
    return lat[math.max(1, math.ceil(#lat * p))]
  end
  io.write(string.format('RESULT {"completed": %d, "starts_ok": %d, "saves_ok": %d, '
    .. '"submits_ok": %d, "s409": %d, "s429": %d, "s503": %d, "other": %d, '
    .. '"save_p50_ms": %.2f, "save_p99_ms": %.2f, "save_max_ms": %.2f, "errors": %d}\n',
    total.completed, total.starts_ok, total.saves_ok, total.submits_ok, total.s409, total.s429,
    total.s503, total.other, pct(0.5) * 1000, pct(0.99) * 1000, pct(1.0) * 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


async def _reconcile(url: str, round_id: int) -> dict[str, int]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            row = (await conn.execute(text(
                "SELECT count(*), count(*) FILTER (WHERE (SELECT count(*) FROM answers x "
                f"WHERE x.attempt_id = a.id) <> {QUESTIONS}), "
                "count(*) FILTER (WHERE e.counted_attempt_id IS NULL) "
                "FROM attempts a LEFT JOIN round_entries e ON e.round_id = a.round_id "
                "AND e.participant_id = a.participant_id "
                "WHERE a.round_id = :r AND a.status = 'submitted'"), {"r": round_id})).one()
    finally:
        await engine.dispose()
    return {"submitted": row[0], "without_all_answers": row[1], "not_counted": row[2]}


def main(argv: list[str] | None = None) -> int:
    """Seed, serve, run the citizens, reconcile; print and store the figures."""
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--citizens", type=int, default=64, help="at once (wrk threads)")
    p.add_argument("--seconds", type=int, default=60)
    p.add_argument("--think-ms", type=int, default=0, help="between two answers")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--people", type=int, default=12000, help="participants seeded")
    storage_args(p)
    a = p.parse_args(argv)
    env = bench_env(a.db, a.redis, CONTEST_LIMIT_ANSWER="100000/60",
                    CONTEST_MAX_INFLIGHT="256")
    ensure_database(a.db)
    seeded = asyncio.run(seed(Settings.from_env(env), a.people, ["steady"]))
    rid = seeded.rounds["steady"]
    cookies = [f"contest_session={session_cookie(BENCH_SECRET, pid)}; contest_device=d{pid}"
               for pid, _ in seeded.participants]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as data:
        data.write("return {\n" + ",\n".join(json.dumps(c) for c in cookies) + "\n}\n")
    script = _SCRIPT % {"data": json.dumps(data.name), "rid": rid, "think": a.think_ms,
                        "threads": a.citizens} + _DONE
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    print(f"== steady: {a.citizens} citizens at once, think {a.think_ms} ms, {a.seconds} s, "
          f"{a.workers} worker(s) ==", flush=True)
    results: dict[str, Any] = {"started": datetime.now(UTC).isoformat(),
                               "machine_load_before": machine_load(), "args": vars(a)}
    with app_server(env, a.workers) as srv:
        # warm each worker (bank caches, pools), as a round open for minutes already is
        wrk.run(srv.base, [("POST", f"/api/v1/rounds/{rid}/attempts", {"Cookie": c}, "")
                           for c in cookies[-200:]], "once", 50)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with _cpu(srv.worker_pids()) as cpu:
            out = subprocess.run(
                ["wrk", f"-t{a.citizens}", f"-c{a.citizens}", f"-d{a.seconds}s", "--timeout",
                 "30s", "-s", f.name, srv.base + "/"], capture_output=True, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    os.unlink(f.name)
    os.unlink(data.name)
    r = _parse_threads(out.stdout + out.stderr)
    gen_cpu = round((after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), 2)
    per_min = r["completed"] * 60 / a.seconds
    done = max(1, r["completed"])
    r.update(attempts_per_min=round(per_min), cpu_s=cpu, generator_cpu_s=gen_cpu,
             server_cpu_ms_per_attempt=round(cpu["server"] * 1000 / done, 1),
             postgres_cpu_ms_per_attempt=round(cpu["postgres"] * 1000 / done, 1),
             redis_cpu_ms_per_attempt=round(cpu["redis"] * 1000 / done, 1))
    print(f"  completed {r['completed']} attempts = {per_min:.0f} per minute; saves "
          f"{r['saves_ok']} (p50 {r['save_p50_ms']} ms, p99 {r['save_p99_ms']} ms); 409 "
          f"{r['s409']}, 429 {r['s429']}, 503 {r['s503']}, other {r['other']}, socket errors "
          f"{r['errors']}", flush=True)
    print(f"  CPU per completed attempt: server {r['server_cpu_ms_per_attempt']} ms, "
          f"PostgreSQL {r['postgres_cpu_ms_per_attempt']} ms, Redis "
          f"{r['redis_cpu_ms_per_attempt']} ms; generator (wrk) {gen_cpu} CPU-s in "
          f"{a.seconds} s", flush=True)
    rc = asyncio.run(_reconcile(a.db, rid))
    rc_ok = rc["submitted"] >= r["submits_ok"] and rc["without_all_answers"] == 0 \
        and rc["not_counted"] == 0
    print(f"  reconciliation: {rc} for {r['submits_ok']} acknowledged submits: "
          f"{'OK' if rc_ok else 'MISMATCH'}", flush=True)
    r.update(reconciliation=rc, reconciliation_ok=rc_ok)
    results["steady"] = r
    write_results(results, "steady")
    return 0 if rc_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
