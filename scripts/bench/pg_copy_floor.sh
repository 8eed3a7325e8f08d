#!/usr/bin/env bash
# The PostgreSQL server's own floor for an import: how long the server takes to COPY the
# `incidents` rows of a street file (binary, in one transaction, into a table with the same
# columns, defaults and key, rows in the importer's order) with nothing of SaferStreets in
# the way, against SaferStreets' SQLite import of the same file in the same rounds. If the
# floor alone is near 1.5 × the SQLite import, no change to the importer can bring the
# PostgreSQL import under that goal on this machine with this schema.
#
#   BENCH_DATABASE_URL=postgres://user@host/db scripts/bench/pg_copy_floor.sh [rounds] [file]
#
# BENCH_DATABASE_URL's database is emptied (its public schema dropped) and the file imported
# into it once, to have the rows. Each round then times: the SQLite import into a new file;
# the server's COPY of the rows into a copy of `incidents` with its key; the same COPY into
# a copy without the key (the heap alone). psql's \copy sends the rows, so any server works.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
DATA=${2:-bench-data/street-5m.csv}
: "${BENCH_DATABASE_URL:?give BENCH_DATABASE_URL a database of its own}"
[ -f "$DATA" ] || python3 scripts/bench/make_bench_data.py "$DATA"
if [ -z "${BIN:-}" ]; then
  swift build -c release --product saferstreets 2>&1 | tail -n 1
  BIN=.build/release/saferstreets
fi
export SAFERSTREETS_ENV=production LOG_LEVEL=error
U=$BENCH_DATABASE_URL
ROWS=bench-data/incidents.pgcopy
DB=bench-data/import-bench.sqlite
COLUMNS="slice_id, row_key, content_hash, crime_id, month, category_id, longitude, latitude, easting, northing,
  location, lsoa_code, last_outcome, context, reported_by"
echo "input: $DATA; $(nproc) cores; $(git rev-parse --short HEAD); $(psql "$U" -AtX -c 'SHOW server_version')"
psql "$U" -q -X -c "DROP SCHEMA public CASCADE" -c "CREATE SCHEMA public" >/dev/null 2>&1
DATABASE_URL="$U" $BIN migrate -y --log error >/dev/null
DATABASE_URL="$U" $BIN import "$DATA" --log error >/dev/null
psql "$U" -q -X -c "\\copy (SELECT $(echo $COLUMNS) FROM incidents ORDER BY slice_id, row_key) TO '$ROWS' (FORMAT binary)"
echo "rows: $(psql "$U" -AtX -c 'SELECT count(*) FROM incidents'), $(du -m "$ROWS" | cut -f1) MiB in COPY's binary format"

seconds() { local s; s=$(date +%s.%N); "$@" >/dev/null; echo "$(date +%s.%N) - $s" | bc; }
# One COPY of the rows into a new table made by $1, in a transaction, after a checkpoint.
floor() {
  psql "$U" -q -X -c "DROP TABLE IF EXISTS copy_floor" -c "CREATE TABLE copy_floor $1" -c "CHECKPOINT" >/dev/null
  seconds psql "$U" -q -X -v ON_ERROR_STOP=1 \
    -c "BEGIN" -c "\\copy copy_floor ($(echo $COLUMNS)) FROM '$ROWS' (FORMAT binary)" -c "COMMIT"
}
for i in $(seq 1 "$ROUNDS"); do
  rm -f $DB $DB-wal $DB-shm
  SAFERSTREETS_DB=$DB $BIN migrate -y --log error >/dev/null
  sqlite=$(seconds env SAFERSTREETS_DB=$DB $BIN import "$DATA" --log error)
  keyed=$(floor "(LIKE incidents INCLUDING ALL)")
  heap=$(floor "(LIKE incidents INCLUDING DEFAULTS)")
  printf "round %d\tsqlite-import %.2f s\tpostgres COPY with key %.2f s (%.2f× SQLite)\twithout key %.2f s (%.2f×)\n" \
    "$i" "$sqlite" "$keyed" "$(echo "$keyed / $sqlite" | bc -l)" "$heap" "$(echo "$heap / $sqlite" | bc -l)"
done
psql "$U" -q -X -c "DROP TABLE IF EXISTS copy_floor" >/dev/null
rm -f "$ROWS"
