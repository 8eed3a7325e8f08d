#!/usr/bin/env bash
# The anonymous flood of the hardening issue, against the Norfolk demo served by the release
# build: 100 concurrent sign-ins plus 4 concurrent maximum-size polygons for 20 s, first
# from one address, then from 100 spread addresses (SAFERSTREETS_TRUST_PROXY=1), while
# /health and a signed-in page are timed. Prints the figures recorded in BENCHMARKS.md.
#
#   scripts/bench/flood.sh            # BIN=… to use another build
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/saferstreets}
[ -x "$BIN" ] || swift build -c release --product saferstreets 2>&1 | tail -n 1
WORK="$(mktemp -d)"
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
(cd "$WORK" && "$BIN" demo --no-serve --log error >/dev/null)
PORT=8099
for SPREAD in "" "--spread"; do
  SAFERSTREETS_DB="$WORK/demo/saferstreets-demo.sqlite" SAFERSTREETS_DATA_KEYS_FILE="$WORK/demo/data-keys" SAFERSTREETS_TRUST_PROXY=$([ -n "$SPREAD" ] && echo 1 || echo 0) \
    "$BIN" serve --port $PORT --log error &
  SERVER=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
  python3 scripts/bench/flood.py "http://127.0.0.1:$PORT" --seconds 20 $SPREAD || STATUS=1
  kill $SERVER; wait $SERVER 2>/dev/null || true
  # The rate-limit counters live in the database: start the next round clean.
  sqlite3 "$WORK/demo/saferstreets-demo.sqlite" "DELETE FROM rate_limits" 2>/dev/null || true
done
exit ${STATUS:-0}
