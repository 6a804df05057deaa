"""Curate rows from the public reference data sets into data/curated/.

    python scripts/curate_reference.py [PATH/TO/shared/reference]

- homicide_rates.csv: every country-year of the 16 countries in
  `homicide-rate-unodc.csv` (UNODC via Our World in Data), source `owid_unodc_homicide`;
- homicide_benchmarks.csv: its "World" and "Latin America and the Caribbean (UN)" series;
- countries.csv: lat/lon of each country, a point inside its Natural Earth outline.

Rows from other sources (figures quoted in the documents) are kept as they are.
The reference files themselves are never committed.
"""
from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CURATED = ROOT / "data" / "curated"
OUTLINES = ROOT / "data" / "geo" / "caribbean_50m.geojson"
SOURCE_ID = "owid_unodc_homicide"
VALUE_COL = "Homicide rate per 100,000 population"
EDITION = "homicide-rate-unodc.csv, edition covering 1990-2023"
BENCHMARK_AREAS = {"World": "World", "Latin America and the Caribbean (UN)": "Latin America and the Caribbean"}


def _replace_rows(path: Path, new_rows: pd.DataFrame, key: list[str]) -> int:
    current = pd.read_csv(path, dtype=str, keep_default_na=False)
    kept = current[current["source_id"] != SOURCE_ID]
    combined = pd.concat([kept, new_rows.astype(str)], ignore_index=True)[current.columns]
    combined = combined.sort_values(key, kind="stable")
    combined.to_csv(path, index=False, lineterminator="\n")
    return len(new_rows)


def curate_homicide(reference_dir: Path) -> None:
    countries = pd.read_csv(CURATED / "countries.csv", dtype=str)
    ref = pd.read_csv(reference_dir / "homicide-rate-unodc.csv")
    rates = ref[ref["Code"].isin(countries["iso3"])]
    rows = pd.DataFrame({
        "iso3": rates["Code"], "year": rates["Year"], "rate_per_100k": rates[VALUE_COL].round(4),
        "source_id": SOURCE_ID, "source_ref": EDITION + ", entity " + rates["Entity"], "note": "",
    })
    n = _replace_rows(CURATED / "homicide_rates.csv", rows, ["iso3", "year", "source_id"])
    bench = ref[ref["Entity"].isin(BENCHMARK_AREAS)]
    rows = pd.DataFrame({
        "area": bench["Entity"].map(BENCHMARK_AREAS), "year": bench["Year"],
        "rate_per_100k": bench[VALUE_COL].round(4), "source_id": SOURCE_ID,
        "source_ref": EDITION + ", entity " + bench["Entity"], "note": "",
    })
    m = _replace_rows(CURATED / "homicide_benchmarks.csv", rows, ["area", "year", "source_id"])
    print(f"homicide_rates: {n} reference rows; homicide_benchmarks: {m} reference rows")


def curate_country_points() -> None:
    outlines = gpd.read_file(OUTLINES).query("is_focus")
    # The largest polygon's representative point: inside the land, not in the sea between islands.
    biggest = outlines.explode(index_parts=False)
    biggest = biggest.assign(area=biggest.geometry.area).sort_values("area").groupby("iso3").tail(1)
    points = biggest.set_index("iso3").geometry.representative_point()
    countries = pd.read_csv(CURATED / "countries.csv", dtype=str, keep_default_na=False)
    countries["lat"] = countries["iso3"].map(points.y.round(3)).astype(str)
    countries["lon"] = countries["iso3"].map(points.x.round(3)).astype(str)
    countries.to_csv(CURATED / "countries.csv", index=False, lineterminator="\n")
    print(f"countries: {len(countries)} points from {OUTLINES.name}")


if __name__ == "__main__":
    reference = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "reference"
    curate_country_points()
    curate_homicide(reference)
