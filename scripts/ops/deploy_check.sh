#!/usr/bin/env bash
# Follows the README's "Deploying" section on this machine, from scratch, with the files in
# deploy/: the program installed in one folder with its resource bundles, templates and public
# files, a new PostgreSQL database, the settings of deploy/saferstreets.env.example, two
# instances started as deploy/systemd/saferstreets@.service starts them (its ExecStart with its
# EnvironmentFile and PORT; systemd itself is not run here), nginx from Debian with
# deploy/nginx/saferstreets.conf (only the server name, certificate paths and listening ports
# changed; a self-signed certificate), then checks through nginx over TLS:
#
#   1. /ready answers 200 and both instances serve (their access logs);
#   2. an OPCC analyst signs in, uploads a street file, and follows the import to its end
#      while nginx spreads the status requests over both instances;
#   3. a second upload: the instance importing it is killed with SIGKILL mid-import, the
#      other takes the job up (the dead process's lease), and the import finishes;
#   4. /metrics is refused through nginx and answers on an instance with the token;
#   5. SIGTERM stops an instance cleanly (exit 0) while nginx keeps serving from the other;
#   6. SIGTERM to the instance importing a file: the job goes back to the queue and the other
#      instance finishes it.
#
#   scripts/ops/deploy_check.sh .build/release/saferstreets "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
#
# Needs nginx, openssl, curl, psql and python3. Exit 0 when every check passed.
set -euo pipefail
BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
ADMIN="$2"
CHECKOUT="$PWD"
BASE="${ADMIN%%\?*}"
QUERY=""
[[ "$ADMIN" == *\?* ]] && QUERY="?${ADMIN#*\?}"
DB="deploy_check_$$"
WORK="$(mktemp -d)"
HTTPS_PORT="${DEPLOY_HTTPS_PORT:-18443}"
HTTP_PORT="${DEPLOY_HTTP_PORT:-18080}"
SITE="https://localhost:$HTTPS_PORT"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  psql -X -q -d "$BASE" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
say() { echo "deploy check: $*"; }
fail() { { echo "deploy check FAILED: $*"; for f in "$WORK"/instance-*.log; do echo "--- $f"; tail -n 20 "$f"; done; } >&2; exit 1; }

