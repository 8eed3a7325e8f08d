"""Peer timings for BENCHMARKS.md, measured on the same file in the same run.

DuckDB (from PyPI) on 2 threads:
  aggregate: SELECT "LSOA code", "Month", "Crime type", count(*) FROM read_csv(...) GROUP BY ALL
  load:      CREATE TABLE street AS SELECT * FROM read_csv(...) into a new DuckDB file

    python3 scripts/bench/peers.py bench-data/street-5m.csv [repeats] [only]
(`only` = duckdb-load or duckdb-aggregate runs that one alone.)
Prints one line per measurement: name<TAB>best seconds<TAB>all runs.
"""
import os
import sys
import tempfile
import time

import duckdb

path = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
only = sys.argv[3] if len(sys.argv) > 3 else None


def timed(fn):
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return runs


def aggregate():
    con = duckdb.connect()
    con.execute("SET threads = 2")
    rows = con.execute(
        f"""SELECT "LSOA code", "Month", "Crime type", count(*) FROM read_csv('{path}', header = true)
            GROUP BY ALL"""
    ).fetchall()
    assert len(rows) > 1000
    con.close()


def load():
    with tempfile.TemporaryDirectory() as d:
        con = duckdb.connect(os.path.join(d, "bench.duckdb"))
        con.execute("SET threads = 2")
        con.execute(f"CREATE TABLE street AS SELECT * FROM read_csv('{path}', header = true)")
        con.execute("CHECKPOINT")
        con.close()


for name, fn in [("duckdb-aggregate", aggregate), ("duckdb-load", load)]:
    if only and name != only:
        continue
    runs = timed(fn)
    print(f"{name}\t{min(runs):.3f}\t{' '.join(f'{r:.3f}' for r in runs)}", flush=True)
