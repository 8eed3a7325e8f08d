#!/usr/bin/env bash
# Issue 16's figures: recomputing the plan's computed measures, and the scorecard and a
# measure page under load. Release build; copies of the demo database and of the
# 5,000,000-row benchmark database (made by scripts/bench/import.sh); the server on this
# machine; page times are curl's over loopback.
#
#   swift run -c release saferstreets demo --no-serve   # once: demo/saferstreets-demo.sqlite
#   scripts/bench/import.sh 1                            # once: bench-data/import-bench.sqlite
#   scripts/bench/plan.sh                                # BIN=… to use a binary built elsewhere
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${BIN:-}" ]; then
  swift build -c release --product saferstreets 2>&1 | tail -n 1
  BIN=.build/release/saferstreets
fi
export SAFERSTREETS_ENV=production LOG_LEVEL=error
[ -f demo/saferstreets-demo.sqlite ] || { echo "run: swift run -c release saferstreets demo --no-serve" >&2; exit 1; }
DB=bench-data/plan-demo.sqlite
sqlite3 demo/saferstreets-demo.sqlite "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp demo/saferstreets-demo.sqlite "$DB"
export SAFERSTREETS_DATA_KEYS_FILE="$PWD/demo/data-keys"  # the demo's victims are sealed with it
rm -f "$DB-wal" "$DB-shm"

echo "== recompute on the demo: its 18 computed measures plus 26 more (the charge share, and 5 crime sets x the force and 4 local authorities)"
SAFERSTREETS_DB=$DB $BIN bench plan norfolk --repeat 5 --log error
echo "measures: $(sqlite3 "$DB" 'SELECT COUNT(*) FROM measures'), values: $(sqlite3 "$DB" 'SELECT COUNT(*) FROM measure_values')"

if [ -f bench-data/import-bench.sqlite ]; then
  BIG=bench-data/plan-5m.sqlite
  cp bench-data/import-bench.sqlite "$BIG"
  rm -f "$BIG-wal" "$BIG-shm"
  FORCE=$(sqlite3 "$BIG" "SELECT force_id FROM counts_by_force GROUP BY force_id ORDER BY SUM(count) DESC LIMIT 1")
  echo "== recompute on the 5,000,000-row database: 26 measures (the charge share and 5 crime sets x $FORCE and the 4 busiest local authorities)"
  SAFERSTREETS_DB=$BIG $BIN migrate -y --log error >/dev/null
  SAFERSTREETS_DB=$BIG $BIN bench plan "$FORCE" --repeat 5 --log error
fi

. scripts/bench/serve.sh
bench_serve "$DB" 18091
bench_sign_in analyst@opcc.demo demo-opcc-figures
echo "== pages as the OPCC analyst ($(sqlite3 "$DB" 'SELECT COUNT(*) FROM measures') measures), 5 warm-up requests then 40"
bench_pages /plan /plan/measures/neighbourhood-crime /plan/measures/mental-health-incidents /plan/themes/safer-neighbourhoods
