"""Build the bundled LSOA reference (Sources/CrimeData/Resources/lsoa-2011.csv).

Merges three ONS-derived files from the shared reference data (see README,
"Licences and attribution"):
  lsoa-centroids-2011.csv   name, MSOA, local authority, centroid (BNG metres)
  lsoa-population-2011.csv  2011 Census usual residents, households, hectares
  lsoa-lookup-2011.csv      police force area (England only; some rows blank)

The population file repeats column names ("Persons" three times: all usual
residents, household residents, communal residents) and quotes numbers with
thousands separators ("1,563"); columns are addressed by position here.

    python3 scripts/build_geography.py ../shared/data/ons > Sources/CrimeData/Resources/lsoa-2011.csv
"""
import csv
import sys

ons = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/ons"


def number(text):
    text = text.replace(",", "").strip()
    return int(float(text)) if text else 0


population = {}
with open(f"{ons}/lsoa-population-2011.csv", encoding="utf-8-sig", newline="") as f:
    rows = csv.reader(f)
    next(rows)
    for r in rows:
        # 6: LSOA code, 9: all usual residents, 12: hectares, 14: households
        population[r[6]] = (number(r[9]), number(r[14]), r[12].replace(",", "").strip() or "0")

force = {}
with open(f"{ons}/lsoa-lookup-2011.csv", encoding="utf-8-sig", newline="") as f:
    rows = csv.reader(f)
    next(rows)
    for r in rows:
        # A row whose unquoted local authority name held a comma has shifted
        # columns: find the LSOA code by its shape, the force is always last.
        code = next((c for c in r if c[:3] in ("E01", "W01") and len(c) == 9), None)
        if code and r[-1].strip():
            force[code] = r[-1].strip()

out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["lsoa_code", "lsoa_name", "msoa_code", "msoa_name", "lad_code", "lad_name",
              "police_force", "easting", "northing", "population", "households", "hectares"])
with open(f"{ons}/lsoa-centroids-2011.csv", encoding="utf-8-sig", newline="") as f:
    rows = csv.DictReader(f)
    for r in rows:
        code = r["lsoa11cd"]
        pop, hh, ha = population.get(code, (0, 0, "0"))
        out.writerow([code, r["lsoa11nm"], r["msoa11cd"], r["msoa11nm"], r["ladcd"], r["ladnm"],
                      force.get(code, ""), r["easting"], r["northing"], pop, hh, ha])
