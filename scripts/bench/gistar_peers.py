"""Gi* peers for BENCHMARKS.md: a vectorised numpy stencil and PySAL (libpysal weights +
esda G_Local), on the same 1,000 x 1,000 grid of counts as `saferstreets bench gistar`.

    python3 scripts/bench/gistar_peers.py make bench-data/gistar-1m.f64
    python3 scripts/bench/gistar_peers.py numpy bench-data/gistar-1m.f64 [repeats]
    python3 scripts/bench/gistar_peers.py esda bench-data/gistar-1m.f64
    python3 scripts/bench/gistar_peers.py compare bench-data/gistar-1m.f64 bench-data/gistar-1m-z.f64

The grid file is 1,000,000 little-endian float64 counts, row-major, made from a seeded
generator: Poisson background with a few hundred clusters. The band is 2 cells (13-cell
neighbourhood, the cell included), every cell in the study area.
Prints name<TAB>best seconds<TAB>detail.
"""
import math
import sys
import time

import numpy as np

COLUMNS = ROWS = 1000
OFFSETS = [(dx, dy) for dy in range(-2, 3) for dx in range(-2, 3) if dx * dx + dy * dy <= 4]
assert len(OFFSETS) == 13


def make(path):
    rng = np.random.default_rng(1000000)
    lam = np.full((ROWS, COLUMNS), 0.3)
    yy, xx = np.mgrid[0:ROWS, 0:COLUMNS]
    for _ in range(300):
        cy, cx, peak = rng.uniform(0, ROWS), rng.uniform(0, COLUMNS), rng.uniform(2, 20)
        y0, y1, x0, x1 = int(max(0, cy - 12)), int(min(ROWS, cy + 12)), int(max(0, cx - 12)), int(min(COLUMNS, cx + 12))
        lam[y0:y1, x0:x1] += peak * np.exp(-((yy[y0:y1, x0:x1] - cy) ** 2 + (xx[y0:y1, x0:x1] - cx) ** 2) / 8)
    rng.poisson(lam).astype("<f8").tofile(path)


def load(path):
    return np.fromfile(path, dtype="<f8").reshape(ROWS, COLUMNS)


def numpy_gistar(x):
    """Gi* z-scores, binary weights including the cell, edges counted as missing neighbours."""
    rows, cols = x.shape
    p = 2
    xp = np.pad(x, p)
    ones = np.pad(np.ones_like(x), p)
    s = np.zeros_like(x)
    w = np.zeros_like(x)
    for dx, dy in OFFSETS:
        s += xp[p + dy:p + dy + rows, p + dx:p + dx + cols]
        w += ones[p + dy:p + dy + rows, p + dx:p + dx + cols]
    n = x.size
    mean = x.mean()
    sd = math.sqrt((x * x).mean() - mean * mean)
    return (s - mean * w) / (sd * np.sqrt((n * w - w * w) / (n - 1)))


def best_of(fn, repeats):
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - start)
    return min(runs), out


def main():
    what, path = sys.argv[1], sys.argv[2]
    if what == "make":
        make(path)
        return
    x = load(path)
    if what == "numpy":
        repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 5
        t, _ = best_of(lambda: numpy_gistar(x), repeats)
        print(f"numpy-gistar\t{t:.4f}\t{x.size} cells, 13-cell stencil, numpy {np.__version__}")
    elif what == "esda":
        import esda
        import libpysal
        from esda.getisord import G_Local
        from libpysal.weights import DistanceBand

        coords = np.column_stack([(np.arange(x.size) % COLUMNS) + 0.5, (np.arange(x.size) // COLUMNS) + 0.5])
        start = time.perf_counter()
        w = DistanceBand(coords, threshold=2 * (1 + 1e-9), binary=True, silence_warnings=True)
        weights = time.perf_counter() - start
        start = time.perf_counter()
        g = G_Local(x.flatten(), w, transform="B", star=True, permutations=0)
        gi = time.perf_counter() - start
        diff = np.nanmax(np.abs(g.Zs - numpy_gistar(x).flatten()))
        print(f"esda-gistar\t{weights + gi:.2f}\tweights {weights:.2f} s + G_Local {gi:.2f} s; "
              f"esda {esda.__version__}, libpysal {libpysal.__version__}; max |z - numpy z| = {diff:.1e}")
    elif what == "compare":
        z = np.fromfile(sys.argv[3], dtype="<f8")
        diff = np.nanmax(np.abs(z - numpy_gistar(x).flatten()))
        print(f"saferstreets-vs-numpy\tmax |z difference| = {diff:.1e}")


main()
