#!/usr/bin/env bash
# Backup and restore on PostgreSQL through the executable, as the README tells an operator:
# a user made before `saferstreets backup` is there after `saferstreets restore`, a user made
# after it is gone, and the restored database serves (`users list` runs its migrations check).
#
#   scripts/ops/pg_backup_check.sh .build/debug/saferstreets "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
set -euo pipefail
BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
ADMIN="$2"
DB="backup_check_$$"
BASE="${ADMIN%%\?*}"
QUERY=""
[[ "$ADMIN" == *\?* ]] && QUERY="?${ADMIN#*\?}"
URL="${BASE%/*}/$DB$QUERY"
WORK="$(mktemp -d)"
cleanup() { psql -X -q -d "$BASE" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
psql -X -q -d "$BASE" -c "CREATE DATABASE $DB" >/dev/null
export DATABASE_URL="$URL" SAFERSTREETS_RESOURCES="$PWD"
unset SAFERSTREETS_DB
user() {
  "$BIN" users create --email "$1" --name N --role opcc-admin --organisation OPCC --kind opcc --log error >/dev/null
}
user before@opcc.example
"$BIN" backup "$WORK/saferstreets.dump" --log error
user after@opcc.example
"$BIN" restore "$WORK/saferstreets.dump" --log error
LIST="$("$BIN" users list --log error)"
grep -q "before@opcc.example" <<<"$LIST" || { echo "pg backup check: the user made before the backup is missing"; exit 1; }
if grep -q "after@opcc.example" <<<"$LIST"; then echo "pg backup check: the restore kept a later user"; exit 1; fi
echo "pg backup check: backup, a later change, restore: the database is as it was at the backup ($(du -h "$WORK/saferstreets.dump" | cut -f1) dump)"
