"""Writes Sources/App/Resources/openapi.json, the OpenAPI 3.1 description of SaferStreets'
own JSON API (/api/v1). Kept as Python so the repeated parts (problems, parameters) are
written once; run it after changing the API:

    python3 scripts/openapi_source.py
"""
import json
from pathlib import Path

def ref(name): return {"$ref": f"#/components/schemas/{name}"}
def problem(description): return {"description": description, "content": {"application/problem+json": {"schema": ref("Problem")}}}
def ok(schema, description="OK"): return {"description": description, "content": {"application/json": {"schema": schema}}}
def param(name, description, schema=None, required=False, where="query"):
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema or {"type": "string"}}
def obj(props, required=None, extra=False):
    o = {"type": "object", "properties": props, "required": required if required is not None else list(props)}
    if not extra: o["additionalProperties"] = False
    return o

# The activity types (ActivityType.all; OpenAPITests checks the two lists agree).
ACTIVITY_TYPES = ["patrol", "pspo", "community-protection-warning", "community-protection-notice",
                  "community-protection-notice-breach", "dispersal-authorisation", "vehicle-warning", "vehicle-seizure",
                  "closure-notice", "closure-order", "civil-injunction", "criminal-behaviour-order", "outreach-event",
                  "youth-session", "school-visit", "safeguarding", "multi-agency-meeting", "pcc-engagement"]

S = {"type": "string"}
I = {"type": "integer"}
N = {"type": "number"}
B = {"type": "boolean"}
def arr(items): return {"type": "array", "items": items}

force_param = param("force", "police.uk force id (default: the force with the longest run of street data), e.g. `norfolk`")
analysis_params = [
    force_param,
    param("from", "first month, `YYYY-MM` (default: 11 months before `to`)"),
    param("to", "last month, `YYYY-MM` (default: the latest month stored)"),
    {"name": "category", "in": "query", "required": False, "description": "police.uk crime category slugs, repeatable or comma-separated (default `anti-social-behaviour`); `all` for every one",
     "schema": {"type": "array", "items": S}, "style": "form", "explode": True},
    param("area", "a stored area's slug: analyse inside it only"),
]
comparison = obj({"current": N, "baseline": N, "rateRatio": N, "lower95": N, "upper95": N, "p": N}, required=["current", "baseline", "p"])
concentration = obj({"total": N, "places": I, "placesForHalf": N,
                     "shares": arr(obj({"topFraction": N, "places": I, "share": N}))})

