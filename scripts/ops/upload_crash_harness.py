"""Kills the server with SIGKILL while it stores a batch sent over HTTP, then checks what is left.

Two batches, each all or nothing in one transaction:

  --what activities: a partner's 10,000-row patrol CSV through the upload form, on a copy of the
    demo database (made first with `saferstreets demo --no-serve` when missing). After a kill:
    the activities are the demo's, or the demo's and all 10,000 rows; `activity_totals` equals a
    recount (`saferstreets activities recount` on a copy).
  --what referrals: a police force's batch of 5,000 victims' referrals through
    `POST /api/v1/victim-referrals` (API token), on a new database with the accounts of
    scripts/bench/victims.sh. After a kill: 0 or 5,000 cases; `victim_case_counts` equals a
    recount.

For each point the server is started on a fresh copy, the batch sent, and the server killed
after a delay drawn uniformly over 2-125% of an unkilled batch's time (reading the body,
checking rows, the insert, the commit). Then also `PRAGMA integrity_check` is ok, and the
server starts again on the database and the same batch completes (referrals already stored
are recognised and left unchanged).

    python3 scripts/ops/upload_crash_harness.py --binary .build/debug/saferstreets --what activities --points 20
    python3 scripts/ops/upload_crash_harness.py --binary .build/debug/saferstreets --what referrals --points 20

SQLite. Exit 0 when every point passed.
"""
import argparse
import base64
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

DEMO = "demo/saferstreets-demo.sqlite"
KEYS = "demo/data-keys"
CAMPAIGN = "safer-norfolk-safer-streets-summer-initiative"
PARTNER = ("ranger@norwichbid.demo", "demo-bid-partner")
ROWS = 10_000


def csv_bytes():
    lines = ["date,time,area,location,campaign,hours,officers,visits,style,visibility"]
    for i in range(ROWS):
        lines.append(f"2025-{7 + i % 3:02d}-{1 + i % 28:02d},19:00,norwich-town-centre,Market Place,{CAMPAIGN},"
                     "1.5,2,3,high-visibility,shared")
    return ("\n".join(lines) + "\n").encode()


