"""Build the benchmark input: a 5,000,000-row police.uk street file (about 1.1 GB).

Deterministic. Made from the one real month in the repository
(Tests/AppTests/Fixtures/2016-07-west-yorkshire-street.csv, 27,176 rows) by replicating
it over months and forces: each copy gets its own month (36 months from 2014-01) and
force name, new Crime IDs (SHA-256 of the original ID and the copy number), and
positions jittered by up to ±0.0005° (about 50 m), so the category mix, the share of ASB,
of rows without a location and the LSOA spread stay those of the real data.

    python3 scripts/bench/make_bench_data.py bench-data/street-5m.csv [rows]
"""
import csv
import hashlib
import random
import sys

if len(sys.argv) > 1 and sys.argv[1].startswith("-"):
    # An option is not an output path (`--help` once wrote a 1 GB file of that name).
    print(__doc__, file=sys.stderr)
    sys.exit(0 if sys.argv[1] in ("-h", "--help") else 2)
out_path = sys.argv[1] if len(sys.argv) > 1 else "bench-data/street-5m.csv"
target = int(sys.argv[2]) if len(sys.argv) > 2 else 5_000_000
source = "Tests/AppTests/Fixtures/2016-07-west-yorkshire-street.csv"

with open(source, encoding="utf-8-sig", newline="") as f:
    reader = csv.reader(f)
    header = next(reader)
    rows = list(reader)

forces = ["West Yorkshire Police", "South Yorkshire Police", "Greater Manchester Police", "Merseyside Police",
          "Lancashire Constabulary", "Northumbria Police"]
rng = random.Random(5_000_000)
written = 0
copy = 0
with open(out_path, "w", encoding="utf-8", newline="") as f:
    f.write(",".join(header) + "\n")
    while written < target:
        year, month = 2014 + (copy % 36) // 12, 1 + copy % 12
        force = forces[(copy // 36) % len(forces)]
        stamp = f"{year}-{month:02d}"
        lines = []
        for r in rows:
            if written >= target:
                break
            crime_id = r[0]
            if crime_id:
                crime_id = hashlib.sha256(f"{crime_id}/{copy}".encode()).hexdigest()
            lon, lat = r[4], r[5]
            if lon:
                lon = f"{float(lon) + rng.uniform(-0.0005, 0.0005):.6f}"
                lat = f"{float(lat) + rng.uniform(-0.0005, 0.0005):.6f}"
            fields = [crime_id, stamp, force, force, lon, lat] + r[6:]
            lines.append(",".join(fields))
            written += 1
        f.write("\n".join(lines) + "\n")
        copy += 1
print(f"{out_path}: {written} rows from {copy} copies of {len(rows)}", file=sys.stderr)
