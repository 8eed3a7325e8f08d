#!/usr/bin/env bash
# Issue 18's figures: victims' cases at scale. A fresh database gets 100,000 police referrals
# through the batch API (20 batches of 5,000, each timed: checked, sealed and stored), then
# first contacts for most and criminal justice events for a third are written straight into
# its tables by SQLite. The release server then serves, 5 warm-up requests and 40 timed by
# curl each: the case worker's queue and case list (/victims: the running clocks due by
# tomorrow, by their stored due dates; the newest 100 cases), the same for one case worker (a third
# of the cases assigned), a case page (its read log written on every request), and the OPCC's
# compliance report for the last whole quarter and for every quarter (every clock of every case
# evaluated), and needs against provision. The floor: sqlite3 reading the
# same rows.
#
#   scripts/bench/victims.sh          # BIN=… to use a binary built elsewhere; CASES=… (default 100000)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${BIN:-}" ]; then
  swift build -c release --product saferstreets 2>&1 | tail -n 1
  BIN=.build/release/saferstreets
fi
CASES=${CASES:-100000}
DB=bench-data/victims-bench.sqlite
mkdir -p bench-data
rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.keys"
export SAFERSTREETS_DATA_KEYS="bench1=$(head -c 32 /dev/urandom | base64)"
# Kept beside the database so it can be served again after the run (for profiling).
echo "$SAFERSTREETS_DATA_KEYS" > "$DB.keys"
PASSWORD=bench-victims-password
for who in "pc@police.bench partner-admin Bench_Constabulary police" \
  "worker@care.bench partner-user Bench_Victim_Care victim-service" \
  "analyst@opcc.bench opcc-staff Bench_OPCC opcc"; do
  set -- $who
  echo "$PASSWORD" | SAFERSTREETS_DB=$DB $BIN users create --email "$1" --name "$1" --role "$2" \
    --organisation "${3//_/ }" --kind "$4" --password-stdin --log error >/dev/null
done
TOKEN=$(SAFERSTREETS_DB=$DB $BIN users token --email pc@police.bench --name bench --log error)
source scripts/bench/serve.sh
PORT=8096
SAFERSTREETS_DB=$DB SAFERSTREETS_ENV=development $BIN serve --port $PORT --log error &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
URL=http://127.0.0.1:$PORT
JAR=$(mktemp)
for _ in $(seq 1 100); do curl -sf "$URL/health" >/dev/null && break; sleep 0.2; done

WORK=$(mktemp -d)
python3 - "$WORK" "$CASES" <<'PY'
import json, random, sys, datetime
work, cases = sys.argv[1], int(sys.argv[2])
rng = random.Random(18)
types = ["violence-without-injury", "violence-with-injury", "theft", "burglary", "criminal-damage-arson",
         "stalking-harassment", "fraud", "robbery", "hate-crime", "other"]
bands = ["18-24", "25-34", "35-49", "50-64", "65-plus", "under-18"]
today = datetime.date.today()
for b in range(cases // 5000):
    items = []
    for k in range(5000):
        n = b * 5000 + k
        day = today - datetime.timedelta(days=rng.randint(0, 540))
        items.append({"reference": f"B-{n}", "crime_reference": f"36/{n}/26", "crime_type": rng.choice(types),
                      "reported_on": day.isoformat(), "name": f"Bench Person {n}", "phone": f"07700 900{n % 1000:03d}",
                      "email": f"bench{n}@example.org", "age_band": rng.choice(bands),
                      "enhanced": ["intimidated"] if n % 9 == 0 else [], "consent": "not-declined"})
    json.dump({"referrals": items}, open(f"{work}/batch-{b:03d}.json", "w"))
PY
echo "referral batches of 5,000 (POST /api/v1/victim-referrals):"
# `Expect:` (empty) stops curl asking for a "100 Continue" before sending a body over 1 MiB
# (a batch of 5,000 is 1.35 MB): the server does not answer that interim response, so curl
# waited its full second before sending, and every batch time up to 5024670 included that
# second. A reverse proxy such as nginx answers it itself; a client sending straight to the
# server should not ask (README, where referrals arrive).
for f in "$WORK"/batch-*.json; do
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Expect:" -H "Authorization: Bearer $TOKEN" \
    -H "Content-Type: application/json" --data-binary @"$f" "$URL/api/v1/victim-referrals"
done > "$WORK/batches"
awk '$1 != 201 { bad++ } END { printf "  %d batches, %d not stored\n", NR, bad + 0 }' "$WORK/batches"
sort -k2 -n "$WORK/batches" | awk '{ t[NR] = $2 } END {
  printf "  p50 %.0f ms  p95 %.0f ms  max %.0f ms\n", t[int((NR + 1) / 2)] * 1000, t[int(NR * 0.95 + 0.5)] * 1000, t[NR] * 1000 }'
