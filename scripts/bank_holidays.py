#!/usr/bin/env python3
"""Writes Sources/App/Resources/victims/bank-holidays-england-and-wales.csv: the bank holidays in
England and Wales, 2018 to 2030, for the Victims' Code clocks' working days.

Each year's eight holidays follow the standing rules (New Year's Day, Good Friday, Easter Monday,
the first and last Mondays of May, the last Monday of August, Christmas and Boxing Day, with a
weekend day moved to the next free weekday), plus the changes announced by proclamation: 2020's
early May holiday moved to Friday 8 May (VE day); 2022's spring holiday moved to Thursday 2 June,
the Platinum Jubilee holiday on Friday 3 June and the State Funeral on 19 September; 2023's
coronation holiday on 8 May. Check new years against https://www.gov.uk/bank-holidays.json when
it publishes them; OPCC admins can add a holiday in the product without a release.

Needs python-dateutil (Easter).
"""
import datetime as dt
import os

from dateutil.easter import easter

D = dt.date


def weekday_on_or_after(day, taken):
    while day.weekday() >= 5 or day in taken:
        day += dt.timedelta(days=1)
    return day


def year(y):
    out = []
    ny = weekday_on_or_after(D(y, 1, 1), set())
    out.append((ny, "New Year's Day" + ("" if ny == D(y, 1, 1) else " (substitute day)")))
    e = easter(y)
    out += [(e - dt.timedelta(days=2), "Good Friday"), (e + dt.timedelta(days=1), "Easter Monday")]
    first_may = D(y, 5, 1) + dt.timedelta(days=(7 - D(y, 5, 1).weekday()) % 7)
    last_may = D(y, 5, 31) - dt.timedelta(days=D(y, 5, 31).weekday())
    last_august = D(y, 8, 31) - dt.timedelta(days=D(y, 8, 31).weekday())
    out += [(first_may, "Early May bank holiday"), (last_may, "Spring bank holiday"), (last_august, "Summer bank holiday")]
    christmas, boxing = D(y, 12, 25), D(y, 12, 26)
    if christmas.weekday() == 6:  # Sunday: Boxing Day keeps Monday, Christmas moves to Tuesday
        out += [(boxing, "Boxing Day"), (D(y, 12, 27), "Christmas Day (substitute day)")]
    else:
        c = weekday_on_or_after(christmas, set())
        b = weekday_on_or_after(boxing, {c})
        out += [(c, "Christmas Day" + ("" if c == christmas else " (substitute day)"))]
        out += [(b, "Boxing Day" + ("" if b == boxing else " (substitute day)"))]
    changes = {
        2020: ([D(2020, 5, 4)], [(D(2020, 5, 8), "Early May bank holiday (VE day)")]),
        2022: (
            [D(2022, 5, 30)],
            [
                (D(2022, 6, 2), "Spring bank holiday"),
                (D(2022, 6, 3), "Platinum Jubilee bank holiday"),
                (D(2022, 9, 19), "Bank Holiday for the State Funeral of Queen Elizabeth II"),
            ],
        ),
        2023: ([], [(D(2023, 5, 8), "Bank holiday for the coronation of King Charles III")]),
    }
    removed, added = changes.get(y, ([], []))
    return sorted([(d, t) for d, t in out if d not in removed] + added)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "Sources", "App", "Resources", "victims", "bank-holidays-england-and-wales.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("date,title\n")
        for y in range(2018, 2031):
            for d, t in year(y):
                f.write(f"{d.isoformat()},{t}\n")


if __name__ == "__main__":
    main()
