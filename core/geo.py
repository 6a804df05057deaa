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
# Plot window (lon, lat) and the aspect that keeps shapes true at the region's mid latitude.
X_RANGE = (-92.0, -44.0)
Y_RANGE = (1.5, 27.5)
ASPECT = 1 / math.cos(math.radians(15))

# Small states whose outlines are a few pixels wide: their symbol is drawn in a column over the
# Atlantic, joined to the island by a leader line, north to south as they lie.
CALLOUT_X = -57.0
CALLOUT_ISO3 = ("KNA", "ATG", "MSR", "DMA", "LCA", "BRB", "VCT", "GRD")
CALLOUT_Y_TOP, CALLOUT_Y_STEP = 20.0, 1.2

# Where each label sits beside its symbol, chosen so that neighbours' labels do not collide.
LABEL_POSITION = {"BLZ": "bottom right", "JAM": "bottom center", "HTI": "top left", "DOM": "top right",
                  "GUY": "middle left", "BHS": "middle right"}
SHORT_NAMES = {"ATG": "Antigua & Barbuda", "KNA": "St Kitts & Nevis", "VCT": "St Vincent & Gren.",
               "TTO": "Trinidad & Tobago", "DOM": "Dominican Rep.", "LCA": "Saint Lucia"}

# Equal-size tile map: (column, row) with row 0 at the top, laid out roughly as the countries lie.
TILE_GRID = {
    "BHS": (3, 0),
    "BLZ": (0, 1), "JAM": (2, 1), "HTI": (3, 1), "DOM": (4, 1), "KNA": (6, 1), "ATG": (7, 1),
    "MSR": (6, 2), "DMA": (7, 2),
    "LCA": (7, 3), "BRB": (8, 3),
    "VCT": (7, 4),
    "GRD": (6, 5),
    "TTO": (6, 6),
    "GUY": (6, 7), "SUR": (7, 7),
}


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


def callout_positions() -> dict[str, tuple[float, float]]:
    return {iso3: (CALLOUT_X, CALLOUT_Y_TOP - i * CALLOUT_Y_STEP) for i, iso3 in enumerate(CALLOUT_ISO3)}
