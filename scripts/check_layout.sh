#!/usr/bin/env bash
# The layout rule, checked (run by .ci/run):
#   Sources/App holds Main/ (wiring), Web/ (HTTP shared by features), Persistence/ (database
#   helpers and migrations) and one folder per feature; a feature's SQL is in its stores and
#   queries (*Store.swift, *Queries.swift: no `import Vapor`), its HTTP in its controllers
#   (*Controller.swift: no SQL, never in Main/, Web/ or Persistence/); CrimeData and
#   Analytics import neither Vapor nor Fluent nor SQLKit.
set -euo pipefail
cd "$(dirname "$0")/.."
problems=0
say() { echo "layout: $*"; problems=$((problems + 1)); }

for f in Sources/App/*.swift; do [ -e "$f" ] && say "$f is not in a folder (Main/, Web/, Persistence/ or a feature)"; done
while IFS= read -r f; do
  grep -q '^import Vapor' "$f" && say "$f is a store or query file and imports Vapor"
done < <(find Sources/App -name '*Store.swift' -o -name '*Store+*.swift' -o -name '*Queries.swift')
while IFS= read -r f; do
  sql='\.raw\(|\b(SELECT .* FROM|INSERT INTO|DELETE FROM|UPDATE [a-z_]+ SET)\b'
  if grep -qE "$sql" "$f"; then say "$f: SQL in a controller (line $(grep -nE "$sql" "$f" | head -n 1 | cut -d: -f1))"; fi
  case "$f" in Sources/App/Main/* | Sources/App/Web/* | Sources/App/Persistence/*) say "$f: a controller outside a feature folder" ;; esac
done < <(find Sources/App -name '*Controller.swift')
while IFS= read -r f; do
  grep -nE '^import (Vapor|Fluent|SQLKit)' "$f" >/dev/null && say "$f: CrimeData and Analytics import no Vapor, Fluent or SQLKit"
done < <(find Sources/CrimeData Sources/Analytics -name '*.swift')

if [ "$problems" -gt 0 ]; then echo "layout: $problems problem(s)"; exit 1; fi
echo "layout: the rule holds ($(find Sources/App -name '*.swift' | wc -l) files in $(find Sources/App -mindepth 1 -maxdepth 1 -type d ! -name Resources | wc -l) folders)"
