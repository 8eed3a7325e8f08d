"""Build the demo generator's inputs (Sources/App/Resources/demo/).

- norfolk-postcodes.csv: every live postcode in Norfolk's seven local authorities with its
  British National Grid position and 2011 LSOA (OS Code-Point Open + ONS lookup).
- towns.csv: the eleven Safer Norfolk towns with a town-centre point.
- mix.csv: the category mix and, per category, the last-outcome mix of one real police.uk
  month (West Yorkshire, July 2016), used to give the synthetic data a realistic mix.

    python3 scripts/build_demo_resources.py ../shared/data
"""
import collections
import csv
import shutil
import sys

data = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
out = "Sources/App/Resources/demo"

with open(f"{data}/ons/norfolk-postcodes.csv", newline="") as f, open(f"{out}/norfolk-postcodes.csv", "w", newline="") as o:
    w = csv.writer(o, lineterminator="\n")
    w.writerow(["postcode", "easting", "northing", "lsoa"])
    for r in csv.DictReader(f):
        if r["lsoa11cd"] and r["easting"] and r["northing"]:
            w.writerow([r["postcode"], r["easting"], r["northing"], r["lsoa11cd"]])

shutil.copy(f"{data}/norfolk/towns.csv", f"{out}/towns.csv")

categories = collections.Counter()
outcomes = collections.defaultdict(collections.Counter)
with open(f"{data}/police-uk/2016-07-west-yorkshire-street.csv", encoding="utf-8-sig", newline="") as f:
    for r in csv.DictReader(f):
        categories[r["Crime type"]] += 1
        outcomes[r["Crime type"]][r["Last outcome category"]] += 1
with open(f"{out}/mix.csv", "w", newline="") as o:
    w = csv.writer(o, lineterminator="\n")
    w.writerow(["category", "rows", "outcome", "outcome_rows"])
    for cat, n in categories.most_common():
        for outcome, m in outcomes[cat].most_common():
            w.writerow([cat, n, outcome, m])