rm -rf "$WORK"

# Contacts for four in five (some late), criminal justice events for a third (a tenth not yet
# told).
# The batches all arrived today; spread them over the 18 months as a live service's would be
# (received a day or two after the crime was reported), so clocks fall due, are met, missed and
# overdue across every quarter.
sqlite3 "$DB" <<'SQL'
BEGIN;
UPDATE victim_cases SET received_at = strftime('%Y-%m-%dT%H:%M:%SZ', reported_on, '+' || (1 + id % 2) || ' days', '+10 hours')
WHERE reported_on < date('now', '-3 days');
INSERT INTO victim_contacts (case_id, contacted_at, channel, outcome, note_sealed)
SELECT id, strftime('%Y-%m-%dT%H:%M:%SZ', received_at, '+' || (id % 5) || ' days'), 'phone', 'made-contact', ''
FROM victim_cases WHERE id % 5 <> 0;
INSERT INTO victim_case_events (case_id, kind, occurred_at, informed_at, recorded_at)
SELECT id, 'arrest', strftime('%Y-%m-%dT%H:%M:%SZ', received_at, '+3 days'),
  CASE WHEN id % 10 = 0 THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%SZ', received_at, '+' || (3 + id % 3) || ' days') END,
  received_at
FROM victim_cases WHERE id % 3 = 0;
UPDATE victim_cases SET status = 'closed', closed_at = received_at WHERE id % 4 = 0;
UPDATE victim_cases SET assigned_to = (SELECT id FROM users WHERE email = 'worker@care.bench') WHERE id % 3 = 0;
COMMIT;
ANALYZE;
SQL
echo "cases: $(sqlite3 "$DB" 'SELECT COUNT(*) FROM victim_cases'), open: $(sqlite3 "$DB" "SELECT COUNT(*) FROM victim_cases WHERE status = 'open'")"
# The contacts and events above went straight into the tables: date every running clock again
# (what a change of rules or bank holidays asks for), three times, each timed.
echo "clocks recomputed for every open case (saferstreets victims recompute-clocks):"
for _ in 1 2 3; do SAFERSTREETS_DB=$DB $BIN victims recompute-clocks --log error | sed 's/^/  /'; done

ID=$(sqlite3 "$DB" "SELECT id FROM victim_cases WHERE status = 'open' ORDER BY id DESC LIMIT 1")
bench_sign_in worker@care.bench "$PASSWORD"
bench_pages /victims "/victims?worker=me" "/victims/cases/$ID?purpose=case-work"
echo "  read log lines for case $ID: $(sqlite3 "$DB" "SELECT COUNT(*) FROM victim_case_reads WHERE case_id = $ID")"
bench_sign_in analyst@opcc.bench "$PASSWORD"
# The quarterly report: the last whole quarter; then every quarter at once.
QUARTER=$(python3 -c "import datetime; d = datetime.date.today(); q = (d.month - 1) // 3; y = d.year - (q == 0); print(f'{y}-Q{q or 4}')")
bench_pages "/victims/compliance?quarter=$QUARTER" /victims/compliance /victims/provision
echo "floor (sqlite3 reading every case with its first contact and events):"
for _ in 1 2 3; do
  /usr/bin/time -f "  %e s" sqlite3 "$DB" "SELECT c.id, c.received_at, c.enhanced, (SELECT MIN(k.contacted_at)
    FROM victim_contacts k WHERE k.case_id = c.id) FROM victim_cases c" >/dev/null
done