class Server:
    def __init__(self, binary, db, port, log, keys):
        env = dict(os.environ, SAFERSTREETS_DB=db, SAFERSTREETS_ENV="development", LOG_LEVEL="error",
                   SAFERSTREETS_DATA_KEYS_FILE=keys)
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen([binary, "serve", "--hostname", "127.0.0.1", "--port", str(port)],
                                     env=env, stdout=log, stderr=log)
        for _ in range(240):
            try:
                urllib.request.urlopen(self.url + "/ready", timeout=2)
                return
            except Exception:
                if self.proc.poll() is not None:
                    raise SystemExit("the server stopped while starting")
                time.sleep(0.25)
        raise SystemExit("the server did not become ready")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class Browser:
    def __init__(self, url):
        self.url = url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def csrf(self, path):
        page = self.opener.open(self.url + path, timeout=30).read().decode()
        return re.search(r'name="_csrf" value="([^"]*)"', page).group(1)

    def sign_in(self, email, password):
        token = self.csrf("/login")
        body = urllib.parse.urlencode({"_csrf": token, "email": email, "password": password}).encode()
        self.opener.open(self.url + "/login", body, timeout=30).read()

    def upload(self, data, timeout=300):
        token = self.csrf("/activities/upload")
        boundary = "----harness" + str(random.random())[2:]
        parts = []
        for name, value in (("_csrf", token), ("type", "patrol")):
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="patrols.csv"\r\n'
                     "Content-Type: text/csv\r\n\r\n".encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        request = urllib.request.Request(self.url + "/activities/upload", b"".join(parts),
                                         {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        with self.opener.open(request, timeout=timeout) as response:
            return response.geturl()


class Activities:
    """The demo database and a partner's 10,000-row CSV through the upload form."""
    rows = ROWS

    def __init__(self, binary, work):
        self.binary, self.keys = binary, os.path.abspath(KEYS)
        if not os.path.exists(DEMO):
            subprocess.run([binary, "demo", "--no-serve", "--log", "error"], check=True, stdout=subprocess.DEVNULL)
        with sqlite3.connect(DEMO) as c:
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.base = c.execute("SELECT COUNT(*) FROM activities").fetchone()[0]
        self.template, self.data = DEMO, csv_bytes()
        self.described = f"{ROWS:,}-row activity CSV upload (demo database: {self.base:,} activities)"

    def send(self, url):
        browser = Browser(url)
        browser.sign_in(*PARTNER)
        return lambda: "saved=10000" in browser.upload(self.data)

    def check(self, db):
        """(rows stored by the batch, mismatches against a recount, integrity)."""
        with sqlite3.connect(db) as c:
            added = c.execute("SELECT COUNT(*) FROM activities").fetchone()[0] - self.base
            integrity = c.execute("PRAGMA integrity_check").fetchone()[0]
        copy = db + ".recount.sqlite"
        with sqlite3.connect(db) as src, sqlite3.connect(copy) as dst:
            src.backup(dst)
        subprocess.run([self.binary, "activities", "recount", "--log", "error"], check=True,
                       stdout=subprocess.DEVNULL,
                       env=dict(os.environ, SAFERSTREETS_DB=copy, SAFERSTREETS_DATA_KEYS_FILE=self.keys))
        with sqlite3.connect(db) as c:
            c.execute("ATTACH ? AS r", (copy,))
            mismatches = c.execute(
                "SELECT (SELECT COUNT(*) FROM (SELECT * FROM main.activity_totals EXCEPT SELECT * FROM r.activity_totals))"
                " + (SELECT COUNT(*) FROM (SELECT * FROM r.activity_totals EXCEPT SELECT * FROM main.activity_totals))"
            ).fetchone()[0]
        os.remove(copy)
        return added, mismatches, integrity

    def after_retry(self, first):
        return first + ROWS


class Referrals:
    """A new database with a force, a victim service and the OPCC; 5,000 referrals by API token."""
    rows = 5_000

    def __init__(self, binary, work):
        self.binary = binary
        self.keys = os.path.join(work, "data-keys")
        with open(self.keys, "w") as f:
            f.write("harness=" + base64.b64encode(os.urandom(32)).decode() + "\n")
        self.template = os.path.join(work, "template.sqlite")
        env = dict(os.environ, SAFERSTREETS_DB=self.template, SAFERSTREETS_DATA_KEYS_FILE=self.keys)
        subprocess.run([binary, "migrate", "-y", "--log", "error"], check=True, env=env, stdout=subprocess.DEVNULL)
        for email, role, org, kind in (("pc@police.harness", "partner-admin", "Harness Constabulary", "police"),
                                       ("worker@care.harness", "partner-user", "Harness Victim Care", "victim-service"),
                                       ("analyst@opcc.harness", "opcc-staff", "Harness OPCC", "opcc")):
            subprocess.run([binary, "users", "create", "--email", email, "--name", email, "--role", role,
                            "--organisation", org, "--kind", kind, "--password-stdin", "--log", "error"],
                           input=b"harness-victims-password\n", check=True, env=env, stdout=subprocess.DEVNULL)
        self.token = subprocess.run([binary, "users", "token", "--email", "pc@police.harness", "--name", "harness",
                                     "--log", "error"], check=True, env=env, capture_output=True,
                                    text=True).stdout.strip()
        with sqlite3.connect(self.template) as c:
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        items = [{"reference": f"H-{n}", "crime_reference": f"36/{n}/26", "crime_type": "burglary",
                  "reported_on": time.strftime("%Y-%m-%d"), "name": f"Harness Person {n}",
                  "phone": f"07700 900{n % 1000:03d}", "email": f"harness{n}@example.org", "age_band": "25-34",
                  "enhanced": ["intimidated"] if n % 9 == 0 else [], "consent": "not-declined"}
                 for n in range(self.rows)]
        self.data = json.dumps({"referrals": items}).encode()
        self.described = f"batch of {self.rows:,} victims' referrals (new database)"

    def send(self, url):
        request = urllib.request.Request(url + "/api/v1/victim-referrals", self.data,
                                         {"Authorization": f"Bearer {self.token}",
                                          "Content-Type": "application/json"})

        def go():
            with urllib.request.urlopen(request, timeout=300) as response:
                saved = json.load(response)
                return saved["created"] + saved["duplicates"] + saved["unchanged"] == self.rows
        return go

    def check(self, db):
        with sqlite3.connect(db) as c:
            added = c.execute("SELECT COUNT(*) FROM victim_cases").fetchone()[0]
            integrity = c.execute("PRAGMA integrity_check").fetchone()[0]
            recount = """SELECT organisation_id, COALESCE(assigned_to, 0), status, COUNT(*) FROM victim_cases
                         GROUP BY organisation_id, COALESCE(assigned_to, 0), status"""
            stored = "SELECT organisation_id, assignee, status, n FROM victim_case_counts WHERE n <> 0"
            mismatches = c.execute(f"SELECT (SELECT COUNT(*) FROM ({stored} EXCEPT {recount})) + "
                                   f"(SELECT COUNT(*) FROM ({recount} EXCEPT {stored}))").fetchone()[0]
        return added, mismatches, integrity

    def after_retry(self, first):
        return self.rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=".build/debug/saferstreets")
    ap.add_argument("--what", choices=["activities", "referrals"], default="activities")
    ap.add_argument("--points", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--port", type=int, default=18391)
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    work = tempfile.mkdtemp(prefix="upload-crash-")
    rng = random.Random(args.seed)
    log = open(os.path.join(work, "server.log"), "ab")
    try:
        scenario = (Activities if args.what == "activities" else Referrals)(binary, work)

        def start(db):
            return Server(binary, db, args.port, log, scenario.keys)
        # An unkilled batch: how long the window is.
        db = os.path.join(work, "unkilled.sqlite")
        shutil.copy(scenario.template, db)
        server = start(db)
        send = scenario.send(server.url)
        started = time.monotonic()
        answered = send()
        window = time.monotonic() - started
        server.stop()
        added, mismatches, integrity = scenario.check(db)
        if not answered or added != scenario.rows or mismatches or integrity != "ok":
            raise SystemExit(f"the unkilled batch was not stored: {added} rows, {mismatches} mismatches")
        print(f"unkilled {scenario.described}: {window:.2f} s")
        failures, committed = 0, 0
        for point in range(args.points):
            db = os.path.join(work, f"point-{point}.sqlite")
            shutil.copy(scenario.template, db)
            server = start(db)
            send = scenario.send(server.url)
            delay = rng.uniform(0.02, 1.25) * window
            thread = threading.Thread(target=lambda: _quietly(send), daemon=True)
            thread.start()
            time.sleep(delay)
            server.kill()
            thread.join(timeout=30)
            added, mismatches, integrity = scenario.check(db)
            whole = added in (0, scenario.rows)
            committed += 1 if added == scenario.rows else 0
            # Started again: the same batch completes.
            server = start(db)
            answered = scenario.send(server.url)()
            server.stop()
            again, mismatches_after, _ = scenario.check(db)
            ok = (whole and mismatches == 0 and integrity == "ok" and answered and mismatches_after == 0
                  and again == scenario.after_retry(added))
            failures += 0 if ok else 1
            print(f"point {point + 1}: killed {delay:.2f} s in ({delay / window:.0%}): {added:,} rows stored, "
                  f"counts {'=' if mismatches == 0 else '!='} recount, integrity {integrity}; "
                  f"the batch again: {again:,} rows -> {'ok' if ok else 'FAILED'}")
            os.remove(db)
        print(f"{args.points - failures} of {args.points} points passed "
              f"(killed {args.points - committed} times before the commit, {committed} after)")
        sys.exit(1 if failures else 0)
    finally:
        log.close()
        shutil.rmtree(work, ignore_errors=True)


def _quietly(f, *args):
    try:
        f(*args)
    except Exception:
        pass  # the server was killed under the request


if __name__ == "__main__":
    main()
