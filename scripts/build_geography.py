"""Build the bundled LSOA reference (Sources/CrimeData/Resources/lsoa-2011.csv).

Merges three ONS-derived files from the shared reference data (see README,
"Licences and attribution"):
  lsoa-centroids-2011.csv   name, MSOA, local authority, centroid (BNG metres)
  lsoa-population-2011.csv  2011 Census usual residents, households, hectares
  lsoa-lookup-2011.csv      police force area (England only; some rows blank)

The lookup gives no force for Wales and for 68 English local authorities (whole districts
such as Harrogate or Gateshead, and parts of two unitary authorities made in 2019 and 2021):
those come from FORCE_OF_DISTRICT below, the police force area each district lies in
(every district lies wholly inside one). Without them a force's ranking would miss its
LSOAs there, and the four Welsh forces would have none.

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

FORCE_OF_DISTRICT = {
    "Gateshead": "Northumbria", "Northumberland": "Northumbria",
    "East Devon": "Devon and Cornwall", "Mid Devon": "Devon and Cornwall", "North Devon": "Devon and Cornwall",
    "South Hams": "Devon and Cornwall", "Teignbridge": "Devon and Cornwall", "Torridge": "Devon and Cornwall",
    "West Devon": "Devon and Cornwall",
    "Dorset": "Dorset", "Bournemouth, Christchurch and Poole": "Dorset",
    "Basingstoke and Deane": "Hampshire", "Hart": "Hampshire", "Rushmoor": "Hampshire",
    "East Hertfordshire": "Hertfordshire", "St Albans": "Hertfordshire", "Stevenage": "Hertfordshire",
    "Welwyn Hatfield": "Hertfordshire",
    "Dartford": "Kent", "Gravesham": "Kent",
    "Craven": "North Yorkshire", "Hambleton": "North Yorkshire", "Harrogate": "North Yorkshire",
    "Richmondshire": "North Yorkshire", "Ryedale": "North Yorkshire", "Scarborough": "North Yorkshire",
    "Selby": "North Yorkshire",
    "West Northamptonshire": "Northamptonshire",
    "Broxtowe": "Nottinghamshire", "Gedling": "Nottinghamshire", "Rushcliffe": "Nottinghamshire",
    "Mendip": "Avon and Somerset", "Sedgemoor": "Avon and Somerset", "South Somerset": "Avon and Somerset",
    "Somerset West and Taunton": "Avon and Somerset",
    "Babergh": "Suffolk", "Mid Suffolk": "Suffolk", "West Suffolk": "Suffolk",
    "Stratford-on-Avon": "Warwickshire", "Warwick": "Warwickshire",
    "Bromsgrove": "West Mercia", "Malvern Hills": "West Mercia", "Redditch": "West Mercia",
    "Worcester": "West Mercia", "Wychavon": "West Mercia", "Wyre Forest": "West Mercia",
    "Isle of Anglesey": "North Wales", "Gwynedd": "North Wales", "Conwy": "North Wales",
    "Denbighshire": "North Wales", "Flintshire": "North Wales", "Wrexham": "North Wales",
    "Powys": "Dyfed-Powys", "Ceredigion": "Dyfed-Powys", "Pembrokeshire": "Dyfed-Powys",
    "Carmarthenshire": "Dyfed-Powys",
    "Swansea": "South Wales", "Neath Port Talbot": "South Wales", "Bridgend": "South Wales",
    "Vale of Glamorgan": "South Wales", "Rhondda Cynon Taf": "South Wales", "Merthyr Tydfil": "South Wales",
    "Cardiff": "South Wales",
    "Caerphilly": "Gwent", "Blaenau Gwent": "Gwent", "Torfaen": "Gwent", "Monmouthshire": "Gwent",
    "Newport": "Gwent",
}

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
                      force.get(code) or FORCE_OF_DISTRICT.get(r["ladnm"], ""), r["easting"], r["northing"], pop, hh, ha])
