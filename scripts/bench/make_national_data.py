"""Build the national benchmark input: every force of England and Wales and British Transport
Police, 36 months, in police.uk's archive layout (one folder per month, three files per force:
street, outcomes and stop-and-search).

    .build-bench-venv/bin/python scripts/bench/make_national_data.py bench-data/national [months] [scale]

Deterministic (seeded). Needs pyproj and numpy (the benchmark venv has both).

What it is made from, and how:
- Places: the bundled ONS reference (Sources/CrimeData/Resources/lsoa-2011.csv): every 2011
  LSOA with its force, centroid (British National Grid) and population.
- Volume: about 6,000,000 street rows a year across England and Wales (police.uk's published
  national total is of that order), shared between LSOAs in proportion to population times a
  rate that rises with density (log of residents per hectare) and a gamma-distributed factor
  per LSOA (shape 1.5), so crime concentrates as it does in real data: a few LSOAs hold many
  times the median. British Transport Police adds about 60,000 a year at the busiest urban
  LSOAs, and has no LSOAs of its own in the reference (as on police.uk).
- Map points: police.uk snaps every location to about 750,000 anonymous map points. Each LSOA
  gets one point per 80 residents (at least 3), scattered round its centroid within the radius
  of a circle of its area, projected to WGS84 longitude/latitude with pyproj; every row of the
  LSOA uses one of them, and its "On or near" name.
- Mix: crime types, the share of ASB, of rows without a location and of last outcomes are those
  of the one real month in the repository (Tests/AppTests/Fixtures/2016-07-west-yorkshire-street.csv).
- Months: 2021-01 onwards; each month's volume varies ±10% with the season.
- Outcomes: every street crime with a Crime ID gets one outcome row, in its own month or up to
  six months later (dropped past the last month), with an outcome type drawn from the real mix.
- Stop and search: about 500,000 a year nationally, by the force's share of street crime.
"""
import csv
import itertools
import math
import os
import random
import sys
import zlib
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from pyproj import Transformer

OUT = sys.argv[1] if len(sys.argv) > 1 else "bench-data/national"
MONTHS = int(sys.argv[2]) if len(sys.argv) > 2 else 36
SCALE = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
FIRST_YEAR = 2021
STREET_PER_YEAR = 6_000_000 * SCALE
BTP_PER_YEAR = 60_000 * SCALE
STOPS_PER_YEAR = 500_000 * SCALE
REFERENCE = "Sources/CrimeData/Resources/lsoa-2011.csv"
REAL_MONTH = "Tests/AppTests/Fixtures/2016-07-west-yorkshire-street.csv"

STREET_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
                 "Crime type,Last outcome category,Context")
OUTCOMES_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
                   "Outcome type")
STOPS_HEADER = ("Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,"
                "Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,"
                "Outcome linked to object of search,Removal of more than just outer clothing")