# The program installed as the guide says: the executable, its resource bundles beside it, the
# templates and public files, in one folder (here inside the work folder, not /opt).
OPT="$WORK/opt/saferstreets"
mkdir -p "$OPT"
cp "$BIN" "$OPT/saferstreets"
for bundle in "$(dirname "$BIN")"/*.resources; do
  case "$bundle" in *Tests.resources) ;; *) cp -R "$bundle" "$OPT/";; esac
done
cp -R Resources Public "$OPT/"
BIN="$OPT/saferstreets"

# The database and the settings file, as the guide makes them.
psql -X -q -d "$BASE" -c "CREATE DATABASE $DB" >/dev/null
mkdir -p "$WORK/etc" "$WORK/var/uploads"
openssl rand -base64 32 | sed 's/^/current=/' > "$WORK/etc/data-keys"
TOKEN="$(openssl rand -hex 24)"
sed -e "s|^DATABASE_URL=.*|DATABASE_URL=${BASE%/*}/$DB$QUERY|" \
    -e "s|^SAFERSTREETS_RESOURCES=.*|SAFERSTREETS_RESOURCES=$OPT|" \
    -e "s|^SAFERSTREETS_UPLOAD_DIR=.*|SAFERSTREETS_UPLOAD_DIR=$WORK/var/uploads|" \
    -e "s|^SAFERSTREETS_DATA_KEYS_FILE=.*|SAFERSTREETS_DATA_KEYS_FILE=$WORK/etc/data-keys|" \
    -e "s|^SAFERSTREETS_METRICS_TOKEN=.*|SAFERSTREETS_METRICS_TOKEN=$TOKEN|" \
    -e "s|^SAFERSTREETS_PUBLIC_URL=.*|SAFERSTREETS_PUBLIC_URL=$SITE|" \
    -e "s|^SAFERSTREETS_MAIL=.*|SAFERSTREETS_MAIL=folder:$WORK/mail|" \
    deploy/saferstreets.env.example > "$WORK/etc/saferstreets.env"

# The unit's command line and environment, read from the unit file.
UNIT=deploy/systemd/saferstreets@.service
EXEC="$(sed -n 's/^ExecStart=//p' "$UNIT" | sed "s|/opt/saferstreets|$OPT|")"
WORKDIR="$(sed -n 's/^WorkingDirectory=//p' "$UNIT" | sed "s|/opt/saferstreets|$OPT|")"
# Started from this shell (not a subshell), so that `wait` can read an instance's exit status.
start_instance() {
  local port="$1"
  ( set -a; . "$WORK/etc/saferstreets.env"; set +a; export PORT="$port"; cd "$WORKDIR"; exec $EXEC ) \
    >> "$WORK/instance-$port.log" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}
wait_ready() {
  for _ in $(seq 1 240); do
    kill -0 "$STARTED_PID" 2>/dev/null || fail "the instance on port $1 stopped"
    curl -sf "http://127.0.0.1:$1/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  fail "the instance on port $1 did not become ready"
}
start_instance 8081; A=$STARTED_PID
wait_ready 8081
start_instance 8082; B=$STARTED_PID
wait_ready 8082
say "two instances ready on one PostgreSQL database (pids $A, $B)"

# nginx with the guide's site file.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
  -keyout "$WORK/privkey.pem" -out "$WORK/fullchain.pem" >/dev/null 2>&1
sed -e "s|listen 443 ssl;|listen $HTTPS_PORT ssl;|" -e "s|listen 80;|listen $HTTP_PORT;|" \
    -e "s|server_name saferstreets.example.org;|server_name localhost;|" \
    -e "s|/etc/ssl/saferstreets/|$WORK/|" deploy/nginx/saferstreets.conf > "$WORK/site.conf"
cat > "$WORK/nginx.conf" <<NGINX
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log $WORK/nginx-access.log;
  client_body_temp_path $WORK/body; proxy_temp_path $WORK/proxy;
  fastcgi_temp_path $WORK/fastcgi; uwsgi_temp_path $WORK/uwsgi; scgi_temp_path $WORK/scgi;
  include $WORK/site.conf;
}
NGINX
nginx -t -c "$WORK/nginx.conf" -p "$WORK" >/dev/null 2>&1 || { nginx -t -c "$WORK/nginx.conf" -p "$WORK"; fail "nginx refused the site file"; }
nginx -c "$WORK/nginx.conf" -p "$WORK"
sleep 0.5

# 1. Ready through nginx, served by both.
for _ in $(seq 1 20); do curl -skf "$SITE/ready" >/dev/null || fail "/ready through nginx"; done
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://localhost:$HTTP_PORT/")" = 301 ] || fail "http is not sent to https"
[ -s "$WORK/instance-8081.log" ] && [ -s "$WORK/instance-8082.log" ] || fail "one instance wrote no access log"
N1="$(grep -c '"route":"/ready"' "$WORK/instance-8081.log" || true)"
N2="$(grep -c '"route":"/ready"' "$WORK/instance-8082.log" || true)"
{ [ "$N1" -gt 1 ] && [ "$N2" -gt 1 ]; } || fail "nginx did not spread /ready over both instances ($N1, $N2)"
say "1. /ready through nginx over TLS: 200; 20 requests answered $N1 by one instance, $N2 by the other (JSON access logs)"

# 2. Sign in, upload, follow the import.
( set -a; . "$WORK/etc/saferstreets.env"; set +a; cd "$CHECKOUT"
  echo "deploy check password 1" | "$BIN" users create --email analyst@opcc.example --name Analyst --role opcc-staff \
    --organisation OPCC --kind opcc --password-stdin --log error >/dev/null )
JAR="$WORK/cookies"
csrf() { curl -sk -b "$JAR" -c "$JAR" "$SITE$1" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -n 1; }
LOGIN_CSRF="$(csrf /login)"
curl -sk -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "_csrf=$LOGIN_CSRF" --data-urlencode "next=/imports" \
  --data-urlencode "email=analyst@opcc.example" --data-urlencode "password=deploy check password 1" "$SITE/login"
IMPORT_CSRF="$(csrf /imports)"
[ -n "$IMPORT_CSRF" ] || fail "signing in through nginx did not reach the import page"
upload() {
  curl -sk -b "$JAR" -H "X-CSRF-Token: $IMPORT_CSRF" -H "X-File-Name: $(basename "$1")" -H "Accept: application/json" \
    -H "Content-Type: application/octet-stream" --data-binary "@$1" "$SITE/imports" > "$WORK/upload.json"
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$WORK/upload.json" 2>/dev/null \
    || fail "the upload of $(basename "$1") was refused: $(head -c 400 "$WORK/upload.json")"
}
status() { curl -sk -b "$JAR" "$SITE/imports/$1/status"; }
field() { python3 -c "import json,sys; print(str(json.load(sys.stdin).get('$1', '')).splitlines()[0])"; }
follow() {
  for _ in $(seq 1 600); do
    local s; s="$(status "$1")"
    case "$(field state <<<"$s")" in finished|failed) echo "$s"; return 0;; esac
    sleep 0.5
  done
  fail "import $1 did not end"
}
python3 - "$WORK" <<'PY'
import csv, hashlib, random, sys
src = "Tests/AppTests/Fixtures/2016-07-west-yorkshire-street.csv"
with open(src, encoding="utf-8-sig", newline="") as f:
    r = csv.reader(f); header = next(r); rows = list(r)
for name, month, copies in (("small", "2016-07", 1), ("large", "2016-08", 25), ("third", "2016-09", 25)):
    rng = random.Random(month)
    with open(f"{sys.argv[1]}/{month}-west-yorkshire-street.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n"); w.writerow(header)
        for c in range(copies):
            for row in rows:
                row = list(row)
                if row[0]: row[0] = hashlib.sha256(f"{row[0]}:{month}:{c}".encode()).hexdigest()
                row[1] = month
                if row[4] and row[5]:
                    row[4] = f"{float(row[4]) + rng.uniform(-5e-4, 5e-4):.6f}"
                    row[5] = f"{float(row[5]) + rng.uniform(-5e-4, 5e-4):.6f}"
                w.writerow(row)
PY
JOB="$(upload "$WORK/2016-07-west-yorkshire-street.csv")"
RESULT="$(follow "$JOB")"
[ "$(field state <<<"$RESULT")" = finished ] || fail "the first import: $RESULT"
S1="$(grep -c '"route":"/imports/:id/status"' "$WORK/instance-8081.log" || true)"
S2="$(grep -c '"route":"/imports/:id/status"' "$WORK/instance-8082.log" || true)"
say "2. signed in and uploaded through nginx: $(field summary <<<"$RESULT"); status answered $S1 and $S2 times by the two instances"

# The pid of the instance that has claimed job $1 (its lease owner is "host:pid:random").
importer_pid() {
  local owner
  for _ in $(seq 1 200); do
    owner="$(psql -X -A -t -d "${BASE%/*}/$DB" -c "SELECT lease_owner FROM import_jobs WHERE id = '$1' AND state = 'running'" 2>/dev/null || true)"
    [ -n "$owner" ] && { cut -d: -f2 <<<"$owner"; return 0; }
    sleep 0.1
  done
  return 1
}

# 3. Kill the importing instance mid-import; the other finishes the job.
JOB="$(upload "$WORK/2016-08-west-yorkshire-street.csv")"
VICTIM_PID="$(importer_pid "$JOB")" || fail "no instance claimed the second import"
sleep 7  # past a heartbeat, so the database holds the progress
[ "$(field state <<<"$(status "$JOB")")" = running ] || fail "the second import ended before the kill: make its file larger"
kill -9 "$VICTIM_PID"
say "3. killed instance pid $VICTIM_PID (SIGKILL) $(field percent <<<"$(status "$JOB")")% into the file (its last heartbeat)"
RESULT="$(follow "$JOB")"
[ "$(field state <<<"$RESULT")" = finished ] && [ "$(field attempts <<<"$RESULT")" = 2 ] || fail "after the kill: $RESULT"
say "   the other instance took the job up and finished it: attempts 2, $(field summary <<<"$RESULT")"
if [ "$VICTIM_PID" = "$A" ]; then start_instance 8081; A=$STARTED_PID; wait_ready 8081
else start_instance 8082; B=$STARTED_PID; wait_ready 8082; fi
say "   the killed instance restarted and is ready"

# 4. Metrics: not through nginx; on an instance with the token.
[ "$(curl -sk -o /dev/null -w '%{http_code}' "$SITE/metrics")" = 404 ] || fail "/metrics is reachable through nginx"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:8081/metrics")" = 401 ] || fail "/metrics without the token"
METRICS="$(curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:8082/metrics")" || fail "/metrics with the token"
grep -q 'saferstreets_import_jobs{state="finished"} 2' <<<"$METRICS" || fail "the metrics do not count the two finished jobs"
say "4. /metrics: 404 through nginx, 401 without the token, $(grep -c '^http_requests_total' <<<"$METRICS") request series on one instance with it"

# 5. SIGTERM: a clean stop, the site still served by the other instance.
STARTED=$(date +%s.%N)
kill -TERM "$A"
set +e; wait "$A" 2>/dev/null; CODE=$?; set -e
STOPPED=$(python3 -c "print(f'{$(date +%s.%N) - $STARTED:.1f}')")
[ "$CODE" = 0 ] || fail "SIGTERM: the instance exited with $CODE"
for _ in $(seq 1 10); do curl -skf "$SITE/ready" >/dev/null || fail "the site stopped serving when one instance stopped"; done
say "5. SIGTERM stopped one instance in $STOPPED s; nginx served 10 of 10 requests from the other"

# 6. SIGTERM during an import: the job goes back to the queue and the other instance does it.
start_instance 8081; A=$STARTED_PID; wait_ready 8081
JOB="$(upload "$WORK/2016-09-west-yorkshire-street.csv")"
OWNER_PID="$(importer_pid "$JOB")" || fail "no instance claimed the third import"
sleep 7
[ "$(field state <<<"$(status "$JOB")")" = running ] || fail "the third import ended before SIGTERM"
AT="$(field percent <<<"$(status "$JOB")")"
STARTED=$(date +%s.%N)
kill -TERM "$OWNER_PID"
while kill -0 "$OWNER_PID" 2>/dev/null; do sleep 0.05; done
STOPPED=$(python3 -c "print(f'{$(date +%s.%N) - $STARTED:.2f}')")
set +e; wait "$OWNER_PID" 2>/dev/null; CODE=$?; set -e
AFTER="$(psql -X -A -t -d "${BASE%/*}/$DB" -c "SELECT state || ', attempts ' || attempts FROM import_jobs WHERE id = '$JOB'")"
RESULT="$(follow "$JOB")"
[ "$(field state <<<"$RESULT")" = finished ] || fail "after SIGTERM mid-import: $RESULT"
say "6. SIGTERM $AT% into an import: the instance exited with $CODE after $STOPPED s leaving the job $AFTER; the other finished it (attempts $(field attempts <<<"$RESULT"): $(field summary <<<"$RESULT"))"
say "passed"
