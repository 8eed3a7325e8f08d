#!/usr/bin/env bash
# The import figures alone, in pairs: each pair is DuckDB's durable load of the file
# (the peer) and SaferStreets' SQLite import of the same file into a new database, back
# to back, so both see the same machine state; then one re-import of the unchanged file
# and, with BENCH_DATABASE_URL, the PostgreSQL import. Prints every pair and the median
# SaferStreets/DuckDB ratio.
#
#   scripts/bench/import.sh [pairs] [file]            # default 5 pairs, bench-data/street-5m.csv
#   BIN=.build-release/release/saferstreets scripts/bench/import.sh   # a binary built elsewhere
set -euo pipefail
cd "$(dirname "$0")/../.."
PAIRS=${1:-5}
DATA=${2:-bench-data/street-5m.csv}
mkdir -p bench-data
[ -f "$DATA" ] || python3 scripts/bench/make_bench_data.py "$DATA"
if [ ! -x .build-bench-venv/bin/python ] || ! .build-bench-venv/bin/python -c 'import duckdb' 2>/dev/null; then
  python3 -m venv .build-bench-venv
  .build-bench-venv/bin/pip install -q duckdb numpy esda libpysal
fi
if [ -z "${BIN:-}" ]; then
  swift build -c release --product saferstreets 2>&1 | tail -n 1
  BIN=.build/release/saferstreets
fi
export SAFERSTREETS_ENV=production LOG_LEVEL=error
echo "input: $DATA, $(wc -l < "$DATA") lines, $(du -m "$DATA" | cut -f1) MiB; $(nproc) cores; $(git rev-parse --short HEAD)"
cat "$DATA" > /dev/null

DB=bench-data/import-bench.sqlite
ratios=()
for i in $(seq 1 "$PAIRS"); do
  duck=$(.build-bench-venv/bin/python scripts/bench/peers.py "$DATA" 1 duckdb-load | cut -f2)
  rm -f $DB $DB-wal $DB-shm
  SAFERSTREETS_DB=$DB $BIN migrate -y --log error >/dev/null
  start=$(date +%s.%N)
  out=$( { /usr/bin/time -f "%M" env SAFERSTREETS_DB=$DB $BIN import "$DATA" --log error >/dev/null; } 2>&1 | tail -n 1)
  ours=$(echo "$(date +%s.%N) - $start" | bc)
  ratio=$(echo "scale=3; $ours / $duck" | bc)
  ratios+=("$ratio")
  printf "pair %d\tduckdb-load %.2f s\tsqlite-import %.2f s (%s KiB max RSS)\tratio %.2f\n" "$i" "$duck" "$ours" "$out" "$ratio"
done
median=$(printf "%s\n" "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}')
echo "median sqlite-import / duckdb-load: $median over $PAIRS pairs"
/usr/bin/time -f "sqlite-reimport\t%e s\t%M KiB max RSS" env SAFERSTREETS_DB=$DB $BIN import "$DATA" --log error >/dev/null
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  DATABASE_URL="$BENCH_DATABASE_URL" $BIN migrate -y --log error >/dev/null
  /usr/bin/time -f "postgres-import\t%e s\t%M KiB max RSS" env DATABASE_URL="$BENCH_DATABASE_URL" $BIN import "$DATA" --log error >/dev/null
  /usr/bin/time -f "postgres-reimport\t%e s\t%M KiB max RSS" env DATABASE_URL="$BENCH_DATABASE_URL" $BIN import "$DATA" --log error >/dev/null
fi
