"""Municipal outlines for the map, simplified and quantised as TopoJSON (decoded in app.js for Plotly).

The warehouse keeps the outlines at survey detail (4.6 MB of GeoJSON, 1.1 MB with brotli); the map shows all of
Japan or one prefecture in a few hundred pixels. Each ring is simplified (Douglas–Peucker, `TOLERANCE` degrees) and
quantised onto a `QUANTISATION`-step grid, then written as a TopoJSON Topology whose arcs are the rings, delta-encoded
(rings are not shared between neighbours; at the displayed scale the independent simplification does not show).
Every municipality keeps at least its largest ring. Computed once, in a thread started with the app.
"""

from __future__ import annotations

import gzip
import json
import threading
from typing import Annotated, Any

import brotli
import numpy as np
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from sousei.query import Warehouse
from sousei.web.responses import encoded

TOLERANCE = 0.004  # degrees (~400 m): below one pixel of a 560-pixel map of a prefecture
QUANTISATION = 100_000  # grid steps across the bounding box of Japan (~0.0003°)


def douglas_peucker(points: np.ndarray, tolerance: float) -> np.ndarray:
    """The points of a ring (first = last) kept by Douglas–Peucker at `tolerance` (iterative, no recursion)."""
    n = len(points)
    if n <= 4:
        return points
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    # A closed ring: split at the point farthest from the first, so that the chord is not of zero length.
    far = int(np.argmax(((points - points[0]) ** 2).sum(axis=1)))
    keep[far] = True
    stack = [(0, far), (far, n - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        seg = points[b] - points[a]
        rel = points[a + 1 : b] - points[a]
        norm = float(np.hypot(*seg))
        if norm == 0.0:
            d = np.hypot(rel[:, 0], rel[:, 1])
        else:
            d = np.abs(seg[0] * rel[:, 1] - seg[1] * rel[:, 0]) / norm
        i = int(np.argmax(d))
        if d[i] > tolerance:
            m = a + 1 + i
            keep[m] = True
            stack += [(a, m), (m, b)]
    return points[keep]


def _ring_area(q: np.ndarray) -> float:
    x, y = q[:, 0].astype(float), q[:, 1].astype(float)
    return abs(float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))) / 2


def topology(geojson: bytes, tolerance: float = TOLERANCE, quantisation: int = QUANTISATION) -> bytes:
    """A TopoJSON Topology (object `municipalities`, properties muni_code, name, pref_code) of a FeatureCollection."""
    fc = json.loads(geojson)
    polygons_of = []
    lo = np.array([np.inf, np.inf])
    hi = -lo
    for f in fc["features"]:
        g = f["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        polys = [[np.asarray(r, dtype=float) for r in p] for p in polys]
        for p in polys:
            lo = np.minimum(lo, p[0].min(axis=0))
            hi = np.maximum(hi, p[0].max(axis=0))
        polygons_of.append(polys)
    scale = (hi - lo) / (quantisation - 1)
    arcs: list[list[list[int]]] = []
    geometries: list[dict[str, Any]] = []

    def encode(ring: np.ndarray) -> np.ndarray:
        q = np.round((ring - lo) / scale).astype(np.int64)
        same = np.r_[False, (np.diff(q, axis=0) == 0).all(axis=1)]
        return q[~same]

    for f, polys in zip(fc["features"], polygons_of, strict=True):
        kept: list[list[np.ndarray]] = []
        fallback: tuple[float, np.ndarray] | None = None
        for p in polys:
            outer = encode(douglas_peucker(p[0], tolerance))
            if len(outer) < 4:  # the polygon vanishes at this scale (a small island): a candidate to keep anyway
                full = encode(p[0])
                if len(full) >= 4 and (fallback is None or _ring_area(full) > fallback[0]):
                    fallback = (_ring_area(full), full)
                continue
            holes = [h for h in (encode(douglas_peucker(r, tolerance)) for r in p[1:]) if len(h) >= 4]
            kept.append([outer, *holes])
        if not kept and fallback is not None:
            kept.append([fallback[1]])
        arc_polys = []
        for rings in kept:
            idx = []
            for q in rings:
                delta = np.vstack([q[:1], np.diff(q, axis=0)])
                arcs.append(delta.tolist())
                idx.append(len(arcs) - 1)
            arc_polys.append(idx)
        geometries.append(
            {
                "type": "MultiPolygon",
                "arcs": [[[i] for i in p] for p in arc_polys],
                "id": f["id"],
                "properties": f["properties"],
            }
        )
    topo = {
        "type": "Topology",
        "transform": {"scale": [float(scale[0]), float(scale[1])], "translate": [float(lo[0]), float(lo[1])]},
        "objects": {"municipalities": {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": arcs,
    }
    return json.dumps(topo, separators=(",", ":"), ensure_ascii=False).encode()


class Outlines:
    """One app's map outlines: computed in a thread started with the app (~3 s), so that neither the start-up nor
    the first map load waits for more than what is left of it (kept in app.state.outlines)."""

    def __init__(self, wh: Warehouse, build_id: str):
        self.build_id = build_id
        self.ready = threading.Event()
        self.bodies: dict[str, bytes] = {}
        threading.Thread(target=self._compute, args=(wh,), name="topojson", daemon=True).start()

    def _compute(self, wh: Warehouse) -> None:
        try:
            raw = wh.municipal_geojson()
            if raw is not None:
                topo = topology(raw)
                self.bodies.update(br=brotli.compress(topo, quality=9), gzip=gzip.compress(topo, 9), identity=topo)
        finally:
            self.ready.set()


async def current_outlines(request: Request) -> Outlines:
    return request.app.state.outlines  # type: ignore[no-any-return]


router = APIRouter()


@router.get(
    "/api/geo/municipalities.topojson",
    tags=["areas"],
    summary="市区町村境界（地図表示用に簡略化・量子化した TopoJSON）",
)
def api_topojson(request: Request, outlines: Annotated[Outlines, Depends(current_outlines)]) -> Response:
    outlines.ready.wait()
    if not outlines.bodies:
        raise HTTPException(404, "市区町村の境界データが読み込まれていません")
    return encoded(request, outlines.bodies, "application/json", "public, max-age=86400", f'"topo-{outlines.build_id}"')
