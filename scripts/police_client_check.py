"""Run a real police.uk API client against SaferStreets.

Uses police-api-client (PyPI, the client police.uk's own site was built with), unmodified:
only its base URL points at SaferStreets. Lists forces, crime categories and dates,
fetches street crimes by point and by polygon (the client POSTs polygons), a crime's
outcomes, crimes without a location, and a neighbourhood. Prints what it found; exits
non-zero with the reason on the first thing that does not work.

    python scripts/police_client_check.py http://127.0.0.1:8080/api/ [lat lng force]
"""
import sys

from police_api import PoliceAPI

base = sys.argv[1]
lat, lng = (float(sys.argv[2]), float(sys.argv[3])) if len(sys.argv) > 3 else (52.6286, 1.2925)
force_id = sys.argv[4] if len(sys.argv) > 4 else "norfolk"


def check(condition, message):
    if not condition:
        print("FAILED: " + message)
        sys.exit(1)


api = PoliceAPI(base_url=base, user_agent="saferstreets-ci")

forces = api.get_forces()
check(any(f.id == force_id for f in forces), f"{force_id} not among {len(forces)} forces")
force = api.get_force(force_id)
check(force.name, "the force has no name")
print(f"forces: {len(forces)}; {force_id} is {force.name}")

dates = api.get_dates()
check(dates, "no dates")
latest = api.get_latest_date()
check(latest == dates[0], "the latest date is not the first")
print(f"dates: {len(dates)}, latest {latest}")

categories = api.get_crime_categories(date=latest)
check(len(categories) >= 14, f"only {len(categories)} categories")
burglary = api.get_crime_category("burglary", date=latest)
print(f"categories: {len(categories)} ({burglary.name}, ...)")

crimes = api.get_crimes_point(lat, lng, date=latest)
check(crimes, f"no crimes within a mile of {lat},{lng} in {latest}")
check(all(c.month == latest for c in crimes), "a crime from another month")
for c in crimes:
    check(c.location is not None and c.location.id, f"crime {c.id} has no location id")
    check(abs(float(c.location.latitude) - lat) < 0.03, f"crime {c.id} is not near {lat}")
asb = [c for c in crimes if c.category.id == "anti-social-behaviour"]
check(all(c.persistent_id == "" and c.outcome_status is None for c in asb), "ASB with a persistent id or an outcome")
print(f"street crimes by point: {len(crimes)} ({len(asb)} ASB)")

only_burglary = api.get_crimes_point(lat, lng, date=latest, category=burglary)
check(all(c.category.id == "burglary" for c in only_burglary), "another category among burglaries")
print(f"burglaries by point: {len(only_burglary)}")

d = 0.01
square = [(lat - d, lng - d), (lat - d, lng + d), (lat + d, lng + d), (lat + d, lng - d)]
in_square = api.get_crimes_area(square, date=latest)
check(in_square, "no crimes in the polygon")
check(all(abs(float(c.location.latitude) - lat) <= d + 1e-6 for c in in_square), "a crime outside the polygon")
print(f"street crimes by polygon (POST): {len(in_square)}")

with_outcome = next((c for c in crimes if c.persistent_id and c.outcome_status), None)
check(with_outcome is not None, "no crime with an outcome near the point")
crime = api.get_crime(with_outcome.persistent_id)
check(crime.persistent_id == with_outcome.persistent_id, "outcomes-for-crime returned another crime")
outcomes = with_outcome.outcomes
check(all(o.category.name and o.date for o in outcomes), "an outcome without a name or a date")
print(f"outcomes for {crime.persistent_id[:12]}…: {[o.category.name for o in outcomes]}")

at_location = api.get_crimes_location(with_outcome.location.id, date=latest)
check(any(c.id == with_outcome.id for c in at_location), "crimes-at-location misses the crime found there")
print(f"crimes at its location: {len(at_location)}")

no_location = api.get_crimes_no_location(force_id, date=latest)
check(all(c.month == latest for c in no_location), "a crime without location from another month")
print(f"crimes without a location: {len(no_location)}")

neighbourhood = api.locate_neighbourhood(lat, lng)
if neighbourhood is not None:
    print(f"neighbourhood: {neighbourhood.id} ({neighbourhood.name})")
print("police-api-client works against SaferStreets")
