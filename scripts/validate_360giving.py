#!/usr/bin/env python3
"""Validate SaferStreets' 360Giving files against the 360Giving Data Standard 1.4.3.

Usage: validate_360giving.py PACKAGE.json [GRANTS.csv] [--prefix 360G-saferstreets]
       validate_360giving.py --self-test

PACKAGE.json and GRANTS.csv may be paths or http(s) URLs (the demo server's
/open/grants/360giving.json and /open/grants/360giving.csv).

Checks, each error printed with the grant and the JSON path or CSV column:
  1. The package against the standard's package schema, which refers to the grant schema by
     its $id URL: both are loaded from scripts/360giving-1.4.3/ (or $SCHEMA_DIR) and resolved
     locally through a `referencing` registry, never over the network. Format checking is on
     (with rfc3339-validator installed), as awardDate's oneOf needs.
  2. The identifier rules of identifiers.md: grant ids are the publisher's 360G- prefix, a
     hyphen and an internal id, unique, without spaces or slashes; organisation ids carry an
     org-id list code this product issues (GB-CHC, GB-SC, GB-NIC, GB-COH, GB-MPR, GB-REV,
     GB-LAE) with a number in that register's format, or the publisher's prefix; beneficiary
     locations carry a 9-character ONS code with a geoCodeType from the standard's codelist.
  3. Sense: nothing disbursed beyond the amount awarded; planned dates in order.
  4. The CSV: every column title is one the standard's schema defines (titles joined by ':',
     list items numbered), and it holds the same grants with the same amounts as the JSON.

Exits 0 with "0 errors" when all pass; 1 and the list of errors otherwise.
"""
import csv
import io
import json
import os
import re
import sys
import urllib.request

import jsonschema
import referencing
import referencing.jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_DIR = os.environ.get("SCHEMA_DIR", os.path.join(HERE, "360giving-1.4.3"))

REGISTERS = {
    "GB-CHC": re.compile(r"^[0-9]{6,7}$"),
    "GB-SC": re.compile(r"^SC[0-9]{6}$"),
    "GB-NIC": re.compile(r"^[0-9]{6}$"),
    "GB-COH": re.compile(r"^([0-9]{8}|[A-Z]{2}[0-9]{6})$"),
    "GB-MPR": re.compile(r"^[0-9]{1,6}[A-Z]{0,2}$"),
    "GB-REV": re.compile(r"^[A-Z]{1,2}[0-9]{3,6}$"),
    "GB-LAE": re.compile(r"^[A-Z]{3,4}$"),
}


def read(source):
    if source.startswith("http://") or source.startswith("https://"):
        with urllib.request.urlopen(source, timeout=60) as r:
            return r.read().decode("utf-8")
    with open(source, encoding="utf-8") as f:
        return f.read()


def load_schemas():
    with open(os.path.join(SCHEMA_DIR, "360-giving-schema.json"), encoding="utf-8") as f:
        grant = json.load(f)
    with open(os.path.join(SCHEMA_DIR, "360-giving-package-schema.json"), encoding="utf-8") as f:
        package = json.load(f)
    with open(os.path.join(SCHEMA_DIR, "codelists", "geoCodeType.csv"), encoding="utf-8") as f:
        geo_types = {row["Code"] for row in csv.DictReader(f)}
    return grant, package, geo_types


def validator(grant, package):
    dialect = referencing.jsonschema.DRAFT202012
    registry = referencing.Registry().with_resources(
        [
            (grant["$id"], referencing.Resource(contents=grant, specification=dialect)),
            (package["$id"], referencing.Resource(contents=package, specification=dialect)),
        ]
    )
    cls = jsonschema.Draft202012Validator
    return cls(package, registry=registry, format_checker=cls.FORMAT_CHECKER)


