"""Kill `saferstreets import` with SIGKILL at random moments and check what it leaves.

For each point: a new database (a copy of a migrated, empty one), an import of three
police.uk street files (one month each; each month's rows split between two forces in
alternating blocks of 5,000, so that every file makes two slices and returns to each, and
PostgreSQL copies them through its two connections with a two-phase commit) started and killed after a random delay drawn
across the whole run (parsing, writing, the commit of each file, the bookkeeping after),
then, in the database the killed process left:

  - each file is there whole or not at all (both of its slices hold the rows of an import
    that was not killed, or neither has any), and each slice's recorded row count equals
    its rows;
  - PostgreSQL: no prepared transaction is left once the next import has started;
  - the aggregates (counts_by_force, counts_by_lsoa, counts_by_lsoa_year, counts_by_district) equal a recount
    of the incidents;
  - SQLite: `PRAGMA integrity_check` says ok;
  - the import run again completes, and the database then equals the unkilled one.

    python3 scripts/ops/crash_harness.py --binary .build/debug/saferstreets --points 10 --seed 1
    python3 scripts/ops/crash_harness.py --binary ... --postgres postgres://user@host:5432/postgres --points 10

The PostgreSQL form makes one database per point (and drops it) through `psql`, with the
URL given as the administrative connection. Exit status 0 when every point passed.
"""
import argparse
import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

FIXTURE = "Tests/AppTests/Fixtures/2016-07-west-yorkshire-street.csv"