schemas = {
    "Problem": {"type": "object", "description": "RFC 9457 problem details: every error of /api/v1",
                "properties": {"type": S, "title": S, "status": I, "detail": S,
                               "errors": arr(obj({"record": I, "field": S, "message": S}))},
                "required": ["type", "title", "status"]},
    "CoverageRow": obj({"force": S, "kind": {"type": "string", "enum": ["street", "outcomes", "stop-and-search", "legacy-street"]}, "month": S, "rows": I}),
    "Comparison": comparison,
    "Concentration": concentration,
    "RankingRow": obj({"rank": I, "id": S, "name": S, "population": I, "count": I, "ratePer1000": N, "shareOfForce": N, "harm": N,
                       "versusPrevious": ref("Comparison"), "versusYearEarlier": ref("Comparison")},
                      required=["rank", "id", "name", "count", "harm", "versusPrevious", "versusYearEarlier"]),
    "Ranking": obj({"options": obj({"force": S, "from": S, "to": S, "previous": S, "yearEarlier": S, "categories": arr(S), "level": S,
                                    "sort": S, "harmWeights": {"type": "object", "additionalProperties": N}, "changeTest": S}),
                    "rows": arr(ref("RankingRow")), "forceTotal": I, "concentration": ref("Concentration"), "populationNote": S},
                   required=["options", "rows", "forceTotal", "populationNote"]),
    "HotspotCell": obj({"id": S, "eastingMin": N, "northingMin": N, "count": N, "z": N, "p": N, "adjustedP": N, "hotspotClass": S,
                        "dominatedByOnePoint": B, "emergingPattern": S},
                       required=["id", "eastingMin", "northingMin", "count", "hotspotClass", "dominatedByOnePoint"]),
    "Hotspots": obj({"parameters": {"type": "object", "additionalProperties": S}, "incidents": I, "cellsInStudyArea": I,
                     "classCounts": {"type": "object", "additionalProperties": I}, "concentration": ref("Concentration"),
                     "cells": arr(ref("HotspotCell"))}),
    "Area": obj({"slug": S, "name": S, "kind": {"type": "string", "enum": ["radius", "polygon", "lsoas", "msoa", "local-authority"]},
                 "forceID": S, "population": I, "lsoas": I, "radiusMetres": N, "centre": obj({"latitude": N, "longitude": N})},
                required=["slug", "name", "kind", "population", "lsoas", "centre"]),
    "ActivityType": obj({"type": S, "label": S, "group": S, "quantity_field": S, "unit": S, "has_time": B,
                         "fields": arr(obj({"name": S, "label": S, "required": B, "hint": S}))}),
    "ActivityRecord": obj({"id": I, "organisation": S, "campaign": S, "area": S, "type": S, "date": S, "time": S, "location": S,
                           "quantity": N, "unit": S, "fields": {"type": "object", "additionalProperties": S},
                           "visibility": {"type": "string", "enum": ["private", "shared", "public"]}},
                          required=["id", "organisation", "type", "date", "location", "quantity", "unit", "fields", "visibility"]),
    "PlanValueIn": obj({"measure": {"type": "string", "description": "the measure's short name, e.g. `calls-999-within-10s`"},
                        "period": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "description": "the month, YYYY-MM"},
                        "value": {"type": "number"},
                        "source": {"type": "string", "maxLength": 200, "description": "where the figure comes from"}},
                       required=["measure", "period", "value"]),
    "ReferralIn": obj({
        "reference": {"type": "string", "maxLength": 64, "description": "the force's own reference for the referral: sending it again changes nothing"},
        "crime_reference": {"type": "string", "maxLength": 64},
        "crime_type": {"type": "string", "enum": ["domestic-abuse", "sexual-offence", "bereaved-relative", "violence-with-injury",
                       "violence-without-injury", "stalking-harassment", "hate-crime", "robbery", "burglary", "theft",
                       "criminal-damage-arson", "fraud", "modern-slavery", "other"]},
        "reported_on": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "YYYY-MM-DD, not in the future"},
        "name": {"type": "string", "maxLength": 200},
        "date_of_birth": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
        "phone": {"type": "string", "maxLength": 40}, "email": {"type": "string", "maxLength": 254},
        "address": {"type": "string", "maxLength": 500}, "contact_preferences": {"type": "string", "maxLength": 500},
        "language": {"type": "string", "maxLength": 60}, "interpreter": {"type": "boolean"},
        "age_band": {"type": "string", "enum": ["under-18", "18-24", "25-34", "35-49", "50-64", "65-plus", "unknown"]},
        "enhanced": arr({"type": "string", "enum": ["most-serious-crime", "persistently-targeted", "vulnerable-under-18",
                         "vulnerable-mental-disorder", "vulnerable-impairment", "vulnerable-physical-disability", "intimidated"]}),
        "consent": {"type": "string", "enum": ["explicit", "not-declined"],
                    "description": "explicit consent (with its date and how) is required for domestic abuse, sexual offences and bereaved relatives"},
        "consent_on": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
        "consent_how": {"type": "string", "enum": ["verbal", "written", "electronic"]},
        "local_authority": {"type": "string", "description": "ONS local authority code, e.g. E07000148"}},
        required=["reference", "crime_reference", "crime_type", "reported_on", "name", "age_band", "consent"]),
    "ActivityIn": {"type": "object", "properties": {
        "type": {"type": "string", "enum": ACTIVITY_TYPES, "description": "an activity type, see /api/v1/activity-types"},
        "date": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "YYYY-MM-DD, not in the future"},
        "time": {"type": "string", "pattern": "^[0-9]{2}:[0-9]{2}$", "description": "HH:MM, for types with a time"},
        "area": {"type": "string", "description": "an area slug"}, "location": S,
        "campaign": {"type": "string", "description": "a campaign slug your organisation is part of"},
        "visibility": {"type": "string", "enum": ["private", "shared", "public"]},
        "fields": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}}},
        "required": ["type", "date"]},
    "Campaign": obj({"slug": S, "name": S, "description": S, "startsOn": S, "endsOn": S, "areas": arr(S), "organisations": arr(S)}),
    "Figure": obj({"section": {"type": "string", "enum": ["design", "counts", "effect", "displacement", "delivery", "monthly", "dose"]},
                   "area": S, "measure": S, "period": S, "value": N, "lower95": N, "upper95": N, "p": N, "note": S},
                  required=["section", "area", "measure", "period", "note"]),
    "Evaluation": obj({"campaign": S, "outcome": S, "baseline": {"type": "string", "enum": ["previous", "last-year"]}, "during": S,
                       "before": S, "figures": arr(ref("Figure"))}),
}

