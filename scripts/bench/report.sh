#!/usr/bin/env bash
# Issue 5's figures: the evaluation of all eleven demo areas (effects, comparison selection,
# report data) and the report page. Release build; a copy of the demo database; the server
# on this machine; page times are curl's (request sent to last byte, over loopback).
#
#   swift run saferstreets demo --no-serve      # once, to make demo/saferstreets-demo.sqlite
#   scripts/bench/report.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${BIN:-}" ]; then   # BIN=… measures a binary built elsewhere (e.g. an earlier commit)
  swift build -c release --product saferstreets 2>&1 | tail -n 1
  BIN=.build/release/saferstreets
fi
DB=bench-data/report.sqlite
PORT=18090
C=safer-norfolk-safer-streets-summer-initiative
mkdir -p bench-data
[ -f demo/saferstreets-demo.sqlite ] || { echo "run: swift run saferstreets demo --no-serve" >&2; exit 1; }
sqlite3 demo/saferstreets-demo.sqlite "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp demo/saferstreets-demo.sqlite "$DB"
export SAFERSTREETS_DATA_KEYS_FILE="$PWD/demo/data-keys"  # the demo's victims are sealed with it
rm -f "$DB-wal" "$DB-shm"

echo "== evaluation of the campaign's areas (time inside the process, no cache)"
# Cold: the buffers have never been counted (as after an import or a change of design).
for run in 1 2 3; do
  sqlite3 "$DB" "DELETE FROM evaluation_buffers; DELETE FROM evaluation_buffer_counts" 2>/dev/null || true
  printf 'cold, buffers counted from the incidents: '
  SAFERSTREETS_DB=$DB $BIN evaluate $C --summary --log error 2>&1 >/dev/null | grep evaluated
done
for outcome in anti-social-behaviour harm; do
  printf 'warm, %s: ' "$outcome"
  SAFERSTREETS_DB=$DB $BIN evaluate $C --outcome $outcome --summary --repeat 20 --log error 2>&1 >/dev/null | grep evaluated
done

SAFERSTREETS_DB=$DB SAFERSTREETS_ENV=development $BIN serve --port $PORT --log error &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
sleep 3
URL=http://127.0.0.1:$PORT
JAR=$(mktemp)
token=$(curl -s -c "$JAR" -b "$JAR" "$URL/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
curl -s -c "$JAR" -b "$JAR" -o /dev/null -X POST --data-urlencode "email=analyst@opcc.demo" \
  --data-urlencode "password=demo-opcc-figures" --data-urlencode "_csrf=$token" "$URL/login"
R=/campaigns/$C/report
echo "== report page"
curl -s -b "$JAR" -o /dev/null -w "first request (evaluation computed): %{time_total} s\n" "$URL$R"
curl -s -b "$JAR" -o /dev/null -w "first request, harm-weighted: %{time_total} s\n" "$URL$R?outcome=harm"
measure() {
  for _ in 1 2 3 4 5; do curl -s -b "$JAR" -o /dev/null "$URL$1"; done
  for _ in $(seq 40); do curl -s -b "$JAR" -o /dev/null -w '%{time_total}\n' "$URL$1"; done | sort -n |
    awk -v p="$1" '{ t[NR] = $1 } END { printf "%-80s p50 %.1f ms  p95 %.1f ms\n", p, t[int(NR * 0.5)] * 1000, t[int(NR * 0.95)] * 1000 }'
}
measure "$R"
measure "$R?outcome=harm"
measure "/campaigns/$C/report.csv"
measure "/campaigns/$C/return.csv"
measure "/campaigns/$C/evaluation/norwich-town-centre"
curl -s -b "$JAR" -o bench-data/report.pdf -w "PDF download (headless Chromium): %{time_total} s\n" "$URL/campaigns/$C/report.pdf"
