#!/usr/bin/env bash
# National scale (issue 19): every force of England and Wales and BTP, 36 months of street,
# outcomes and stop-and-search files (scripts/bench/make_national_data.py), release build.
#
#   BENCH_DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" scripts/bench/national.sh
#
# BENCH_DATABASE_URL is an administrator's URL: the script creates the database
# national_bench on that server (dropping an earlier one) and leaves it for inspection.
# Without it only the SQLite half runs. BENCH_SKIP_IMPORT=1 reuses the databases of an
# earlier run.
#
# PostgreSQL: the whole folder imported (time, peak memory), then two instances started as
# the deployment guide starts them (deploy/saferstreets.env.example's settings) behind nginx
# from Debian with deploy/nginx/saferstreets.conf (ports and a self-signed certificate
# changed), measured through nginx over TLS. SQLite: the same import into one file and one
# instance, measured directly. For each:
#   1. the all-crime ranking of every LSOA of a force over 36 months (West Yorkshire; the
#      Metropolitan Police, the largest);
#   2. the national ranking of local authorities (all crime, 12 and 36 months);
#   3. Gi* hot spots for a force at the automatic cell size (12 months: all crime, ASB);
#   4. police.uk crimes-street, one-mile radius round ten city centres, one month, at 400
#      requests/s for 30 s (h2load, HTTP/1.1, 8 connections at 50/s);
#   5. the /open pages (open data front page, force monthly CSVs, plan, grants) at 100
#      requests/s for 30 s.
# Items 1–3: one request first (cold: nothing cached by the app), then 10 more; median and
# worst of the 10 (curl's total time, through nginx on PostgreSQL, where the worst is
# usually the other instance's first answer: each instance keeps its own results).
# Measuring starts once each instance has finished its start-up read of the latest street
# month for the police.uk API (a background task that otherwise competes with the first
# requests): when it has used no CPU for a second.
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=bench-data/national
command -v h2load >/dev/null || apt-get install -y -qq nghttp2-client >/dev/null
if [ ! -x .build-bench-venv/bin/python ] || ! .build-bench-venv/bin/python -c 'import pyproj, numpy' 2>/dev/null; then
  python3 -m venv .build-bench-venv
  .build-bench-venv/bin/pip install -q pyproj numpy
fi
[ -d "$DATA" ] || .build-bench-venv/bin/python scripts/bench/make_national_data.py "$DATA"
swift build -c release --product saferstreets 2>&1 | tail -n 1
BIN="$PWD/.build/release/saferstreets"
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
echo "input: $DATA, $(find "$DATA" -name '*.csv' | wc -l) files, $(du -sm "$DATA" | cut -f1) MiB;" \
  "$(cat "$DATA"/*/*-street.csv | wc -l) street lines; $(nproc) cores"
LAST="$(ls "$DATA" | sort | tail -n 1)"
FIRST="$(ls "$DATA" | sort | head -n 1)"
YEAR_AGO="$(ls "$DATA" | sort | tail -n 12 | head -n 1)"

measure() { /usr/bin/time -f "$1: %e s, %M KiB max RSS" "${@:2}" > /dev/null; }

# One request cold, then 10: "name: cold X ms; then median Y ms, worst Z ms (status, bytes)".
probe() {
  local name="$1" url="$2"
  local cold times
  cold="$(curl -sk -o "$WORK/probe" -w '%{http_code} %{time_total} %{size_download}' "$url")"
  times="$(for _ in $(seq 1 10); do curl -sk -o /dev/null -w '%{time_total}\n' "$url"; done | sort -n)"
  python3 - "$name" "$cold" "$WORK/probe" <<PY
import json, sys
name, cold, body = sys.argv[1], sys.argv[2].split(), sys.argv[3]
times = [float(t) for t in """$times""".split()]
detail = ""
try:
    d = json.load(open(body))
    if isinstance(d, dict) and "rows" in d:
        detail = f"; {len(d['rows'])} places, {d.get('forceTotal', 0):,} incidents"
    elif isinstance(d, dict) and "result" in d:
        detail = f"; {d['result'].get('grid', {}).get('cellSize', '?')} m cells"
except Exception:
    pass
print(f"{name}: HTTP {cold[0]}, cold {float(cold[1]) * 1000:.0f} ms; then median {times[5] * 1000:.0f} ms, "
      f"worst {times[-1] * 1000:.0f} ms ({int(cold[2]):,} bytes{detail})")
PY
}