auth = [{"bearer": []}, {"session": []}]
signed = {"401": problem("not signed in, or the API token is wrong or revoked"),
          "403": problem("the caller may not use this (a session without its CSRF header on a POST; a role without access)")}
paging = [param("limit", "at most this many items (1–1000, default 100)", {"type": "integer", "minimum": 1, "maximum": 1000}),
          param("offset", "skip this many items (default 0)", {"type": "integer", "minimum": 0})]

paths = {
    "/api/v1/openapi.json": {"get": {"summary": "This document", "operationId": "openapi", "tags": ["meta"],
                                     "responses": {"200": ok({"type": "object"})}}},
    "/api/v1/coverage": {"get": {"summary": "Rows stored by force, data set and month", "operationId": "coverage", "tags": ["open data"],
                                 "responses": {"200": ok(arr(ref("CoverageRow")))}}},
    "/api/v1/rankings": {"get": {
        "summary": "Areas ranked by incidents, rate, harm or change", "operationId": "rankings", "tags": ["open data"],
        "parameters": [param("force", "police.uk force id (default: the force with the longest run of street data), e.g. `norfolk`, or `all`: every force's data together, ranked across England and Wales")]
        + analysis_params[1:] + [
            param("level", "what to rank: `lsoa` (default), `msoa`, `local-authority` or `areas`"),
            param("sort", "`rate` (default), `count`, `harm` or `change`"),
            param("weights", "harm weights as `category=number,…`, e.g. `burglary=10`")],
        "responses": {"200": ok(ref("Ranking")), "400": problem("a parameter is not valid: every problem is named")}}},
    "/api/v1/hotspots": {"get": {
        "summary": "Getis-Ord Gi* hot spots on a grid", "operationId": "hotspots", "tags": ["open data"],
        "parameters": analysis_params + [
            param("cell", "cell size in metres (25–10,000) or `auto`"),
            param("band", "distance band in metres (0–20,000; at most 12 cells)"),
            param("correction", "multiple-testing correction: `fdr` (default), `holm` or `none`"),
            param("view", "`classes` (default), `density` or `emerging`")],
        "responses": {"200": ok(ref("Hotspots")), "400": problem("a parameter is not valid: every problem is named")}}},
    "/api/v1/areas": {"get": {"summary": "Stored areas", "operationId": "areas", "tags": ["open data"],
                              "responses": {"200": ok(arr(ref("Area")))}}},
    "/api/v1/activity-types": {"get": {"summary": "Activity types and their fields", "operationId": "activityTypes", "tags": ["activity"],
                                       "responses": {"200": ok(obj({"types": arr(ref("ActivityType"))}))}}},
    "/api/v1/activities": {
        "get": {"summary": "Activity records the caller may see, newest first", "operationId": "listActivities", "tags": ["activity"],
                "security": auth,
                "parameters": [param("campaign", "only this campaign's records (a campaign slug)"),
                               param("limit", "at most this many records (1–5000, default 200)", {"type": "integer", "minimum": 1, "maximum": 5000})],
                "responses": {"200": ok(obj({"records": arr(ref("ActivityRecord"))})), "400": problem("a parameter is not valid"),
                              "404": problem("no such campaign that the caller's organisation is part of"), **signed}},
        "post": {"summary": "Record activity: a batch of up to 10,000 records, stored whole or not at all", "operationId": "createActivities",
                 "tags": ["activity"], "security": auth,
                 "requestBody": {"required": True, "content": {"application/json": {"schema": obj({"records": arr(ref("ActivityIn"))})}}},
                 "responses": {"201": ok(obj({"saved": I, "organisation": S}), "stored"),
                               "400": problem("the body is not a JSON object with a records list"),
                               "413": problem("the body is larger than 16 MB"),
                               "415": problem("the body is not JSON"),
                               "422": problem("one or more records are not valid: `errors` names each record (from 1) and field; nothing was stored"),
                               **signed}}},
    "/api/v1/plan/values": {"post": {
        "summary": "Figures for the Police and Crime Plan's entered measures: a batch of up to 10,000, stored whole or not at all",
        "description": "For OPCC staff, or a police force's system with its organisation's API token. Each figure replaces the "
                       "one already entered for its measure and period; a quarterly measure takes its quarter's first month.",
        "operationId": "enterPlanValues", "tags": ["plan"], "security": auth,
        "requestBody": {"required": True, "content": {"application/json": {"schema": obj({"values": arr(ref("PlanValueIn"))})}}},
        "responses": {"201": ok(obj({"saved": I}), "stored"),
                      "400": problem("the body is not a JSON object with 1 to 10,000 values"),
                      "413": problem("the body is larger than 4 MB"),
                      "415": problem("the body is not JSON"),
                      "422": problem("one or more values are not valid: `errors` names each value (from 1) and field; nothing was stored"),
                      **signed}}},
    "/api/v1/victim-referrals": {"post": {
        "summary": "Victims' referrals from a police force's system: a batch of up to 10,000, stored whole or not at all",
        "description": "With a police force's API token. Each referral goes to the victim service named by `service` (its slug; "
                       "may be left out when there is one). A reference sent before is skipped; the same crime reference and person "
                       "again is stored as a linked duplicate. Names and contact details are sealed at rest.",
        "operationId": "sendVictimReferrals", "tags": ["victims"], "security": auth,
        "requestBody": {"required": True, "content": {"application/json": {"schema": obj(
            {"service": {"type": "string"}, "referrals": arr(ref("ReferralIn"))}, required=["referrals"])}}},
        "responses": {"200": ok(obj({"created": I, "duplicates": I, "unchanged": I, "service": S}), "every reference was sent before"),
                      "201": ok(obj({"created": I, "duplicates": I, "unchanged": I, "service": S}), "stored"),
                      "400": problem("the body is not a JSON object with 1 to 10,000 referrals"),
                      "413": problem("the body is larger than 32 MB, or holds more than 10,000 referrals"),
                      "422": problem("one or more referrals are not valid (`errors` names each, from 1, and its field), or the service "
                                     "is not one here; nothing was stored"),
                      **signed}}},
    "/api/v1/campaigns": {"get": {
        "summary": "Campaigns the caller's organisation is part of (every campaign for OPCC staff)", "operationId": "campaigns",
        "tags": ["campaigns"], "security": auth, "parameters": paging,
        "responses": {"200": ok(obj({"items": arr(ref("Campaign")), "total": I, "limit": I, "offset": I})),
                      "400": problem("limit or offset is not valid"), **signed}}},
    "/api/v1/campaigns/{slug}/evaluation": {"get": {
        "summary": "Every figure of the campaign's evaluation (the campaign report)", "operationId": "campaignEvaluation",
        "tags": ["campaigns"], "security": auth,
        "parameters": [param("slug", "the campaign", required=True, where="path"),
                       param("outcome", "`anti-social-behaviour` (default), `all-crime`, `harm` or a crime category slug"),
                       param("baseline", "`previous` (default: the months just before) or `last-year`")],
        "responses": {"200": ok(ref("Evaluation")), "400": problem("a parameter is not valid, or there is no police data to evaluate against"),
                      "404": problem("no such campaign, or the caller's organisation is not part of it"), **signed}}},
}

