"""Country outlines shipped with the project, prepared once per process for plotting.

Maps are drawn as filled shapes on plain Plotly axes (longitude, latitude) so
nothing is fetched at view time: Plotly's `geo` base maps load their outlines
from a CDN, tile maps load tiles from the internet.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
from shapely.geometry import MultiPolygon, Polygon

OUTLINES_PATH = Path(__file__).resolve().parents[1] / "data" / "geo" / "caribbean_50m.geojson"
# Plot window (lon, lat): the 16 countries with a little sea around them; the map widens it where a
# label needs room. The aspect keeps shapes true at the region's mid latitude.
X_RANGE = (-92.0, -53.0)
Y_RANGE = (1.5, 27.5)
ASPECT = 1 / math.cos(math.radians(15))

# Small states whose outlines are a few pixels wide (and Trinidad and Tobago beside them): the map marks
# them with a symbol and lists them, north to south as they lie, in a column beside it.
LISTED_ISO3 = ("KNA", "ATG", "MSR", "DMA", "LCA", "BRB", "VCT", "GRD", "TTO")

# Where each labelled country's label sits beside its symbol, chosen so that neighbours' labels do not collide.
LABEL_POSITION = {"BLZ": "bottom center", "JAM": "bottom center", "HTI": "top left", "DOM": "top right",
                  "GUY": "bottom center", "SUR": "middle right", "BHS": "middle right"}
SHORT_NAMES = {"ATG": "Antigua & Barbuda", "KNA": "St Kitts & Nevis", "VCT": "St Vincent & Gren.",
               "TTO": "Trinidad & Tobago", "DOM": "Dominican Rep.", "LCA": "Saint Lucia"}

# Equal-size tile map: (column, row) with row 0 at the top, laid out roughly as the countries lie.
TILE_GRID = {
    "BHS": (1, 0), "KNA": (4, 0), "ATG": (5, 0),
    "BLZ": (0, 1), "JAM": (1, 1), "HTI": (2, 1), "DOM": (3, 1), "MSR": (4, 1), "DMA": (5, 1),
    "VCT": (3, 2), "LCA": (4, 2), "BRB": (5, 2),
    "GUY": (1, 3), "SUR": (2, 3), "TTO": (3, 3), "GRD": (4, 3),
}
TILE_COLUMNS, TILE_ROWS = 6, 4


@dataclass(frozen=True)
class Path2D:
    xs: tuple[float | None, ...]
    ys: tuple[float | None, ...]


def _rings(geometry) -> list[Polygon]:
    return list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]


def _path(geometry) -> Path2D:
    """Exterior rings joined with None gaps (Plotly closes each segment with fill='toself')."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for polygon in _rings(geometry):
        x, y = polygon.exterior.coords.xy
        xs += list(x) + [None]
        ys += list(y) + [None]
    return Path2D(tuple(xs), tuple(ys))


@functools.lru_cache(maxsize=1)
def outlines() -> tuple[dict[str, Path2D], Path2D]:
    """(paths of the 16 countries by iso3, one path of all grey context countries)."""
    frame = gpd.read_file(OUTLINES_PATH)
    focus = {row.iso3: _path(row.geometry) for row in frame[frame["is_focus"]].itertuples()}
    context_geoms = [g for g in frame.loc[~frame["is_focus"], "geometry"]]
    context = MultiPolygon([p for g in context_geoms for p in _rings(g)])
    return focus, _path(context)


def short_name(iso3: str, name: str) -> str:
    """The name a crowded label uses ('St Vincent & Gren.'); the full name elsewhere."""
    return SHORT_NAMES.get(iso3, name)