def org_problem(identifier, prefix):
    if prefix and identifier.startswith(prefix + "-"):
        rest = identifier[len(prefix) + 1 :]
        return None if rest and re.fullmatch(r"[A-Za-z0-9_-]+", rest) else "the internal part is empty or has other characters"
    for code, pattern in REGISTERS.items():
        if identifier.startswith(code + "-"):
            number = identifier[len(code) + 1 :]
            return None if pattern.match(number) else f"{number!r} is not a number on {code}"
    return "neither an org-id with a known list code nor the publisher's prefix"


def schema_titles(grant_schema):
    """Every CSV column title the grant schema defines: titles joined by ':', with an
    optional ':N:' after a list's title for its Nth item."""
    defs = grant_schema.get("$defs", {})

    def resolve(node):
        while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/$defs/"):
            node = defs[node["$ref"].split("/")[-1]]
        return node

    titles = set()

    def walk(node, prefix):
        node = resolve(node)
        for key, prop in node.get("properties", {}).items():
            prop_r = resolve(prop)
            title = prop.get("title") or prop_r.get("title") or key
            if key == "currency":
                title = "Currency"
            path = f"{prefix}{title}"
            kinds = prop_r.get("type", prop.get("type"))
            if kinds == "array" and isinstance(prop_r.get("items"), dict):
                item = resolve(prop_r["items"])
                if item.get("properties"):
                    walk(item, path + ":")
                    walk(item, path + ":#:")
                else:
                    titles.add(path)
            elif kinds == "object" and prop_r.get("properties"):
                walk(prop_r, path + ":")
            else:
                titles.add(path)

    walk(grant_schema, "")
    return titles


def check_package(text, prefix, csv_text=None):
    grant_schema, package_schema, geo_types = load_schemas()
    errors = []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        return [f"the package is not JSON: {e}"]
    for e in sorted(validator(grant_schema, package_schema).iter_errors(data), key=lambda e: list(e.absolute_path)):
        path = "/".join(str(p) for p in e.absolute_path)
        errors.append(f"schema: /{path}: {e.message}")
    grants = data.get("grants", []) if isinstance(data, dict) else []
    if not prefix.startswith("360G-") or len(prefix) <= 5:
        errors.append(f"the publisher prefix {prefix!r} does not start 360G-")
    seen = set()
    for k, g in enumerate(grants):
        gid = g.get("id", "")
        where = f"grant {k} ({gid})"
        if not gid.startswith(prefix + "-") or len(gid) == len(prefix) + 1:
            errors.append(f"{where}: the identifier does not start with the prefix {prefix}-")
        if re.search(r"[\s/\\]", gid):
            errors.append(f"{where}: the identifier has a space or a slash")
        if gid in seen:
            errors.append(f"{where}: the identifier is used twice")
        seen.add(gid)
        for field in ("recipientOrganization", "fundingOrganization"):
            for org in g.get(field, []):
                problem = org_problem(org.get("id", ""), prefix)
                if problem:
                    errors.append(f"{where}: {field} {org.get('id')!r}: {problem}")
        if "recipientIndividual" in g:
            errors.append(f"{where}: names a person as recipient")
        for loc in g.get("beneficiaryLocation", []):
            code = loc.get("geoCode") or ""
            if not re.fullmatch(r"[EWSN][0-9]{8}", code):
                errors.append(f"{where}: beneficiaryLocation geoCode {code!r} is not an ONS code")
            if loc.get("geoCodeType") not in geo_types:
                errors.append(f"{where}: geoCodeType {loc.get('geoCodeType')!r} is not on the codelist")
        disbursed, awarded = g.get("amountDisbursed", 0), g.get("amountAwarded", 0)
        numbers = all(isinstance(x, (int, float)) for x in (disbursed, awarded))
        if numbers and disbursed > awarded:
            errors.append(f"{where}: more disbursed than awarded")
        for d in g.get("plannedDates", []):
            if d.get("startDate", "") > d.get("endDate", "9999"):
                errors.append(f"{where}: planned dates end before they start")
    if csv_text is not None:
        errors += check_csv(csv_text, grants, schema_titles(grant_schema))
    return errors


