#!/usr/bin/env bash
# Issue 17's figures: the commissioning dashboard, and the 360Giving export of every grant,
# with 10,000 grants and 40,000 monitoring returns. A copy of the demo database gets 10,000
# more awarded applications (each with a summary and the places served, an indicator,
# payments, four quarterly returns with values, a fifth of them overdue) written straight into
# its tables by SQLite; the release server then serves /grants/dashboard to the OPCC analyst
# and the open grants page and the 360Giving JSON and CSV to anyone: 5 warm-up requests, then
# 40 timed by curl. The JSON and CSV of all grants are then validated against the standard's
# schema 1.4.3 (scripts/validate_360giving.py; needs python3 with jsonschema, referencing and
# rfc3339-validator: PY=path/to/python to choose one).
#
#   swift run -c release saferstreets demo --no-serve   # once: demo/saferstreets-demo.sqlite
#   scripts/bench/grants.sh                              # BIN=… to use a binary built elsewhere
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${BIN:-}" ]; then
  swift build -c release --product saferstreets 2>&1 | tail -n 1
  BIN=.build/release/saferstreets
fi
[ -f demo/saferstreets-demo.sqlite ] || { echo "run: swift run -c release saferstreets demo --no-serve" >&2; exit 1; }
DB=bench-data/grants-bench.sqlite
mkdir -p bench-data
sqlite3 demo/saferstreets-demo.sqlite "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp demo/saferstreets-demo.sqlite "$DB"
export SAFERSTREETS_DATA_KEYS_FILE="$PWD/demo/data-keys"  # the demo's victims are sealed with it
rm -f "$DB-wal" "$DB-shm"
sqlite3 "$DB" <<'SQL'
BEGIN;
WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 10000)
INSERT INTO applications (round_id, organisation_id, title, amount_requested_pence, status, created_at, updated_at,
  submitted_at, decision, decided_at)
SELECT 1, (SELECT MIN(id) FROM organisations) + k % 20, 'Bench grant ' || k, 1000000 + k, 'awarded',
  '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', 'award', '2026-02-01T00:00:00Z' FROM n;
INSERT INTO awards (application_id, fund_id, amount_pence, award_date, starts_on, ends_on, last_modified)
SELECT id, 1, amount_requested_pence, '2026-02-01', '2026-01-01', '2026-12-31', '2026-02-01T00:00:00Z'
FROM applications WHERE title LIKE 'Bench grant %';
INSERT INTO application_answers (application_id, question_id, answer)
SELECT a.id, (SELECT MIN(id) FROM round_questions WHERE round_id = 1 AND kind = 'text'),
  'Bench work ' || a.id || ': sessions every week through the year for young people at risk.'
FROM applications a WHERE a.title LIKE 'Bench grant %';
INSERT INTO application_answers (application_id, question_id, answer)
SELECT a.id, (SELECT MIN(id) FROM round_questions WHERE round_id = 1 AND kind = 'places'),
  CASE a.id % 3 WHEN 0 THEN '["lad:E07000148"]' WHEN 1 THEN '["area:norwich-town-centre","lad:E07000145"]'
    ELSE '["area:great-yarmouth-town-centre"]' END
FROM applications a WHERE a.title LIKE 'Bench grant %';
INSERT INTO award_indicators (award_id, kind, name, target)
SELECT w.id, 'output', CASE w.id % 3 WHEN 0 THEN 'People reached' WHEN 1 THEN 'Sessions run' ELSE 'Volunteers trained' END, 100
FROM awards w JOIN applications a ON a.id = w.application_id WHERE a.title LIKE 'Bench grant %';
INSERT INTO award_payments (award_id, instalment_id, paid_on, amount_pence, recorded_at)
SELECT w.id, NULL, '2026-01-05', w.amount_pence / 2, '2026-01-05T00:00:00Z'
FROM awards w JOIN applications a ON a.id = w.application_id WHERE a.title LIKE 'Bench grant %';
WITH RECURSIVE q(k, label, due) AS (
  SELECT 1, 'January to March 2026', '2026-04-30' UNION ALL
  SELECT 2, 'April to June 2026', '2026-07-30' UNION ALL
  SELECT 3, 'July to September 2026', '2026-10-30' UNION ALL
  SELECT 4, 'October to December 2026', '2027-01-30')
