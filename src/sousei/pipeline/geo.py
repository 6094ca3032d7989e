"""GeoJSON helpers for the boundary tables (core_geo__*): FeatureCollections for maps, centroids, bounding boxes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

GEOMETRY_COLUMN = "geometry_geojson"


def feature_collection(
    rows: Iterable[Mapping[str, Any]], *, id_column: str = "muni_code", geometry_column: str = GEOMETRY_COLUMN
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection from rows of a core_geo__* table (dicts, e.g. polars `.rows(named=True)`).

    Each feature's `id` is the row's `id_column` (also kept in its properties, for Plotly's `featureidkey`); every
    other column except the geometry becomes a property.
    """
    features = []
    for row in rows:
        geometry = row[geometry_column]
        if isinstance(geometry, str):
            geometry = json.loads(geometry)
        props = {k: v for k, v in row.items() if k != geometry_column}
        features.append({"type": "Feature", "id": row[id_column], "properties": props, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


def _polygons(geometry: Mapping[str, Any]) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    raise ValueError(f"geometry type {geometry['type']!r}, expected Polygon or MultiPolygon")


def _ring_moments(ring: list[list[float]]) -> tuple[float, float, float]:
    """Signed area and first moments (shoelace) of a closed ring in planar lon/lat."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring[:-1], ring[1:], strict=True):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return a / 2.0, cx / 6.0, cy / 6.0


def centroid(geometry: Mapping[str, Any] | str) -> tuple[float, float]:
    """Area-weighted centroid (lon, lat) of a Polygon/MultiPolygon, holes subtracted (planar in degrees: fine for
    placing labels and checking positions, not for exact geodesy)."""
    geom = json.loads(geometry) if isinstance(geometry, str) else geometry
    area = mx = my = 0.0
    for polygon in _polygons(geom):
        for i, ring in enumerate(polygon):
            a, cx, cy = _ring_moments(ring)
            # Orientation-independent: the exterior adds, holes subtract.
            sign = 1.0 if (i == 0) == (a >= 0) else -1.0
            area += sign * a
            mx += sign * cx
            my += sign * cy
    if area == 0:
        raise ValueError("geometry has zero area")
    return mx / area, my / area


def bbox(geometry: Mapping[str, Any] | str) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) of a Polygon/MultiPolygon."""
    geom = json.loads(geometry) if isinstance(geometry, str) else geometry
    xs = [p[0] for polygon in _polygons(geom) for ring in polygon for p in ring]
    ys = [p[1] for polygon in _polygons(geom) for ring in polygon for p in ring]
    return min(xs), min(ys), max(xs), max(ys)