doc = {
    "openapi": "3.1.0",
    "info": {"title": "SaferStreets API", "version": "1",
             "description": "SaferStreets' own JSON API. Conventions: JSON with sorted keys; errors are `application/problem+json` "
                            "(RFC 9457) with `type`, `title`, `status` and `detail`; lists of campaigns page with `limit` and `offset` "
                            "and answer `{items, total, limit, offset}`; filters are query parameters named as in this document. "
                            "Authentication: a signed-in session cookie (POSTs also need the `X-CSRF-Token` header) or an "
                            "organisation's API token as `Authorization: Bearer sst_…`. The police.uk-compatible API is under "
                            "/api/ (data.police.uk's paths and shapes) and is described by police.uk's own documentation."},
    "servers": [{"url": "/"}],
    "tags": [{"name": "open data"}, {"name": "activity"}, {"name": "campaigns"}, {"name": "plan"}, {"name": "victims"}, {"name": "meta"}],
    "paths": paths,
    "components": {"schemas": schemas, "securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer", "description": "an organisation's API token, `sst_…`"},
        "session": {"type": "apiKey", "in": "cookie", "name": "__Host-saferstreets_session"}}},
}
out = Path(__file__).resolve().parent.parent / "Sources/App/Resources/openapi.json"
out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
print(f"wrote {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")