# police.uk ids and names, the reference's force names (PoliceForce.known, geographyName).
FORCES = {
    "Avon and Somerset": ("avon-and-somerset", "Avon and Somerset Constabulary"),
    "Bedfordshire": ("bedfordshire", "Bedfordshire Police"),
    "Cambridgeshire": ("cambridgeshire", "Cambridgeshire Constabulary"),
    "Cheshire": ("cheshire", "Cheshire Constabulary"), "City of London": ("city-of-london", "City of London Police"),
    "Cleveland": ("cleveland", "Cleveland Police"), "Cumbria": ("cumbria", "Cumbria Constabulary"),
    "Derbyshire": ("derbyshire", "Derbyshire Constabulary"),
    "Devon and Cornwall": ("devon-and-cornwall", "Devon & Cornwall Police"), "Dorset": ("dorset", "Dorset Police"),
    "Durham": ("durham", "Durham Constabulary"), "Dyfed-Powys": ("dyfed-powys", "Dyfed-Powys Police"),
    "Essex": ("essex", "Essex Police"), "Gloucestershire": ("gloucestershire", "Gloucestershire Constabulary"),
    "Greater Manchester": ("greater-manchester", "Greater Manchester Police"), "Gwent": ("gwent", "Gwent Police"),
    "Hampshire": ("hampshire", "Hampshire Constabulary"), "Hertfordshire": ("hertfordshire", "Hertfordshire Constabulary"),
    "Humberside": ("humberside", "Humberside Police"), "Kent": ("kent", "Kent Police"),
    "Lancashire": ("lancashire", "Lancashire Constabulary"), "Leicestershire": ("leicestershire", "Leicestershire Police"),
    "Lincolnshire": ("lincolnshire", "Lincolnshire Police"), "Merseyside": ("merseyside", "Merseyside Police"),
    "Metropolitan Police": ("metropolitan", "Metropolitan Police Service"), "Norfolk": ("norfolk", "Norfolk Constabulary"),
    "North Wales": ("north-wales", "North Wales Police"), "North Yorkshire": ("north-yorkshire", "North Yorkshire Police"),
    "Northamptonshire": ("northamptonshire", "Northamptonshire Police"), "Northumbria": ("northumbria", "Northumbria Police"),
    "Nottinghamshire": ("nottinghamshire", "Nottinghamshire Police"), "South Wales": ("south-wales", "South Wales Police"),
    "South Yorkshire": ("south-yorkshire", "South Yorkshire Police"), "Staffordshire": ("staffordshire", "Staffordshire Police"),
    "Suffolk": ("suffolk", "Suffolk Constabulary"), "Surrey": ("surrey", "Surrey Police"), "Sussex": ("sussex", "Sussex Police"),
    "Thames Valley": ("thames-valley", "Thames Valley Police"), "Warwickshire": ("warwickshire", "Warwickshire Police"),
    "West Mercia": ("west-mercia", "West Mercia Police"), "West Midlands": ("west-midlands", "West Midlands Police"),
    "West Yorkshire": ("west-yorkshire", "West Yorkshire Police"), "Wiltshire": ("wiltshire", "Wiltshire Police"),
}
BTP = ("btp", "British Transport Police")
STREETS = ["High Street", "Station Road", "Church Lane", "Park Road", "Mill Lane", "Victoria Road", "Green Lane",
           "Manor Road", "Queens Road", "New Road", "School Lane", "Kings Road", "The Crescent", "Bridge Street",
           "Shopping Area", "Supermarket", "Parking Area", "Sports/Recreation Area", "Petrol Station", "Nightclub"]


def month_label(i):
    return f"{FIRST_YEAR + i // 12}-{i % 12 + 1:02d}"


