#!/usr/bin/env bash
# Reproduce BENCHMARKS.md: release build, the 5,000,000-row input, the DuckDB peer and
# SaferStreets in the same run. Each measurement runs in its own process; peak memory is
# GNU time's maximum resident set size.
#
#   scripts/bench/run.sh                 # SQLite; BENCH_SKIP_ESDA=1 skips the 90 s PySAL run
#   BENCH_DATABASE_URL=postgres://... scripts/bench/run.sh   # also the PostgreSQL import
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=bench-data/street-5m.csv
mkdir -p bench-data
[ -f "$DATA" ] || python3 scripts/bench/make_bench_data.py "$DATA"
if [ ! -x .build-bench-venv/bin/python ] || ! .build-bench-venv/bin/python -c 'import duckdb, esda, libpysal' 2>/dev/null; then
  python3 -m venv .build-bench-venv
  .build-bench-venv/bin/pip install -q duckdb numpy esda libpysal
fi
GRID=bench-data/gistar-1m.f64
[ -f "$GRID" ] || .build-bench-venv/bin/python scripts/bench/gistar_peers.py make "$GRID"
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

echo "== ranking from the stored aggregates (all LSOAs of the force, latest 36 months)"
SAFERSTREETS_DB=$DB $BIN bench rank west-yorkshire --repeat 5 --log error

echo "== Gi* on 1,000,000 cells, 13-cell band"
.build-bench-venv/bin/python scripts/bench/gistar_peers.py numpy "$GRID" 10
$BIN bench gistar "$GRID" --threads 2 --repeat 10 --output bench-data/gistar-1m-z.f64 --log error
$BIN bench gistar "$GRID" --threads 1 --repeat 10 --log error
.build-bench-venv/bin/python scripts/bench/gistar_peers.py compare "$GRID" bench-data/gistar-1m-z.f64
[ -n "${BENCH_SKIP_ESDA:-}" ] || .build-bench-venv/bin/python scripts/bench/gistar_peers.py esda "$GRID"
echo "== emerging hot spots, 100,000 cells x 36 months"
$BIN bench emerging "$GRID" --threads 2 --repeat 3 --log error

if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  DATABASE_URL="$BENCH_DATABASE_URL" $BIN migrate -y --log error >/dev/null
  measure postgres-import env DATABASE_URL="$BENCH_DATABASE_URL" $BIN import "$DATA" --log error
  measure postgres-reimport env DATABASE_URL="$BENCH_DATABASE_URL" $BIN import "$DATA" --log error
fi