def make_files(folder, copies):
    """Three street files, months 2015-01..03, `copies` × 27,176 rows each: blocks of 5,000
    rows fall within West Yorkshire and North Yorkshire by turns (two slices a file)."""
    import csv
    with open(FIXTURE, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    paths = []
    for k in range(3):
        month = f"2015-{k + 1:02d}"
        rng = random.Random(k)
        path = os.path.join(folder, f"{month}-west-yorkshire-street.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            for c in range(copies):
                for i, r in enumerate(rows):
                    r = list(r)
                    if (i // 5000) % 2 == 1:
                        r[3] = "North Yorkshire Police"
                    if r[0]:
                        r[0] = hashlib.sha256(f"{r[0]}:{k}:{c}".encode()).hexdigest()
                    r[1] = month
                    if r[4] and r[5]:
                        r[4] = f"{float(r[4]) + rng.uniform(-0.0005, 0.0005):.6f}"
                        r[5] = f"{float(r[5]) + rng.uniform(-0.0005, 0.0005):.6f}"
                    w.writerow(r)
        paths.append(path)
    return paths


class SQLiteTarget:
    name = "SQLite"

    def __init__(self, work):
        self.work = work
        self.template = os.path.join(work, "template.sqlite")

    def env(self, db):
        return {"SAFERSTREETS_DB": db}

    def new(self, label):
        path = os.path.join(self.work, f"{label}.sqlite")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        if os.path.exists(self.template):
            shutil.copyfile(self.template, path)
        return path

    def freeze_template(self, db):
        con = sqlite3.connect(db)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        shutil.copyfile(db, self.template)

    def query(self, db, sql):
        con = sqlite3.connect(db, timeout=30)
        try:
            return [tuple(r) for r in con.execute(sql).fetchall()]
        finally:
            con.close()

    def integrity(self, db):
        return self.query(db, "PRAGMA integrity_check")[0][0]

    def drop(self, db):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)


class PostgresTarget:
    name = "PostgreSQL"

    def __init__(self, admin):
        self.admin = admin
        self.template = None

    def url(self, name):
        parts = urlsplit(self.admin)
        return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))

    def psql(self, url, sql):
        out = subprocess.run(["psql", "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", url.split("?")[0],
                              "-c", sql], capture_output=True, text=True, check=True,
                             env={**os.environ, "PGSSLMODE": "disable"})
        return [tuple(line.split("\t")) for line in out.stdout.splitlines() if line]

    def env(self, db):
        return {"DATABASE_URL": self.url(db)}

    def new(self, label):
        name = f"crash_{label}_{os.getpid()}"
        self.psql(self.admin, f"DROP DATABASE IF EXISTS {name}")
        template = f" TEMPLATE {self.template}" if self.template else ""
        self.psql(self.admin, f"CREATE DATABASE {name}{template}")
        return name

    def freeze_template(self, db):
        self.template = f"crash_template_{os.getpid()}"
        self.psql(self.admin, f"DROP DATABASE IF EXISTS {self.template}")
        self.psql(self.admin, f"CREATE DATABASE {self.template} TEMPLATE {db}")

    def query(self, db, sql):
        return self.psql(self.url(db), sql)

    def integrity(self, db):
        return "ok"

    def drop(self, db):
        self.psql(self.admin, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")

    def close(self):
        if self.template:
            self.psql(self.admin, f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)")


def state(target, db):
    """What the checks compare: slices and their rows, aggregate mismatches, integrity."""
    slices = target.query(db, """
        SELECT s.force_id, s.month, s.row_count, (SELECT COUNT(*) FROM incidents i WHERE i.slice_id = s.id)
        FROM data_slices s WHERE s.kind = 'street' ORDER BY s.month, s.force_id""")
    slices = {(f, int(m)): (int(recorded), int(counted)) for f, m, recorded, counted in slices}
    recount_force = """
        SELECT s.force_id, i.month, i.category_id, COUNT(*) FROM incidents i JOIN data_slices s ON s.id = i.slice_id
        GROUP BY s.force_id, i.month, i.category_id"""
    stored_force = "SELECT force_id, month, category_id, count FROM counts_by_force WHERE count <> 0"
    # Rows are counted through their slices, as every reader of the app reads them: on
    # PostgreSQL a kill between the two COMMIT PREPAREDs leaves, until the next import, the
    # rows of slices that do not exist yet (counted apart, below).
    recount_lsoa = """
        SELECT i.lsoa_code, i.month, i.category_id, COUNT(*) FROM incidents i JOIN data_slices s ON s.id = i.slice_id
        GROUP BY i.lsoa_code, i.month, i.category_id"""
    stored_lsoa = "SELECT lsoa_code, month, category_id, count FROM counts_by_lsoa WHERE count <> 0"
    recount_district = """
        SELECT l.lad_code, i.month, i.category_id, COUNT(*) FROM incidents i JOIN lsoas l ON l.code = i.lsoa_code
        JOIN data_slices s ON s.id = i.slice_id GROUP BY l.lad_code, i.month, i.category_id"""
    stored_district = "SELECT lad_code, month, category_id, count FROM counts_by_district WHERE count <> 0"
    recount_year = """
        SELECT i.lsoa_code, i.month / 100, i.category_id, COUNT(*) FROM incidents i JOIN data_slices s ON s.id = i.slice_id
        GROUP BY i.lsoa_code, i.month / 100, i.category_id"""
    stored_year = "SELECT lsoa_code, year, category_id, count FROM counts_by_lsoa_year WHERE count <> 0"
    mismatches = 0
    for stored, recount in ((stored_force, recount_force), (stored_lsoa, recount_lsoa),
                            (stored_district, recount_district), (stored_year, recount_year)):
        a = set(target.query(db, stored))
        b = set(target.query(db, recount))
        norm = lambda rows: {tuple(str(v) for v in r) for r in rows}
        mismatches += len(norm(a) ^ norm(b))
    orphans = int(target.query(db, """
        SELECT COUNT(*) FROM incidents i WHERE NOT EXISTS (SELECT 1 FROM data_slices s WHERE s.id = i.slice_id)""")[0][0])
    return slices, mismatches, (target.integrity(db), orphans)


def run_import(binary, env, files, kill_after=None):
    started = time.monotonic()
    proc = subprocess.Popen([binary, "import", *files], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    if kill_after is None:
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"the import failed ({proc.returncode}): {err[-2000:]}")
        return time.monotonic() - started, False
    try:
        proc.wait(timeout=kill_after)
        return time.monotonic() - started, False  # ended before the kill
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return time.monotonic() - started, True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=".build/debug/saferstreets")
    ap.add_argument("--points", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--copies", type=int, default=3, help="27,176-row copies in each of the three files")
    ap.add_argument("--postgres", help="administrative PostgreSQL URL; SQLite when absent")
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    work = tempfile.mkdtemp(prefix="saferstreets-crash-")
    target = PostgresTarget(args.postgres) if args.postgres else SQLiteTarget(work)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("SAFERSTREETS_") and k != "DATABASE_URL"}
    base_env["SAFERSTREETS_RESOURCES"] = os.getcwd()
    failures = 0
    try:
        files = make_files(work, args.copies)
        # A migrated, empty database to start each point from: migrating is not what is tested.
        empty = target.new("empty")
        subprocess.run([binary, "migrate"], env={**base_env, **target.env(empty)}, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        target.freeze_template(empty)
        target.drop(empty)

        full = target.new("full")
        seconds, _ = run_import(binary, {**base_env, **target.env(full)}, files)
        expected, mismatches, integrity = state(target, full)
        target.drop(full)
        if mismatches or integrity != ("ok", 0) or len(expected) != 6:
            raise SystemExit(f"the unkilled import is not consistent: {expected} {mismatches} {integrity}")
        print(f"{target.name}: unkilled import of 3 files, {sum(c for _, c in expected.values()):,} rows, "
              f"{seconds:.1f} s; killing at {args.points} random points", flush=True)
        rng = random.Random(args.seed)
        for point in range(args.points):
            delay = rng.uniform(0.02, 1.05) * seconds
            db = target.new(f"p{point}")
            env = {**base_env, **target.env(db)}
            elapsed, killed = run_import(binary, env, files, kill_after=delay)
            slices, mismatches, integrity = state(target, db)
            problems = []
            holds = {key: counted for key, (_, counted) in slices.items()}
            months = sorted({m for _, m in expected})
            whole = [m for m in months if all(holds.get(k, 0) == expected[k][1] for k in expected if k[1] == m)]
            for key, (recorded, counted) in slices.items():
                if recorded != counted:
                    problems.append(f"slice {key}: recorded {recorded}, holds {counted}")
            for m in months:
                if m not in whole and any(holds.get(k, 0) for k in expected if k[1] == m):
                    problems.append(f"month {m}: {[holds.get(k, 0) for k in expected if k[1] == m]} rows "
                                    f"of {[expected[k][1] for k in expected if k[1] == m]} (a partial file)")
            if mismatches:
                problems.append(f"{mismatches} aggregate rows differ from a recount")
            if integrity[0] != "ok":
                problems.append(f"integrity_check: {integrity[0]}")
            prepared = (target.query(db, "SELECT COUNT(*) FROM pg_prepared_xacts WHERE database = current_database()")[0][0]
                        if isinstance(target, PostgresTarget) else 0)
            if integrity[1] and not int(prepared):
                problems.append(f"{integrity[1]} rows outside any slice, with no commit under way")
            note = f" ({integrity[1]:,} rows of a commit under way)" if integrity[1] else ""
            run_import(binary, env, files)
            after, mismatches_after, integrity_after = state(target, db)
            if isinstance(target, PostgresTarget):
                left = target.query(db, "SELECT gid FROM pg_prepared_xacts WHERE database = current_database()")
                if left:
                    problems.append(f"prepared transactions left: {left}")
            if after != expected or mismatches_after or integrity_after != ("ok", 0):
                problems.append(f"the next import did not complete the data: {after} vs {expected}")
            target.drop(db)
            verdict = "ok" if not problems else "FAILED: " + "; ".join(problems)
            print(f"  point {point + 1:2d}: {'killed' if killed else 'ended by itself'} after {elapsed:5.2f} s, "
                  f"{len(whole)} of 3 files whole before the rerun{note}: {verdict}", flush=True)
            failures += bool(problems)
    finally:
        if isinstance(target, PostgresTarget):
            target.close()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{target.name}: {args.points - failures} of {args.points} points passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
