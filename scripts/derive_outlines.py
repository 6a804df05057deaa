"""Derive the shipped country outlines from Natural Earth 1:50m (npm `world-atlas`).

Usage:
    python scripts/derive_outlines.py [PATH/TO/countries-50m.json]

Without a path the script fetches `world-atlas@2.0.2` with `npm pack` (the npm
registry is the only network use, and only here, never at view time). It writes
`data/geo/caribbean_50m.geojson`: the 16 dashboard countries plus grey context
(Venezuela, Colombia, Cuba, Puerto Rico, Central America, ...), clipped to the
Caribbean, lightly simplified and rounded so the file stays small.
Natural Earth is public domain; world-atlas is ISC-licensed.
"""
from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import warnings

import geopandas as gpd
from shapely.geometry import box

WORLD_ATLAS = "world-atlas@2.0.2"
OUT = Path(__file__).resolve().parents[1] / "data" / "geo" / "caribbean_50m.geojson"
# Clip window (lon/lat): Yucatan and Florida Straits to French Guiana and the Orinoco.
BBOX = (-92.5, 1.0, -51.0, 28.5)
SIMPLIFY_DEG = 0.005  # about 500 m: below a pixel at full-screen zoom on the region
MIN_CONTEXT_AREA = 0.002  # square degrees; drops specks of context countries only

# ISO 3166-1 numeric (Natural Earth / world-atlas ids) -> ISO3 for the 16 countries.
FOCUS = {
    "028": "ATG", "044": "BHS", "052": "BRB", "084": "BLZ", "212": "DMA", "214": "DOM",
    "308": "GRD", "328": "GUY", "332": "HTI", "388": "JAM", "500": "MSR", "659": "KNA",
    "662": "LCA", "670": "VCT", "740": "SUR", "780": "TTO",
}


def fetch_topojson() -> Path:
    tmp = Path(tempfile.mkdtemp())
    subprocess.run(["npm", "pack", WORLD_ATLAS, "--silent"], cwd=tmp, check=True)
    with tarfile.open(next(tmp.glob("world-atlas-*.tgz"))) as tar:
        tar.extract("package/countries-50m.json", tmp, filter="data")
    return tmp / "package" / "countries-50m.json"


def derive(topojson_path: Path) -> gpd.GeoDataFrame:
    world = gpd.read_file(topojson_path, layer="countries").set_crs(4326)
    region = world.clip(box(*BBOX))
    region = region[~region.geometry.is_empty].copy()
    region["iso3"] = region["id"].map(FOCUS)
    region["is_focus"] = region["iso3"].notna()
    region["iso3"] = region["iso3"].fillna("")
    exploded = region.explode(index_parts=False)
    with warnings.catch_warnings():  # areas in square degrees are what MIN_CONTEXT_AREA means
        warnings.simplefilter("ignore", UserWarning)
        keep = exploded["is_focus"] | (exploded.geometry.area >= MIN_CONTEXT_AREA)
    region = exploded[keep].dissolve(by=["id", "name", "iso3", "is_focus"], as_index=False)
    # preserve_topology keeps every small island of the focus countries as a polygon.
    region["geometry"] = region.geometry.simplify(SIMPLIFY_DEG, preserve_topology=True)
    missing = set(FOCUS.values()) - set(region["iso3"])
    if missing:
        raise SystemExit(f"outlines missing for {sorted(missing)}")
    return region[["iso3", "name", "is_focus", "geometry"]].sort_values(["is_focus", "name"])


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else fetch_topojson()
    outlines = derive(src)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    outlines.to_file(OUT, driver="GeoJSON", COORDINATE_PRECISION=3, RFC7946="YES")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KiB, {len(outlines)} shapes, "
          f"{int(outlines.is_focus.sum())} focus countries)")


if __name__ == "__main__":
    main()