# h2load at a fixed rate: p50/p95/p99 from its per-request log.
load() {
  local name="$1" connections="$2" rate="$3" seconds="$4"; shift 4
  local log="$WORK/h2load.log"
  rm -f "$log"
  h2load --h1 -c "$connections" --rps "$rate" -D "$seconds" --log-file="$log" "$@" > "$WORK/h2load.out" 2>&1 || true
  python3 - "$name" "$log" "$connections" "$rate" <<'PY'
import sys
name, path, c, r = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rows = [l.split("\t") for l in open(path) if l.strip()]
ms = sorted(int(x[2]) / 1000 for x in rows)
ok = sum(1 for x in rows if x[1] == "200")
pick = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]
start = min(int(x[0]) for x in rows); end = max(int(x[0]) + int(x[2]) for x in rows)
print(f"{name}: {len(ms):,} requests ({ok:,} answered 200) at {len(ms) / ((end - start) / 1e6):.0f}/s "
      f"(asked {c * r}/s); p50 {pick(0.5):.1f} ms, p95 {pick(0.95):.1f} ms, p99 {pick(0.99):.1f} ms, max {ms[-1]:.1f} ms")
PY
}

# The ten points and the pages, against a site root.
measure_site() {
  local site="$1"
  echo "-- 1. force ranking, every LSOA, all crime, $FIRST to $LAST"
  probe "West Yorkshire (1,388 LSOAs)" \
    "$site/api/v1/rankings?force=west-yorkshire&from=$FIRST&to=$LAST&category=all&level=lsoa"
  probe "Metropolitan Police (4,829 LSOAs)" \
    "$site/api/v1/rankings?force=metropolitan&from=$FIRST&to=$LAST&category=all&level=lsoa"
  echo "-- 2. national ranking of local authorities, all crime"
  probe "12 months ($YEAR_AGO to $LAST)" "$site/api/v1/rankings?force=all&level=local-authority&category=all"
  probe "36 months ($FIRST to $LAST)" \
    "$site/api/v1/rankings?force=all&level=local-authority&category=all&from=$FIRST&to=$LAST"
  echo "-- 3. Gi* hot spots, West Yorkshire, automatic cell size, $YEAR_AGO to $LAST"
  probe "all crime" "$site/api/v1/hotspots?force=west-yorkshire&category=all"
  probe "ASB" "$site/api/v1/hotspots?force=west-yorkshire"
  echo "-- 4. crimes-street, one mile, ten city centres, $LAST"
  local urls=()
  for p in 53.7997,-1.5492 51.5079,-0.1281 53.4808,-2.2426 52.4862,-1.8904 51.4816,-3.1791 \
           53.4084,-2.9916 54.9783,-1.6178 51.4545,-2.5879 52.6309,1.2974 50.9097,-1.4044; do
    urls+=("$site/api/crimes-street/all-crime?lat=${p%,*}&lng=${p#*,}&date=$LAST")
  done
  for u in "${urls[@]}"; do curl -sk -o /dev/null "$u"; curl -sk -o /dev/null "$u"; done   # each instance loads the month
  load "400 requests/s for 30 s" 8 50 30 "${urls[@]}"
  echo "-- 5. /open pages"
  local pages=("$site/open" "$site/open/plan" "$site/open/grants")
  for f in west-yorkshire metropolitan norfolk south-wales btp; do pages+=("$site/open/forces/$f/monthly.csv"); done
  for u in "${pages[@]}"; do curl -sk -o /dev/null "$u"; curl -sk -o /dev/null "$u"; done
  load "100 requests/s for 30 s" 4 25 30 "${pages[@]}"
}

export SAFERSTREETS_ENV=production LOG_LEVEL=error SAFERSTREETS_PUBLIC_URL=https://localhost
openssl rand -base64 32 | sed 's/^/current=/' > "$WORK/data-keys"
export SAFERSTREETS_DATA_KEYS_FILE="$WORK/data-keys" SAFERSTREETS_UPLOAD_DIR="$WORK/uploads"
export SAFERSTREETS_MAIL="folder:$WORK/mail"
mkdir -p "$WORK/uploads"

wait_ready() {
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$1/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "the instance on port $1 did not become ready" >&2; exit 1
}

