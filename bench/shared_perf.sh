#!/usr/bin/env bash
# ../shared/perf by its README, in one run: the engine's herd (herd.py 2000 256), then the
# one-Redis reference endpoint (app_redis, wrk 10 s) alternated three times with the engine's
# answer saves (save_load.py 1500 15s). One engine worker: `contest serve --demo` on the local
# PostgreSQL (database contest_perf, dropped first) and Redis db 12; registration limits raised
# as the README asks. Loopback only; everything started here is stopped at the end.
#     bench/shared_perf.sh | tee bench/results/$(date -u +%Y-%m-%d-%H%M)-shared-perf.txt
set -euo pipefail
cd "$(dirname "$0")/.."
P=${SHARED_PERF:-../shared/perf}
VENV=${PERF_VENV:-/tmp/venv-perf}
[ -x "$VENV/bin/uvicorn" ] || { python3 -m venv "$VENV" &&
  "$VENV/bin/pip" install -q starlette 'uvicorn[standard]' redis hiredis orjson; }
redis-server --port 6390 --save '' --appendonly no --daemonize yes >/dev/null
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS contest_perf" \
  -c "CREATE DATABASE contest_perf" postgres
redis-cli -n 12 flushdb >/dev/null
"$VENV/bin/uvicorn" app_redis:app --app-dir "$P" --port 8797 --loop uvloop --http httptools \
  --no-access-log >/tmp/app_redis.log 2>&1 &
base_pid=$!
DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/contest_perf \
REDIS_URL=redis://127.0.0.1:6379/12 CONTEST_LIMIT_IP_REGISTER=100000/3600 \
CONTEST_POW_THRESHOLD=1000000 .venv/bin/contest serve --demo >/tmp/engine.log 2>&1 &
engine_pid=$!
trap 'kill $base_pid $engine_pid 2>/dev/null; redis-cli -p 6390 shutdown nosave >/dev/null 2>&1 || true' EXIT
sleep 12
python3 "$P/herd.py" http://127.0.0.1:8000 2000 256
for i in 1 2 3; do
  echo "app_redis run $i:"
  wrk -t1 -c64 -d10s -s "$P/post.lua" http://127.0.0.1:8797/submit | grep -E "Requests/sec|Latency"
  echo "save_load run $i:"
  python3 "$P/save_load.py" http://127.0.0.1:8000 1500 15s | tail -2
done
