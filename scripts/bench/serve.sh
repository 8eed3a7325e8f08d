# Shared by the page benchmarks (source it): start the release server on a database, sign
# in through the login form, and time pages with curl over loopback.
#
#   bench_serve DB PORT            serves DB on PORT until the script exits; sets URL and JAR
#   bench_sign_in EMAIL PASSWORD   a fresh session in JAR
#   bench_pages PATH...            per page: 5 warm-up requests, then 40 timed; p50 and p95

bench_serve() {
  # A demo database has its data key beside it (demo/data-keys): a copy elsewhere sets
  # SAFERSTREETS_DATA_KEYS_FILE to it; a database without victims' cases needs none.
  SAFERSTREETS_DB=$1 SAFERSTREETS_DATA_KEYS_FILE="${SAFERSTREETS_DATA_KEYS_FILE:-$(f="$(dirname "$1")/data-keys"; [ -f "$f" ] && echo "$f")}" SAFERSTREETS_ENV=development $BIN serve --port "$2" --log error &
  BENCH_SERVER=$!
  trap 'kill $BENCH_SERVER 2>/dev/null || true' EXIT
  sleep 3
  URL=http://127.0.0.1:$2
  JAR=$(mktemp)
}

bench_sign_in() {
  rm -f "$JAR"
  local token
  token=$(curl -s -c "$JAR" -b "$JAR" "$URL/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
  curl -s -c "$JAR" -b "$JAR" -o /dev/null -X POST --data-urlencode "email=$1" \
    --data-urlencode "password=$2" --data-urlencode "_csrf=$token" "$URL/login"
}

bench_pages() {
  local page
  for page in "$@"; do
    for _ in 1 2 3 4 5; do curl -s -b "$JAR" -o /dev/null "$URL$page"; done
    for _ in $(seq 40); do curl -s -b "$JAR" -o /dev/null -w '%{time_total}\n' "$URL$page"; done | sort -n |
      awk -v p="$page" '{ t[NR] = $1 } END { printf "%-45s p50 %.1f ms  p95 %.1f ms\n", p, t[int(NR * 0.5)] * 1000, t[int(NR * 0.95)] * 1000 }'
  done
}
