"""wrk (Debian package `wrk`) as the load generator: C, one epoll loop, a few µs per request,
so on two shared cores the server, not the generator, sets the pace. The requests come from
a Lua script generated here; three modes:

- cycle: loop over a list of requests for a duration (closed loop, C connections);
- once: send each request exactly once, as fast as the connections allow, then stop;
- arrivals: send request i at t0 + i * spacing (open loop over C connections; the
  generator's lag behind that schedule is measured in Lua and reported, so a run whose
  generator fell behind says so).

Figures: requests, seconds, req/s, latency p50/p99/max (from send), status counts, and for
arrivals the schedule lag p50/p99/max. Loopback only.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

Request = tuple[str, str, dict[str, str], str]  # method, path, headers, body

_PRELUDE = r"""
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_usec; } wt_timeval;
           int gettimeofday(wt_timeval *tv, void *tz); ]]
local function now() local tv = ffi.new("wt_timeval"); ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) + tonumber(tv.tv_usec) / 1e6 end
local reqs = dofile(%(data)s)
local n = #reqs
local mode = %(mode)s
local spacing = %(spacing)s
local i, t0 = 0, 0
s2xx, s409, s429, s503, s4xx, s5xx, seen, first, last = 0, 0, 0, 0, 0, 0, 0, 0, 0
lags = {}
local threads = {}
setup = function(thread) table.insert(threads, thread) end
local reserved = 0
if mode ~= "cycle" then
  -- each connection reserves the next slot before it sends; timers fire in slot order
  delay = function()
    if reserved >= n then return 3600000 end
    reserved = reserved + 1
    if mode == "arrivals" then
      if t0 == 0 then t0 = now() end
      local wait = (t0 + (reserved - 1) * spacing - now()) * 1000
      if wait > 0 then return wait end
    end
    return 0
  end
end
request = function()
  local t = now()
  if t0 == 0 then t0 = t end
  if first == 0 then first = t end
  i = i + 1
  local k = i
  if mode == "cycle" then k = (i - 1) %% n + 1 elseif k > n then k = n end
  if mode == "arrivals" then
    local lag = t - (t0 + (k - 1) * spacing)
    if lag < 0 then lag = 0 end
    lags[#lags + 1] = lag
  end
  local r = reqs[k]
  return wrk.format(r[1], r[2], r[3], r[4])
end
response = function(status, headers, body)
  seen = seen + 1
  if status < 300 then s2xx = s2xx + 1 elseif status == 409 then s409 = s409 + 1
  elseif status == 429 then s429 = s429 + 1 elseif status == 503 then s503 = s503 + 1
  elseif status < 500 then s4xx = s4xx + 1 else s5xx = s5xx + 1 end
  last = now()
  if mode ~= "cycle" and seen >= n then wrk.thread:stop() end
end
done = function(summary, latency, requests)
  local t = threads[1]
  local l = t:get("lags")
  table.sort(l)
  local function pct(p) if #l == 0 then return 0 end return l[math.max(1, math.ceil(#l * p))] end
  io.write(string.format("RESULT %%s\n", string.format(
    '{"seen": %%d, "s2xx": %%d, "s409": %%d, "s429": %%d, "s503": %%d, "s4xx": %%d, "s5xx": %%d, '
    .. '"p50_ms": %%.2f, "p99_ms": %%.2f, "max_ms": %%.2f, "span_s": %%.3f, '
    .. '"lag_p50_s": %%.3f, "lag_p99_s": %%.3f, "lag_max_s": %%.3f, "errors": %%d}',
    t:get("seen"), t:get("s2xx"), t:get("s409"), t:get("s429"), t:get("s503"), t:get("s4xx"),
    t:get("s5xx"), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, t:get("last") - t:get("first"), pct(0.5), pct(0.99), pct(1.0),
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout)))
end
"""


def _lua_str(s: str) -> str:
    return json.dumps(s)  # a JSON string literal is a valid Lua string literal here


def _data_file(reqs: list[Request]) -> str:
    rows = []
    for method, path, headers, body in reqs:
        hs = ", ".join(f"[{_lua_str(k)}]={_lua_str(v)}" for k, v in headers.items())
        rows.append(f"{{{_lua_str(method)},{_lua_str(path)},{{{hs}}},{_lua_str(body)}}}")
    # LuaJIT allows 65,536 constants per function: one function per 1,000 rows
    parts = ["local t = {}"]
    for k in range(0, len(rows), 1000):
        parts.append("do local function add() local r = {\n" + ",\n".join(rows[k:k + 1000])
                     + "\n} for _, x in ipairs(r) do t[#t + 1] = x end end add() end")
    parts.append("return t")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write("\n".join(parts) + "\n")
    return f.name


@dataclass
class WrkResult:
    """What one wrk run measured."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    status: dict[str, int]
    errors: int
    lag_s: dict[str, float] = field(default_factory=dict)
    generator_cpu_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the results file."""
        return dict(self.__dict__)


def _raise_nofile() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))


def run(base: str, reqs: list[Request], mode: str, connections: int,
        duration_s: float = 10.0, arrivals_over_s: float = 0.0,
        timeout_s: float = 60.0) -> WrkResult:
    """Run wrk over reqs in one of the modes; raises RuntimeError if wrk gave no figures."""
    assert mode in ("cycle", "once", "arrivals") and reqs
    data = _data_file(reqs)
    spacing = arrivals_over_s / len(reqs) if mode == "arrivals" else 0.0
    script = _PRELUDE % {"data": _lua_str(data), "mode": _lua_str(mode),
                         "spacing": repr(spacing)}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    # once/arrivals: long enough for everything; the script stops when all are answered
    dur = duration_s if mode == "cycle" else max(duration_s, arrivals_over_s + timeout_s, 20.0)
    cmd = ["wrk", "-t1", f"-c{min(connections, len(reqs))}", f"-d{dur:.0f}s",
           "--timeout", f"{timeout_s:.0f}s", "-s", f.name, base + "/"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=_raise_nofile)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    os.unlink(f.name)
    os.unlink(data)
    m = re.search(r"^RESULT (.*)$", out.stdout, re.M)
    if not m:
        raise RuntimeError(f"wrk gave no figures: {out.stdout[-500:]} {out.stderr[-500:]}")
    r = json.loads(m.group(1))
    seconds = r["span_s"] if mode != "cycle" and r["span_s"] > 0 else min(wall, dur)
    status = {k[1:]: r[k] for k in ("s2xx", "s409", "s429", "s503", "s4xx", "s5xx")}
    lag = ({"p50": r["lag_p50_s"], "p99": r["lag_p99_s"], "max": r["lag_max_s"]}
           if mode == "arrivals" else {})
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return WrkResult(r["seen"], round(seconds, 3), round(r["seen"] / max(seconds, 1e-9), 1),
                     r["p50_ms"], r["p99_ms"], r["max_ms"], status, r["errors"], lag,
                     round(cpu, 3))
