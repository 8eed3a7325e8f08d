#!/usr/bin/env bash
# The layout rule, checked (run by .ci/run):
#   Sources/App holds Main/ (wiring), Web/ (HTTP shared by features), Persistence/ (database
#   helpers and migrations) and one folder per feature; a feature's SQL is in its stores and
#   queries (*Store.swift, *Queries.swift: no `import Vapor`), its HTTP in its controllers
#   (*Controller.swift: no SQL, never in Main/, Web/ or Persistence/); CrimeData and
#   Analytics import neither Vapor nor Fluent nor SQLKit. Rows are read one way
#   (Persistence/Rows.swift: snake_case columns into camelCase properties); paths are
#   named once (Web/SiteURL.swift) and linked through it, in Swift and in templates;
#   controllers get their stores from routes.swift rather than making them.
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

# One way to read rows.
while IFS= read -r hit; do say "$hit: read rows with .rows(T.self) / .row(T.self) (Persistence/Rows.swift)"; done \
  < <(grep -rnE '\.(all|first)\(\s*decoding:' Sources/App --include='*.swift' | grep -v '^Sources/App/Persistence/Rows.swift' | cut -d: -f1,2)
# One place for paths: no site path literal in Swift outside SiteURL, none in templates.
paths='"/(campaigns|activities|areas|open|hotspots|rankings|imports|admin|organisation|account|login|logout|shared|actions|api/v1)([/?"]|\\)'
while IFS= read -r hit; do say "$hit: a path literal; use SiteURL"; done \
  < <(grep -rnE "$paths" Sources/App --include='*.swift' | grep -vE '^Sources/App/Web/(SiteURL|OpenAPIDocument)\.swift' | grep -vE ':[0-9]+:\s*///' | cut -d: -f1,2)
while IFS= read -r hit; do say "$hit: a path literal in a template; use #url(\"name\", …)"; done \
  < <(grep -rnE '(href|action)="/[a-z]' Resources/Views | grep -vE '"/(css|js|vendor)/' | cut -d: -f1,2)
# Dependencies are passed in from routes.swift.
while IFS= read -r hit; do say "$hit: a controller makes its own store; pass it in from routes.swift"; done \
  < <(grep -rnE '(Store|AuditLog|Queries)\(' Sources/App --include='*Controller.swift' | grep -vE '^\S+:[0-9]+:\s*(let|var) \w+(: \w+)?$' | grep -vE 'var \w+ = \w+(Queries|Limits)\(\)' | cut -d: -f1,2)

if [ "$problems" -gt 0 ]; then echo "layout: $problems problem(s)"; exit 1; fi
echo "layout: the rule holds ($(find Sources/App -name '*.swift' | wc -l) files in $(find Sources/App -mindepth 1 -maxdepth 1 -type d ! -name Resources | wc -l) folders)"