def load_places():
    """LSOAs by force, each with its map points (lon, lat, name) and its expected yearly rows."""
    rng = np.random.default_rng(2021)
    rows = list(csv.DictReader(open(REFERENCE, encoding="utf-8")))
    pop = np.array([max(int(r["population"]), 1) for r in rows], dtype=float)
    ha = np.array([max(float(r["hectares"]), 1.0) for r in rows])
    density = np.log1p(pop / ha)
    weight = pop * (0.4 + density / density.mean()) * rng.gamma(1.5, 1 / 1.5, len(rows))
    yearly = weight / weight.sum() * STREET_PER_YEAR
    to_wgs = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    places = {}
    for i, r in enumerate(rows):
        n = max(3, int(pop[i] // 80))
        radius = math.sqrt(ha[i] * 10_000 / math.pi)
        angle = rng.uniform(0, 2 * math.pi, n)
        dist = radius * np.sqrt(rng.uniform(0, 1, n))
        e = float(r["easting"]) + dist * np.cos(angle)
        nn = float(r["northing"]) + dist * np.sin(angle)
        lon, lat = to_wgs.transform(e, nn)
        points = [(f"{lon[k]:.6f}", f"{lat[k]:.6f}", f"On or near {STREETS[(i + k) % len(STREETS)]}")
                  for k in range(n)]
        places.setdefault(r["police_force"], []).append((r["lsoa_code"], r["lsoa_name"], points, yearly[i]))
    # British Transport Police: stations in the 400 densest LSOAs.
    dense = np.argsort(-(pop / ha))[:400]
    byCode = {p[0]: p for ps in places.values() for p in ps}
    places["BTP"] = [(c, nm, pts[:2], BTP_PER_YEAR / len(dense))
                     for c, nm, pts, _ in (byCode[rows[j]["lsoa_code"]] for j in dense)]
    return places


def real_mix():
    with open(REAL_MONTH, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))[1:]
    types = [r[9] for r in rows]
    outcomes = [r[10] for r in rows if r[10]]
    no_location = sum(1 for r in rows if not r[4]) / len(rows)
    return types, outcomes, no_location


def write_force(job):
    key, lsoas, types, outcome_mix, no_location = job
    force_id, force_name = BTP if key == "BTP" else FORCES[key]
    rng = random.Random(zlib.crc32(force_id.encode()))
    yearly = sum(l[3] for l in lsoas)
    cumulative = list(itertools.accumulate(l[3] for l in lsoas))
    street_rows = outcome_rows = stop_rows = 0
    pending = {}  # month index -> outcome lines
    stops_per_month = STOPS_PER_YEAR / 12 * yearly / (STREET_PER_YEAR + BTP_PER_YEAR)
    serial = 0
    for m in range(MONTHS):
        label = month_label(m)
        folder = os.path.join(OUT, label)
        os.makedirs(folder, exist_ok=True)
        season = 1 + 0.1 * math.sin(2 * math.pi * (m % 12 - 3) / 12)
        count = int(rng.gauss(yearly / 12 * season, math.sqrt(yearly / 12)))
        chosen = rng.choices(lsoas, cum_weights=cumulative, k=max(count, 0))
        lines = [STREET_HEADER]
        for code, name, points, _ in chosen:
            kind = rng.choice(types)
            lon, lat, where = rng.choice(points)
            if rng.random() < no_location:
                lon = lat = ""
                where = "No location"
                code = name = ""
            if kind == "Anti-social behaviour":
                lines.append(f",{label},{force_name},{force_name},{lon},{lat},{where},{code},{name},{kind},,")
                continue
            serial += 1
            crime_id = f"{rng.getrandbits(256):064x}"
            outcome = rng.choice(outcome_mix)
            lines.append(f"{crime_id},{label},{force_name},{force_name},{lon},{lat},{where},{code},{name},{kind},{outcome},")
            later = m + min(int(rng.expovariate(0.6)), 6)
            if later < MONTHS:
                pending.setdefault(later, []).append(
                    f"{crime_id},{month_label(later)},{force_name},{force_name},{lon},{lat},{where},{code},{name},{outcome}")
        street_rows += len(lines) - 1
        with open(os.path.join(folder, f"{label}-{force_id}-street.csv"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        done = pending.pop(m, [])
        outcome_rows += len(done)
        with open(os.path.join(folder, f"{label}-{force_id}-outcomes.csv"), "w", encoding="utf-8") as f:
            f.write("\n".join([OUTCOMES_HEADER] + done) + "\n")
        stops = [STOPS_HEADER]
        searched = int(rng.gauss(stops_per_month, math.sqrt(stops_per_month + 1)))
        for _, _, points, _ in rng.choices(lsoas, cum_weights=cumulative, k=max(searched, 0)):
            lon, lat, _ = rng.choice(points)
            day, minute = rng.randrange(1, 29), rng.randrange(1440)
            stops.append(
                f"{rng.choice(['Person search', 'Person and Vehicle search', 'Vehicle search'])},"
                f"{label}-{day:02d}T{minute // 60:02d}:{minute % 60:02d}:00+00:00,False,,{lat},{lon},"
                f"{rng.choice(['Male', 'Male', 'Male', 'Female'])},{rng.choice(['10-17', '18-24', '25-34', 'over 34'])},"
                f"White - English/Welsh/Scottish/Northern Irish/British,White,"
                f"Misuse of Drugs Act 1971 (section 23),Controlled drugs,"
                f"{rng.choice(['A no further action disposal', 'Arrest', 'Community resolution'])},False,False")
        stop_rows += len(stops) - 1
        with open(os.path.join(folder, f"{label}-{force_id}-stop-and-search.csv"), "w", encoding="utf-8") as f:
            f.write("\n".join(stops) + "\n")
    return force_id, street_rows, outcome_rows, stop_rows


def main():
    places = load_places()
    types, outcomes, no_location = real_mix()
    jobs = sorted(((k, v, types, outcomes, no_location) for k, v in places.items() if k),
                  key=lambda j: -sum(l[3] for l in j[1]))
    totals = [0, 0, 0]
    with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
        for force_id, s, o, q in pool.map(write_force, jobs):
            totals = [totals[0] + s, totals[1] + o, totals[2] + q]
            print(f"{force_id}: {s:,} street, {o:,} outcomes, {q:,} stop and search", file=sys.stderr)
    print(f"{OUT}: {len(jobs)} forces x {MONTHS} months: {totals[0]:,} street rows, {totals[1]:,} outcomes, "
          f"{totals[2]:,} stop and search", file=sys.stderr)


if __name__ == "__main__":
    main()
