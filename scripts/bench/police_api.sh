#!/usr/bin/env bash
# The police.uk-compatible API under load (issue 6 figures), release build, on the
# 5,000,000-row benchmark database (built by scripts/bench/run.sh's steps when missing).
#
#   scripts/bench/police_api.sh
#
# 1. crimes-street/all-crime, one-mile radius round Leeds city centre, one month:
#    h2load (nghttp2-client) from a second process, HTTP/1.1, 4 connections at 50
#    requests/s each = 200 requests/s for 60 s; per-request times from its log.
# 2. A whole month by polygon (the West Yorkshire area, every force's copy in the
#    benchmark file): bytes and time per answer with curl, the server's resident memory
#    before and after 20 such answers.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v h2load >/dev/null || apt-get install -y -qq nghttp2-client >/dev/null
DATA=bench-data/street-5m.csv
DB=bench-data/bench.sqlite
mkdir -p bench-data
[ -f "$DATA" ] || python3 scripts/bench/make_bench_data.py "$DATA"
swift build -c release --product saferstreets 2>&1 | tail -n 1
BIN=.build/release/saferstreets
export SAFERSTREETS_ENV=production LOG_LEVEL=error
if [ ! -f "$DB" ]; then
  SAFERSTREETS_DB=$DB $BIN migrate -y --log error >/dev/null
  SAFERSTREETS_DB=$DB $BIN import "$DATA" --log error >/dev/null
fi
PORT=8098
SAFERSTREETS_DB=$DB $BIN serve --port $PORT --log error &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
rss() { awk '/VmRSS/ {print $2}' /proc/$SERVER/status; }

POINT="http://127.0.0.1:$PORT/api/crimes-street/all-crime?lat=53.7997&lng=-1.5492&date=2016-07"
echo "== $(nproc) cores; one-mile radius, Leeds city centre, 2016-07"
curl -s -o /dev/null -w "first request (loads the month): %{time_total} s\n" "$POINT"
curl -s "$POINT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(f"{len(d)} crimes")'
curl -s -o /dev/null -w "answer: %{size_download} bytes, %{time_total} s alone\n" "$POINT"
LOG=$(mktemp)
h2load --h1 -n 12000 -c 4 --rps 50 --log-file="$LOG" "$POINT" | grep -E "requests:|status codes:|finished in"
python3 - "$LOG" <<'PY'
import sys
rows = [l.split("\t") for l in open(sys.argv[1]) if l.strip()]
ms = sorted(int(r[2]) / 1000 for r in rows)
ok = sum(1 for r in rows if r[1] == "200")
pick = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]
start = min(int(r[0]) for r in rows); end = max(int(r[0]) + int(r[2]) for r in rows)
print(f"{len(ms)} requests ({ok} ok) in {(end - start) / 1e6:.1f} s = {len(ms) / ((end - start) / 1e6):.0f}/s; "
      f"latency p50 {pick(0.5):.2f} ms, p95 {pick(0.95):.2f} ms, p99 {pick(0.99):.2f} ms, max {ms[-1]:.2f} ms")
PY
rm -f "$LOG"

POLY="53.95,-2.20:53.95,-1.20:53.50,-1.20:53.50,-2.20"
AREA="http://127.0.0.1:$PORT/api/crimes-street/all-crime?poly=$POLY&date=2016-08"
echo "== whole month by polygon (West Yorkshire, 2016-08)"
curl -s -o /dev/null -w "first request (loads the month): %{time_total} s\n" "$AREA"
echo "server RSS before: $(rss) KiB"
for i in $(seq 1 20); do
  curl -s -o /dev/null -w "%{size_download} %{time_total}\n" "$AREA"
done | python3 -c '
import sys
rows = [tuple(map(float, l.split())) for l in sys.stdin]
size = rows[0][0]; times = sorted(t for _, t in rows)
print(f"{size / 1e6:.1f} MB an answer; median {times[len(times)//2]:.3f} s = {size / times[len(times)//2] / 1e6:.0f} MB/s; best {size / times[0] / 1e6:.0f} MB/s")'
echo "server RSS after 20 answers: $(rss) KiB"
curl -s "$AREA" | python3 -c 'import json,sys; print(f"{len(json.load(sys.stdin))} crimes in the polygon")'