# Waits until process $1 has used no CPU for a second: its start-up work is done.
wait_settled() {
  local last=-1 now idle=0
  for _ in $(seq 1 240); do
    now="$(awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0)"
    if [ "$now" = "$last" ]; then idle=$((idle + 1)); else idle=0; fi
    [ "$idle" -ge 4 ] && return 0
    last="$now"
    sleep 0.25
  done
}

if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  echo "== PostgreSQL $(psql -X -At -d "${BENCH_DATABASE_URL%%\?*}" -c 'SHOW server_version'), two instances behind nginx $(nginx -v 2>&1 | sed 's|.*/||')"
  BASE="${BENCH_DATABASE_URL%%\?*}"
  QUERY=""
  [[ "$BENCH_DATABASE_URL" == *\?* ]] && QUERY="?${BENCH_DATABASE_URL#*\?}"
  PGURL="${BASE%/*}/national_bench$QUERY"
  if [ -z "${BENCH_SKIP_IMPORT:-}" ]; then
    psql -X -q -d "$BASE" -c "DROP DATABASE IF EXISTS national_bench WITH (FORCE)" -c "CREATE DATABASE national_bench"
    DATABASE_URL="$PGURL" "$BIN" migrate -y --log error >/dev/null
    measure "import, all files" env DATABASE_URL="$PGURL" "$BIN" import "$DATA" --log error
    measure "import again, unchanged" env DATABASE_URL="$PGURL" "$BIN" import "$DATA" --log error
    psql -X -q -d "${BASE%/*}/national_bench" -c "VACUUM ANALYZE"
  fi
  echo "database: $(psql -X -At -d "${BASE%/*}/national_bench" -c "SELECT pg_size_pretty(pg_database_size('national_bench'))"); " \
    "$(psql -X -At -d "${BASE%/*}/national_bench" -c 'SELECT COUNT(*) FROM incidents') incidents"
  for port in 8091 8092; do
    ( export DATABASE_URL="$PGURL" SAFERSTREETS_DB_CONNECTIONS=4 SAFERSTREETS_TRUST_PROXY=1 PORT=$port
      exec "$BIN" serve --hostname 127.0.0.1 --port $port --log error ) > "$WORK/instance-$port.log" 2>&1 &
    PIDS+=("$!")
    wait_ready $port
  done
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
    -keyout "$WORK/privkey.pem" -out "$WORK/fullchain.pem" >/dev/null 2>&1
  sed -e "s|listen 443 ssl;|listen 18543 ssl;|" -e "s|listen 80;|listen 18180;|" \
      -e "s|127.0.0.1:8081|127.0.0.1:8091|" -e "s|127.0.0.1:8082|127.0.0.1:8092|" \
      -e "s|server_name saferstreets.example.org;|server_name localhost;|" \
      -e "s|/etc/ssl/saferstreets/|$WORK/|" deploy/nginx/saferstreets.conf > "$WORK/site.conf"
  cat > "$WORK/nginx.conf" <<NGINX
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
worker_processes auto;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/body; proxy_temp_path $WORK/proxy;
  fastcgi_temp_path $WORK/fastcgi; uwsgi_temp_path $WORK/uwsgi; scgi_temp_path $WORK/scgi;
  include $WORK/site.conf;
}
NGINX
  nginx -c "$WORK/nginx.conf" -p "$WORK"
  sleep 0.5
  for p in "${PIDS[@]}"; do wait_settled "$p"; done
  measure_site "https://localhost:18543"
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  kill "$(cat "$WORK/nginx.pid")"; rm -f "$WORK/nginx.pid"
  PIDS=()
  sleep 1
fi

echo "== SQLite, one instance"
DB=bench-data/national.sqlite
if [ -z "${BENCH_SKIP_IMPORT:-}" ]; then
  rm -f $DB $DB-wal $DB-shm
  SAFERSTREETS_DB=$DB "$BIN" migrate -y --log error >/dev/null
  measure "import, all files" env SAFERSTREETS_DB=$DB "$BIN" import "$DATA" --log error
  measure "import again, unchanged" env SAFERSTREETS_DB=$DB "$BIN" import "$DATA" --log error
fi
echo "database: $(du -m $DB | cut -f1) MiB"
( export SAFERSTREETS_DB=$DB; exec "$BIN" serve --hostname 127.0.0.1 --port 8093 --log error ) > "$WORK/sqlite.log" 2>&1 &
PIDS+=("$!")
wait_ready 8093
wait_settled "${PIDS[-1]}"
measure_site "http://127.0.0.1:8093"
