#!/usr/bin/env bash
# Issue 20's cost check: what the maps' context layers and interactive maps add to the pages
# that draw them. Serves a demo database (made by `saferstreets demo --no-serve`) with each
# release binary in turn, a pair at a time, and times each page with curl: 3 warm-up requests,
# then 25 timed; prints the median, the 24th of 25 (p95) and the page's size.
#
#   OLD=bench-data/saferstreets-ca64a61 OLD_RES=DIR NEW=bench-data/saferstreets-d378975 \
#     DEMO=DIR scripts/bench/maps.sh
#
# OLD_RES: the Resources/ and Public/ of the old binary's commit (`git archive COMMIT Resources
# Public | tar -x -C DIR`): templates must match the binary that renders them. DEMO: the folder
# holding demo/saferstreets-demo.sqlite and demo/data-keys.
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE="$PWD"
: "${OLD:?the older release binary}" "${OLD_RES:?its Resources and Public}" "${NEW:?the newer binary}" "${DEMO:?the demo folder}"
PAGES=("/hotspots" "/hotspots/map.svg" "/areas" "/areas/norwich-town-centre"
  "/open/campaigns/safer-norfolk-safer-streets-summer-initiative" "/open/areas/norwich-town-centre"
  "/maps/context.geojson?bbox=560000,270000,660000,350000")

run() { # BIN RESOURCES PORT
  (cd "$DEMO" && SAFERSTREETS_RESOURCES="$2" SAFERSTREETS_ENV=development SAFERSTREETS_DB=demo/saferstreets-demo.sqlite \
    SAFERSTREETS_DATA_KEYS_FILE=demo/data-keys exec "$1" serve --port "$3" --log error) &
  local pid=$!
  for _ in $(seq 60); do curl -s -o /dev/null "http://127.0.0.1:$3/health" && break; sleep 0.5; done
  echo "== $1"
  for u in "${PAGES[@]}"; do
    for _ in 1 2 3; do curl -s -o /dev/null "http://127.0.0.1:$3$u"; done
    local ts
    ts=$(for _ in $(seq 25); do curl -s -o /dev/null -w "%{time_total}\n" "http://127.0.0.1:$3$u"; done | sort -n)
    printf "%-70s p50 %6.1f ms  p95 %6.1f ms  %s bytes, status %s\n" "$u" \
      "$(echo "$ts" | sed -n 13p | awk '{print $1 * 1000}')" "$(echo "$ts" | sed -n 24p | awk '{print $1 * 1000}')" \
      $(curl -s -o /dev/null -w "%{size_download} %{http_code}" "http://127.0.0.1:$3$u")
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

for _ in 1 2; do
  run "$HERE/$OLD" "$OLD_RES" 8094
  run "$HERE/$NEW" "$HERE" 8095
done
