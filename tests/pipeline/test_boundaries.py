"""Boundaries: TopoJSON decoding on a hand-written topology, then the core_geo__* tables built from the bundle."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from sousei.pipeline import geo
from sousei.pipeline.reference import NORTHERN_TERRITORIES
from sousei.pipeline.sources import boundaries as b

# --- unit: a tiny quantized topology ------------------------------------------------------------------------------
#
# Grid units, scale 0.25 and translate (130, 30): the point (i, j) is at (130 + i/4, 30 + j/4).
# Arc 0: the shared edge from (4,0) up to (4,4). Arc 1: the left square's other sides (4,4)→(0,4)→(0,0)→(4,0).
# Arc 2: the right square's other sides (4,0)→(8,0)→(8,4)→(4,4). Arc 3: a counter-clockwise hole (1,1)–(2,2).
# Arc 4: a ring that is a single point. Every ring here runs counter-clockwise, so the decoder turns exteriors round.
TINY = {
    "type": "Topology",
    "transform": {"scale": [0.25, 0.25], "translate": [130.0, 30.0]},
    "arcs": [
        [[4, 0], [0, 4]],
        [[4, 4], [-4, 0], [0, -4], [4, 0]],
        [[4, 0], [4, 0], [0, 4], [-4, 0]],
        [[1, 1], [1, 0], [0, 1], [-1, 0], [0, -1]],
        [[1, 1], [0, 0]],
    ],
    "objects": {
        "units": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[1, 0]], "properties": {"N03_007": "99001"}},
                # ~0 = -1: arc 0 walked backwards, from (4,4) down to (4,0).
                {"type": "MultiPolygon", "arcs": [[[2, ~0]]], "properties": {"N03_007": "99002"}},
                {"type": "Polygon", "arcs": [[1, 0], [3]], "properties": {"N03_007": "99003"}},
                {"type": "Polygon", "arcs": [[1, 0], [4]], "properties": {"N03_007": "99004"}},
                {"type": None, "properties": {"N03_007": None}},
            ],
        }
    },
}
LEFT_CW = [[131.0, 31.0], [131.0, 30.0], [130.0, 30.0], [130.0, 31.0], [131.0, 31.0]]


def _tiny_polygons() -> dict[str | None, list]:
    return {props["N03_007"]: polys for _, props, polys in b.iter_features(TINY)}


def test_decode_arcs_undoes_delta_encoding_and_quantization() -> None:
    arcs = b.decode_arcs(TINY)
    assert arcs[1].tolist() == [[131.0, 31.0], [130.0, 31.0], [130.0, 30.0], [131.0, 30.0]]
    assert arcs[2].tolist() == [[131.0, 30.0], [132.0, 30.0], [132.0, 31.0], [131.0, 31.0]]
    assert arcs[3].tolist() == [[130.25, 30.25], [130.5, 30.25], [130.5, 30.5], [130.25, 30.5], [130.25, 30.25]]


def test_polygon_ring_is_stitched_closed_and_clockwise() -> None:
    # The position shared by consecutive arcs appears once; the ring is closed; the exterior now runs clockwise.
    assert _tiny_polygons()["99001"] == [[LEFT_CW]]


def test_negative_arc_index_walks_the_arc_backwards() -> None:
    (polygon,) = _tiny_polygons()["99002"]
    assert polygon == [[[131.0, 30.0], [131.0, 31.0], [132.0, 31.0], [132.0, 30.0], [131.0, 30.0]]]
    assert geo.centroid(b.geometry_object([polygon])) == pytest.approx((131.5, 30.5))


def test_hole_stays_counter_clockwise_and_is_subtracted() -> None:
    (polygon,) = _tiny_polygons()["99003"]
    hole = [[130.25, 30.25], [130.5, 30.25], [130.5, 30.5], [130.25, 30.5], [130.25, 30.25]]
    assert polygon == [LEFT_CW, hole]
    # Area 1 − 1/16; moments (130.5, 30.5)·1 − (130.375, 30.375)·1/16.
    expected = ((130.5 - 130.375 / 16) / (15 / 16), (30.5 - 30.375 / 16) / (15 / 16))
    assert geo.centroid(b.geometry_object([polygon])) == pytest.approx(expected)
    assert geo.bbox(b.geometry_object([polygon])) == (130.0, 30.0, 131.0, 31.0)


def test_degenerate_ring_is_dropped_and_null_geometry_is_empty() -> None:
    polys = _tiny_polygons()
    assert polys["99004"] == [[LEFT_CW]]
    assert polys[None] == []


def test_several_polygons_make_a_multipolygon() -> None:
    polys = _tiny_polygons()
    merged = b.geometry_object(polys["99001"] + polys["99002"])
    assert merged["type"] == "MultiPolygon" and len(merged["coordinates"]) == 2
    assert geo.centroid(merged) == pytest.approx((131.0, 30.5))
    assert b.geometry_object(polys["99001"]) == {"type": "Polygon", "coordinates": [LEFT_CW]}


def test_open_ring_and_bad_index_are_refused() -> None:
    bad = json.loads(json.dumps(TINY))
    bad["objects"]["units"]["geometries"] = [{"type": "Polygon", "arcs": [[1]], "properties": {}}]
    with pytest.raises(b.TopologyError, match="closed ring"):
        list(b.iter_features(bad))
    bad["objects"]["units"]["geometries"] = [{"type": "Polygon", "arcs": [[7]], "properties": {}}]
    with pytest.raises(b.TopologyError, match="out of range"):
        list(b.iter_features(bad))
    bad["objects"]["units"]["geometries"] = [{"type": "LineString", "arcs": [0], "properties": {}}]
    with pytest.raises(b.TopologyError, match="LineString"):
        list(b.iter_features(bad))


def test_feature_collection_keeps_id_and_properties() -> None:
    rows = [
        {
            "muni_code": "99001",
            "name": "x",
            "geometry_geojson": json.dumps(b.geometry_object(_tiny_polygons()["99001"])),
        }
    ]
    fc = geo.feature_collection(rows)
    assert fc["type"] == "FeatureCollection"
    (f,) = fc["features"]
    assert f["id"] == "99001" and f["properties"] == {"muni_code": "99001", "name": "x"}
    assert f["geometry"]["type"] == "Polygon"


# --- the bundle files ---------------------------------------------------------------------------------------------


def test_bundle_files_exclusions_are_what_catalog_says(data_dir: Path) -> None:
    """Both municipal files: the 6 Northern Territories villages and 4 所属未定地 features without a code."""
    for rel in (b.MUNI_FILE, b.WARD_FILE):
        feats = list(b.iter_features(json.loads((data_dir / rel).read_text(encoding="utf-8"))))
        codes = [p.get("N03_007") for _, p, _ in feats]
        assert codes.count(None) == 4
        assert {p["N03_004"] for _, p, _ in feats if p.get("N03_007") is None} == {"所属未定地"}
        assert NORTHERN_TERRITORIES <= set(codes)
        assert len(set(codes) - {None} - NORTHERN_TERRITORIES) == (1741 if rel == b.MUNI_FILE else 1741 - 20 + 175)


# --- the built tables ---------------------------------------------------------------------------------------------


def test_counts(wh: duckdb.DuckDBPyConnection) -> None:
    assert wh.execute("SELECT count(*), count(DISTINCT muni_code) FROM core_geo__municipalities").fetchone() == (
        1741,
        1741,
    )
    assert wh.execute(
        "SELECT count(*), count(*) FILTER (is_ward), count(DISTINCT muni_code) FILTER (is_ward),"
        " count(DISTINCT muni_code) FROM core_geo__municipalities_with_wards"
    ).fetchone() == (1896, 175, 20, 1741)
    assert wh.execute("SELECT count(*) FROM core_geo__prefectures").fetchone() == (47,)
    excluded = wh.execute(
        "SELECT count(*) FROM core_geo__municipalities WHERE muni_code BETWEEN '01695' AND '01700'"
    ).fetchone()
    assert excluded == (0,)


def test_codes_match_the_municipality_master(wh: duckdb.DuckDBPyConnection) -> None:
    tables = {r[0] for r in wh.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "core_areas__municipalities" not in tables:
        pytest.fail("core_areas__municipalities is not in the warehouse (the areas step must be built)")
    diff = wh.execute(
        "SELECT muni_code FROM core_areas__municipalities EXCEPT SELECT muni_code FROM core_geo__municipalities"
    ).fetchall()
    assert diff == []


def _check_geometry(text: str, where: str) -> int:
    geom = json.loads(text)
    assert geom["type"] in ("Polygon", "MultiPolygon"), where
    polygons = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    assert polygons, where
    for polygon in polygons:
        for i, ring in enumerate(polygon):
            assert len(ring) >= 4 and ring[0] == ring[-1], f"{where}: ring not closed"
            for lon, lat in ring:
                assert 122.9 <= lon <= 154.0 and 20.4 <= lat <= 45.6, f"{where}: ({lon}, {lat}) outside Japan"
            area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring[:-1], ring[1:], strict=True))
            assert (area < 0) == (i == 0), f"{where}: ring {i} wound the wrong way"
    return len(polygons)


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("core_geo__municipalities", "muni_code"),
        ("core_geo__municipalities_with_wards", "area_code"),
        ("core_geo__prefectures", "pref_code"),
    ],
)
def test_every_geometry_is_valid_geojson(wh: duckdb.DuckDBPyConnection, table: str, key: str) -> None:
    for code, n_polygons, text in wh.execute(f"SELECT {key}, n_polygons, geometry_geojson FROM {table}").fetchall():
        assert _check_geometry(text, f"{table} {code}") == n_polygons


def _inside(point: tuple[float, float], ring: list[list[float]]) -> bool:
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(ring[:-1], ring[1:], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def test_sapporo_lies_where_it_should(wh: duckdb.DuckDBPyConnection) -> None:
    name, text = wh.execute(
        "SELECT name, geometry_geojson FROM core_geo__municipalities WHERE muni_code = '01100'"
    ).fetchone()
    assert name == "札幌市"
    lon, lat = geo.centroid(text)
    # The city hall is at (141.35, 43.06); the area centroid lies some 10 km south-west, towards the mountains.
    assert abs(lon - 141.35) < 0.15 and abs(lat - 43.06) < 0.1
    geom = json.loads(text)
    assert geom["type"] == "Polygon" and _inside((141.3544, 43.0621), geom["coordinates"][0])
    # The 10 wards tile the city: the same centroid within rounding.
    rows = wh.execute(
        "SELECT geometry_geojson FROM core_geo__municipalities_with_wards WHERE muni_code = '01100'"
    ).fetchall()
    assert len(rows) == 10
    areas = []
    for (t,) in rows:
        g = json.loads(t)
        ring = g["coordinates"][0] if g["type"] == "Polygon" else g["coordinates"][0][0]
        areas.append(
            (
                geo.centroid(t),
                abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring[:-1], ring[1:], strict=True))) / 2,
            )
        )
    total = sum(a for _, a in areas)
    wlon = sum(c[0] * a for c, a in areas) / total
    wlat = sum(c[1] * a for c, a in areas) / total
    assert (wlon, wlat) == pytest.approx((lon, lat), abs=0.01)


def test_prefecture_codes_follow_names(wh: duckdb.DuckDBPyConnection) -> None:
    got = dict(wh.execute("SELECT pref_code, name FROM core_geo__prefectures").fetchall())
    assert (got["01"], got["13"], got["27"], got["47"]) == ("北海道", "東京都", "大阪府", "沖縄県")


def test_municipal_table_stays_small(wh: duckdb.DuckDBPyConnection) -> None:
    """The dashboard ships the whole table to the browser: keep it under 5 MB of GeoJSON."""
    (size,) = wh.execute("SELECT sum(strlen(geometry_geojson)) FROM core_geo__municipalities").fetchone()
    assert 2_000_000 < size < 5_000_000
