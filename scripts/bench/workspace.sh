#!/usr/bin/env bash
# Issue 4's figures: page times with the demo data plus 100,000 activity records, and a
# 10,000-row CSV upload. Release build; a copy of the demo database; the server on this
# machine; times are curl's (request sent to last byte received, over loopback).
#
#   swift run saferstreets demo --no-serve      # once, to make demo/saferstreets-demo.sqlite
#   scripts/bench/workspace.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${BIN:-}" ]; then   # BIN=… measures a binary built elsewhere (e.g. an earlier commit)
  swift build -c release --product saferstreets 2>&1 | tail -n 1
  BIN=.build/release/saferstreets
fi
DB=bench-data/workspace.sqlite
PORT=18089
mkdir -p bench-data
[ -f demo/saferstreets-demo.sqlite ] || { echo "run: swift run saferstreets demo --no-serve" >&2; exit 1; }
sqlite3 demo/saferstreets-demo.sqlite "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp demo/saferstreets-demo.sqlite "$DB"
export SAFERSTREETS_DATA_KEYS_FILE="$PWD/demo/data-keys"  # the demo's victims are sealed with it
rm -f "$DB-wal" "$DB-shm"

# 100,000 more activity records in the demo campaign: patrols and youth sessions spread over the
# summer, the eleven areas and the partner organisations.
sqlite3 "$DB" <<'SQL'
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000),
  area_k AS (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM areas),
  org_k AS (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM organisations WHERE kind <> 'opcc')
INSERT INTO activities (organisation_id, campaign_id, area_id, type, occurred_on, start_time, location, quantity, details,
  visibility, created_by, created_at)
SELECT (SELECT id FROM org_k WHERE k = n.i % (SELECT COUNT(*) FROM org_k)), (SELECT MIN(id) FROM campaigns),
  (SELECT id FROM area_k WHERE k = n.i % 11),
  CASE WHEN n.i % 5 = 0 THEN 'youth-session' ELSE 'patrol' END,
  date('2025-07-01', '+' || (n.i % 92) || ' days'), '19:00', '', CASE WHEN n.i % 5 = 0 THEN 12 ELSE 1.5 END,
  CASE WHEN n.i % 5 = 0 THEN '{"attendance":"12"}' ELSE '{"hours":"1.5","officers":"2","style":"high-visibility","visits":"3"}' END,
  CASE n.i % 3 WHEN 0 THEN 'private' WHEN 1 THEN 'shared' ELSE 'public' END, NULL, '2025-10-01T00:00:00Z'
FROM n;
SQL
echo "activities: $(sqlite3 "$DB" 'SELECT COUNT(*) FROM activities')"
# Rows loaded in SQL bypass the app: rebuild the maintained totals, as after a restore.
SAFERSTREETS_DB=$DB $BIN activities recount

SAFERSTREETS_DB=$DB SAFERSTREETS_ENV=development $BIN serve --port $PORT --log error &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
sleep 3
URL=http://127.0.0.1:$PORT
JAR=$(mktemp)
sign_in() {
  rm -f "$JAR"
  token=$(curl -s -c "$JAR" -b "$JAR" "$URL/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
  curl -s -c "$JAR" -b "$JAR" -o /dev/null -X POST --data-urlencode "email=$1" --data-urlencode "password=$2" \
    --data-urlencode "_csrf=$token" "$URL/login"
}
# p50 and p95 of 40 requests after 5 to warm up.
measure() {
  for _ in 1 2 3 4 5; do curl -s -b "$JAR" -o /dev/null "$URL$1"; done
  for _ in $(seq 40); do curl -s -b "$JAR" -o /dev/null -w '%{time_total}\n' "$URL$1"; done | sort -n |
    awk -v p="$1" '{ t[NR] = $1 } END { printf "%-70s p50 %.1f ms  p95 %.1f ms\n", p, t[int(NR * 0.5)] * 1000, t[int(NR * 0.95)] * 1000 }'
}
C=/campaigns/safer-norfolk-safer-streets-summer-initiative
for who in "analyst@opcc.demo demo-opcc-figures" "ranger@norwichbid.demo demo-bid-partner"; do
  set -- $who
  echo "== as $1"
  sign_in "$1" "$2"
  for page in /campaigns $C "$C/areas/norwich-town-centre" "$C/dashboard" /activities "/activities/new?type=patrol"; do
    measure "$page"
  done
done

echo "== 10,000-row CSV upload (patrols), as a partner"
CSV=bench-data/patrols-10k.csv
{
  echo "date,time,area,location,campaign,hours,officers,visits,style,visibility"
  for i in $(seq 0 9999); do
    printf '2025-%02d-%02d,19:00,norwich-town-centre,Market Place,safer-norfolk-safer-streets-summer-initiative,1.5,2,3,high-visibility,shared\n' \
      $((7 + i % 3)) $((1 + i % 28))
  done
} > "$CSV"
sign_in ranger@norwichbid.demo demo-bid-partner
token=$(curl -s -b "$JAR" "$URL/activities/upload" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
curl -s -b "$JAR" -o /dev/null -w "upload: HTTP %{http_code} in %{time_total} s -> %{redirect_url}\n" \
  -F "_csrf=$token" -F type=patrol -F "file=@$CSV" "$URL/activities/upload"
echo "activities: $(sqlite3 "$DB" 'SELECT COUNT(*) FROM activities')"
