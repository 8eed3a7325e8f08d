#!/usr/bin/env bash
# The import figures alone, in rounds: each round is DuckDB's durable load of the file
# (the peer), SaferStreets' SQLite import of the same file into a new database and, with
# BENCH_DATABASE_URL, its PostgreSQL import into an emptied database, back to back, so all
# see the same machine state. Then one re-import of the unchanged file on each. Prints
# every round, the median SQLite/DuckDB ratio and the median PostgreSQL/SQLite ratio.
#
#   scripts/bench/import.sh [rounds] [file]           # default 5 rounds, bench-data/street-5m.csv
#   BIN=.build-release/release/saferstreets scripts/bench/import.sh   # a binary built elsewhere
#   BENCH_DATABASE_URL=postgres://user@host/db scripts/bench/import.sh   # also PostgreSQL
#   BENCH_PAGE_SIZE=4096 scripts/bench/import.sh     # SQLite file made with these pages first
#                                                    # (needs the sqlite3 shell; default: the app's)
#
# BENCH_DATABASE_URL's database is emptied (its public schema dropped) before each round:
# give it a database of its own. psql must be installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-5}
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
echo "input: $DATA, $(wc -l < "$DATA") lines, $(du -m "$DATA" | cut -f1) MiB; $(nproc) cores; $(git rev-parse --short HEAD)${BENCH_PAGE_SIZE:+; SQLite pages of $BENCH_PAGE_SIZE bytes}"
cat "$DATA" > /dev/null

DB=bench-data/import-bench.sqlite
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
# Runs a command, prints "<seconds> <max RSS KiB>".
timed() {
  local start rss
  start=$(date +%s.%N)
  rss=$( { /usr/bin/time -f "%M" "$@" >/dev/null; } 2>&1 | tail -n 1)
  echo "$(echo "$(date +%s.%N) - $start" | bc) $rss"
}
ratios=()
pg_ratios=()
for i in $(seq 1 "$ROUNDS"); do
  duck=$(.build-bench-venv/bin/python scripts/bench/peers.py "$DATA" 1 duckdb-load | cut -f2)
  rm -f $DB $DB-wal $DB-shm
  if [ -n "${BENCH_PAGE_SIZE:-}" ]; then
    sqlite3 $DB "PRAGMA page_size=$BENCH_PAGE_SIZE; PRAGMA journal_mode=WAL" >/dev/null
  fi
  SAFERSTREETS_DB=$DB $BIN migrate -y --log error >/dev/null
  read -r ours rss < <(timed env SAFERSTREETS_DB=$DB $BIN import "$DATA" --log error)
  ratio=$(echo "scale=3; $ours / $duck" | bc)
  ratios+=("$ratio")
  line=$(printf "round %d\tduckdb-load %.2f s\tsqlite-import %.2f s (%s KiB)\tratio %.2f" "$i" "$duck" "$ours" "$rss" "$ratio")
  if [ -n "${BENCH_DATABASE_URL:-}" ]; then
    psql "$BENCH_DATABASE_URL" -q -X -c "DROP SCHEMA public CASCADE" -c "CREATE SCHEMA public" >/dev/null 2>&1
    DATABASE_URL="$BENCH_DATABASE_URL" $BIN migrate -y --log error >/dev/null
    read -r pg pgrss < <(timed env DATABASE_URL="$BENCH_DATABASE_URL" $BIN import "$DATA" --log error)
    # The server writes the load's dirty pages out in the background (its checkpointer, the
    # kernel's writeback): have that done now, not during the next round's DuckDB and SQLite.
    psql "$BENCH_DATABASE_URL" -q -X -c "CHECKPOINT" >/dev/null
    sync
    pg_ratio=$(echo "scale=3; $pg / $ours" | bc)
    pg_ratios+=("$pg_ratio")
    line+=$(printf "\tpostgres-import %.2f s (%s KiB)\tpostgres/sqlite %.2f" "$pg" "$pgrss" "$pg_ratio")
  fi
  echo "$line"
done
echo "median sqlite-import / duckdb-load: $(printf "%s\n" "${ratios[@]}" | median) over $ROUNDS rounds"
/usr/bin/time -f "sqlite-reimport\t%e s\t%M KiB max RSS" env SAFERSTREETS_DB=$DB $BIN import "$DATA" --log error >/dev/null
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  echo "median postgres-import / sqlite-import: $(printf "%s\n" "${pg_ratios[@]}" | median) over $ROUNDS rounds"
  /usr/bin/time -f "postgres-reimport\t%e s\t%M KiB max RSS" env DATABASE_URL="$BENCH_DATABASE_URL" $BIN import "$DATA" --log error >/dev/null
fi
