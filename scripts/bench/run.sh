#!/usr/bin/env bash
# Reproduce BENCHMARKS.md: release build, the 5,000,000-row input, the DuckDB peer and
# SaferStreets in the same run. Each measurement runs in its own process; peak memory is
# GNU time's maximum resident set size.
#
#   scripts/bench/run.sh                 # SQLite
#   BENCH_DATABASE_URL=postgres://... scripts/bench/run.sh   # also the PostgreSQL import
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=bench-data/street-5m.csv
mkdir -p bench-data
[ -f "$DATA" ] || python3 scripts/bench/make_bench_data.py "$DATA"
if [ ! -x .build-bench-venv/bin/python ]; then
  python3 -m venv .build-bench-venv
  .build-bench-venv/bin/pip install -q duckdb
fi
swift build -c release --product saferstreets 2>&1 | tail -n 1
BIN=.build/release/saferstreets
export SAFERSTREETS_ENV=production LOG_LEVEL=error

echo "input: $DATA, $(wc -l < "$DATA") lines, $(du -m "$DATA" | cut -f1) MiB; $(nproc) cores"
cat "$DATA" > /dev/null   # warm the page cache for everyone alike

echo "== peers (DuckDB $(.build-bench-venv/bin/python -c 'import duckdb; print(duckdb.__version__)'), 2 threads)"
.build-bench-venv/bin/python scripts/bench/peers.py "$DATA" 3

echo "== SaferStreets"
$BIN bench scan "$DATA" --threads 2 --log error
$BIN bench scan "$DATA" --threads 1 --log error
$BIN bench aggregate "$DATA" --threads 2 --log error
$BIN bench aggregate "$DATA" --threads 1 --log error

DB=bench-data/bench.sqlite
rm -f $DB $DB-wal $DB-shm
SAFERSTREETS_DB=$DB $BIN migrate -y --log error >/dev/null
measure() { /usr/bin/time -f "$1\t%e s\t%M KiB max RSS" "${@:2}" > /dev/null; }
measure sqlite-import env SAFERSTREETS_DB=$DB $BIN import "$DATA" --log error
measure sqlite-reimport env SAFERSTREETS_DB=$DB $BIN import "$DATA" --log error
echo "sqlite file: $(du -m $DB | cut -f1) MiB"

if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  DATABASE_URL="$BENCH_DATABASE_URL" $BIN migrate -y --log error >/dev/null
  measure postgres-import env DATABASE_URL="$BENCH_DATABASE_URL" $BIN import "$DATA" --log error
  measure postgres-reimport env DATABASE_URL="$BENCH_DATABASE_URL" $BIN import "$DATA" --log error
fi