INSERT INTO monitoring_returns (award_id, period_label, due_on, status, submitted_at, spend_pence, narrative)
SELECT w.id, q.label, q.due,
  CASE WHEN q.k = 4 THEN 'due' WHEN q.k = 3 AND w.id % 5 = 0 THEN 'due' WHEN q.k = 3 AND w.id % 5 = 1 THEN 'submitted'
    ELSE 'accepted' END,
  CASE WHEN q.k < 3 THEN '2026-05-01T00:00:00Z' END, CASE WHEN q.k < 3 THEN 100000 END, ''
FROM awards w JOIN applications a ON a.id = w.application_id, q WHERE a.title LIKE 'Bench grant %';
INSERT INTO return_values (return_id, indicator_id, value)
SELECT m.id, i.id, 20 FROM monitoring_returns m JOIN award_indicators i ON i.award_id = m.award_id
  JOIN awards w ON w.id = m.award_id JOIN applications a ON a.id = w.application_id
WHERE m.status IN ('accepted', 'submitted') AND a.title LIKE 'Bench grant %';
UPDATE award_indicators SET achieved = COALESCE((SELECT SUM(v.value) FROM return_values v
  JOIN monitoring_returns m ON m.id = v.return_id WHERE v.indicator_id = award_indicators.id AND m.status = 'accepted'), 0);
COMMIT;
ANALYZE;
SQL
echo "awards: $(sqlite3 "$DB" 'SELECT COUNT(*) FROM awards'), returns: $(sqlite3 "$DB" 'SELECT COUNT(*) FROM monitoring_returns'), overdue: $(sqlite3 "$DB" "SELECT COUNT(*) FROM monitoring_returns WHERE status IN ('due','queried') AND due_on < date('now')")"

. scripts/bench/serve.sh
bench_serve "$DB" 18092
bench_sign_in analyst@opcc.demo demo-opcc-figures
echo "== as the OPCC analyst, 5 warm-up requests then 40"
bench_pages /grants/dashboard /grants
echo "== signed out: the open grants page and the 360Giving files of every grant"
rm -f "$JAR"
bench_pages /open/grants /open/grants/360giving.json /open/grants/360giving.csv
curl -s -o bench-data/grants-360giving.json "$URL/open/grants/360giving.json"
curl -s -o bench-data/grants-360giving.csv "$URL/open/grants/360giving.csv"
echo "JSON $(wc -c < bench-data/grants-360giving.json) bytes, CSV $(wc -c < bench-data/grants-360giving.csv) bytes"
${PY:-python3} scripts/validate_360giving.py bench-data/grants-360giving.json bench-data/grants-360giving.csv
echo "== the peer in the same run: sqlite3 -json writing the same awards joined to their applications and organisations"
echo "   (a floor: no payments, places, themes or package; 3 runs)"
for _ in 1 2 3; do
  s=$(date +%s.%N)
  sqlite3 -json "$DB" "SELECT w.id, a.title, w.amount_pence, w.award_date, w.starts_on, w.ends_on, w.last_modified,
    o.name, o.org_identifier, x.answer FROM awards w JOIN applications a ON a.id = w.application_id
    JOIN organisations o ON o.id = a.organisation_id
    LEFT JOIN application_answers x ON x.application_id = a.id" > /dev/null
  e=$(date +%s.%N)
  awk -v s="$s" -v e="$e" 'BEGIN { printf "sqlite3 -json: %.1f ms\n", (e - s) * 1000 }'
done