def check_csv(text, grants, titles):
    errors = []
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return ["csv: empty"]
    header = rows[0]
    for column in header:
        generic = re.sub(r":[0-9]+:", ":#:", column)
        if column not in titles and generic not in titles:
            errors.append(f"csv: column {column!r} is not a 360Giving title")
    body = rows[1:]
    if len(body) != len(grants):
        errors.append(f"csv: {len(body)} rows for {len(grants)} grants in the JSON")
    index = {c: i for i, c in enumerate(header)}
    for k, (row, g) in enumerate(zip(body, grants)):
        def cell(name):
            i = index.get(name)
            return row[i] if i is not None and i < len(row) else ""

        if cell("Identifier") != g.get("id"):
            errors.append(f"csv row {k + 2}: identifier {cell('Identifier')!r}, the JSON has {g.get('id')!r}")
        try:
            if abs(float(cell("Amount Awarded")) - float(g.get("amountAwarded", 0))) > 0.001:
                errors.append(f"csv row {k + 2}: Amount Awarded differs from the JSON")
        except (TypeError, ValueError):
            errors.append(f"csv row {k + 2}: Amount Awarded {cell('Amount Awarded')!r} is not a number")
        if cell("Recipient Org:Identifier") != g.get("recipientOrganization", [{}])[0].get("id"):
            errors.append(f"csv row {k + 2}: Recipient Org:Identifier differs from the JSON")
    return errors


def self_test():
    """The checker finds what it should: a minimal valid grant passes; a comma in an amount,
    a foreign prefix, a bad charity number and an unknown CSV column each fail."""
    good = {
        "grants": [
            {
                "id": "360G-test-G1", "title": "t", "description": "d", "currency": "GBP", "amountAwarded": 100,
                "awardDate": "2025-07-01", "recipientOrganization": [{"id": "GB-CHC-1164883", "name": "r"}],
                "fundingOrganization": [{"id": "360G-test-ORG1", "name": "f"}],
                "beneficiaryLocation": [{"name": "Norwich", "geoCode": "E07000148", "geoCodeType": "NMD"}],
            }
        ]
    }
    assert check_package(json.dumps(good), "360G-test") == [], check_package(json.dumps(good), "360G-test")
    bad = json.loads(json.dumps(good))
    bad["grants"][0]["amountAwarded"] = "25,000"
    assert any("schema" in e for e in check_package(json.dumps(bad), "360G-test"))
    assert any("prefix" in e for e in check_package(json.dumps(good), "360G-other"))
    bad = json.loads(json.dumps(good))
    bad["grants"][0]["recipientOrganization"][0]["id"] = "GB-CHC-12AB"
    assert any("GB-CHC" in e for e in check_package(json.dumps(bad), "360G-test"))
    csv_text = "Identifier,Amount Awarded,Recipient Org:Identifier,Beneficiary Location:0:Geographic Code,Colour\r\n"
    csv_text += "360G-test-G1,100,GB-CHC-1164883,E07000148,red\r\n"
    errors = check_package(json.dumps(good), "360G-test", csv_text)
    assert errors == ["csv: column 'Colour' is not a 360Giving title"], errors
    print("self-test: 5 cases behave")


def main(argv):
    if argv[1:] == ["--self-test"]:
        self_test()
        return 0
    prefix = "360G-saferstreets"
    args = []
    it = iter(argv[1:])
    for a in it:
        if a == "--prefix":
            prefix = next(it, prefix)
        else:
            args.append(a)
    if not args:
        print(__doc__)
        return 2
    text = read(args[0])
    csv_text = read(args[1]) if len(args) > 1 else None
    errors = check_package(text, prefix, csv_text)
    grants = len(json.loads(text).get("grants", [])) if not errors or text.startswith("{") else 0
    for e in errors[:200]:
        print(e)
    print(f"360Giving 1.4.3: {grants} grants, {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
