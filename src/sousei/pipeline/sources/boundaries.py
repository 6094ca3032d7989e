"""国土数値情報 N03 boundaries (TopoJSON, geo/*.json) → GeoJSON geometries per municipality, ward and prefecture."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import polars as pl

from sousei.pipeline.context import StepContext
from sousei.pipeline.fields import field
from sousei.pipeline.reference import NAME_VARIANTS, NORTHERN_TERRITORIES
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Coverage, SqlCheck, Step, Table

SOURCE = "boundaries"
MUNI_FILE = "geo/municipalities_N03-21_210101_s0010_designated_city_topo.json"
WARD_FILE = "geo/municipalities_N03-21_210101_s0010_topo.json"
PREF_FILE = "geo/prefectures_N03-21_210101_s0010_topo.json"

# 5 decimals of a degree ≈ 1 m: finer than the 1 % simplification of the source, so nothing visible is lost.
DECIMALS = 5
# N03-21: 4 features of 所属未定地 (land not yet assigned to a municipality: 千葉県, 東京都, 愛知県, 沖縄県) carry
# no code in both municipal files (checked 2025); excluded. A different count stops the build.
NULL_CODE_FEATURES = 4
# N03 writes 39405 as 梼原町, the census 檮原町 (checked 2025): names may differ only as name_variants.toml says.
VARIANTS = sorted(NAME_VARIANTS.items())
MUNICIPALITIES = 1741
DESIGNATED_CITIES = 20
WARDS = 175

GEOMETRY_DESCRIPTION = (
    "GeoJSON geometry object (Polygon or MultiPolygon) as text, lon/lat (WGS 84 / JGD2011), "
    f"rounded to {DECIMALS} decimals; rings closed, exterior rings clockwise and holes counter-clockwise "
    "(the TopoJSON/d3-geo convention that Plotly's geo maps need; RFC 7946 readers accept either)"
)
GEOMETRY = (
    C("n_polygons", "INTEGER", "Number of polygons (islands, exclaves) in the geometry", nullable=False, min=1),
    C("geometry_geojson", "VARCHAR", GEOMETRY_DESCRIPTION, nullable=False),
)

MUNI_TABLE = Table(
    name="core_geo__municipalities",
    description=(
        "Boundary of each of the 1,741 municipalities of 2020 (designated cities whole), from 国土数値情報 N03 "
        "2021-01-01 simplified to 1 %; for choropleth maps."
    ),
    columns=(
        field("muni_code"),
        field("pref_code"),
        field("name", "Municipality name as in N03 (N03_004, or N03_003 for a designated city)"),
        *GEOMETRY,
    ),
    key=("muni_code",),
    coverage=Coverage(),
    checks=(
        SqlCheck(
            "names-match-areas",
            "a municipality's N03 name differs from core_areas__municipalities (not among the pinned variants)",
            f"""SELECT g.muni_code, g.name, a.name AS areas_name
                FROM core_geo__municipalities g JOIN core_areas__municipalities a USING (muni_code)
                WHERE g.name <> a.name
                  AND (g.muni_code, g.name) NOT IN ({", ".join(f"('{c}', '{v}')" for c, (_, v) in VARIANTS)})""",
        ),
    ),
)

WARD_TABLE = Table(
    name="core_geo__municipalities_with_wards",
    description=(
        "Boundary of each municipality, with the 20 designated cities split into their 175 wards "
        "(1,741 − 20 + 175 = 1,896 units), from 国土数値情報 N03 2021-01-01 simplified to 1 %."
    ),
    columns=(
        field("area_code"),
        field("muni_code", "The 2020 municipality the unit belongs to (the city for a ward)"),
        C("is_ward", "BOOLEAN", "True for a ward (区) of a designated city", nullable=False),
        field("name", "Name as in N03 (N03_004)"),
        *GEOMETRY,
    ),
    key=("area_code",),
    # Every municipality is present either as itself or through its wards.
    coverage=Coverage(),
    checks=(
        SqlCheck(
            "ward-count",
            f"expected {WARDS} wards in {DESIGNATED_CITIES} designated cities",
            f"""SELECT count(*) AS wards, count(DISTINCT muni_code) AS cities
                FROM core_geo__municipalities_with_wards WHERE is_ward
                HAVING count(*) <> {WARDS} OR count(DISTINCT muni_code) <> {DESIGNATED_CITIES}""",
        ),
        SqlCheck(
            "wards-match-areas",
            "the wards differ from core_areas__areas (level 'ward', parent_code = city)",
            """SELECT a.area_code AS areas_ward, a.parent_code, w.area_code AS geo_ward, w.muni_code
               FROM (SELECT * FROM core_areas__areas WHERE level = 'ward') a
               FULL JOIN (SELECT * FROM core_geo__municipalities_with_wards WHERE is_ward) w USING (area_code)
               WHERE a.parent_code IS DISTINCT FROM w.muni_code""",
        ),
        SqlCheck(
            "ward-cities-whole",
            "a designated city appears both whole and through wards",
            """SELECT muni_code FROM core_geo__municipalities_with_wards GROUP BY muni_code
               HAVING bool_or(is_ward) AND bool_or(NOT is_ward)""",
        ),
    ),
)

PREF_TABLE = Table(
    name="core_geo__prefectures",
    description="Boundary of each of the 47 prefectures, from 国土数値情報 N03 2021-01-01 simplified to 1 %.",
    columns=(
        field("pref_code"),
        field("name", "Prefecture name (N03_001)"),
        *GEOMETRY,
    ),
    key=("pref_code",),
    checks=(
        SqlCheck(
            "prefecture-count",
            "expected the 47 prefectures 01–47",
            """SELECT count(*) AS n FROM core_geo__prefectures
               HAVING count(*) <> 47 OR min(pref_code) <> '01' OR max(pref_code) <> '47'""",
        ),
        SqlCheck(
            "prefectures-match-areas",
            "a prefecture's code or name differs from core_areas__areas",
            """SELECT a.area_code, a.name, p.pref_code, p.name AS geo_name
               FROM (SELECT * FROM core_areas__areas WHERE level = 'prefecture') a
               FULL JOIN core_geo__prefectures p ON p.pref_code = substr(a.area_code, 1, 2)
               WHERE a.name IS DISTINCT FROM p.name""",
        ),
    ),
)


# --- TopoJSON decoding (pure) --------------------------------------------------------------------------------------


class TopologyError(ValueError):
    """The TopoJSON is not what the decoder understands; the message says where."""


def decode_arcs(topology: dict[str, Any]) -> list[np.ndarray]:
    """Absolute lon/lat of every arc: undo the delta encoding and the quantization (transform) if present."""
    transform = topology.get("transform")
    arcs = []
    for i, arc in enumerate(topology["arcs"]):
        pts = np.asarray(arc, dtype=np.float64)
        if pts.ndim != 2 or pts.shape[0] < 2 or pts.shape[1] < 2:
            raise TopologyError(f"arc {i} is not a list of at least 2 positions")
        pts = pts[:, :2]
        if transform is not None:
            scale = np.asarray(transform["scale"], dtype=np.float64)
            translate = np.asarray(transform["translate"], dtype=np.float64)
            pts = np.cumsum(pts, axis=0) * scale + translate
        arcs.append(pts)
    return arcs


def _ring(arc_indexes: list[int], arcs: list[np.ndarray], where: str) -> np.ndarray:
    parts = []
    for k, idx in enumerate(arc_indexes):
        # A negative index ~i means arc i walked backwards (TopoJSON spec 2.2.5: ~i = -i - 1).
        j = idx if idx >= 0 else ~idx
        if j >= len(arcs):
            raise TopologyError(f"{where}: arc index {idx} out of range ({len(arcs)} arcs)")
        pts = arcs[j] if idx >= 0 else arcs[j][::-1]
        # Consecutive arcs share their joining position: keep it once.
        parts.append(pts if k == 0 else pts[1:])
    return np.concatenate(parts)


def _signed_area(ring: np.ndarray) -> float:
    """Shoelace area in square degrees: positive for a counter-clockwise ring."""
    x, y = ring[:, 0], ring[:, 1]
    return float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1])) / 2.0


def _clean_ring(ring: np.ndarray, exterior: bool, decimals: int) -> list[list[float]] | None:
    """Round, drop repeated positions, close, and orient (exterior clockwise, hole counter-clockwise)."""
    ring = np.round(ring, decimals)
    keep = np.ones(len(ring), dtype=bool)
    keep[1:] = np.any(ring[1:] != ring[:-1], axis=1)
    ring = ring[keep]
    if len(ring) and np.any(ring[0] != ring[-1]):
        ring = np.vstack([ring, ring[:1]])
    if len(ring) < 4:
        return None  # collapsed to a line or a point by rounding
    area = _signed_area(ring)
    if area == 0:
        return None
    if (area > 0) == exterior:
        ring = ring[::-1]
    return ring.tolist()


def decode_geometry(
    geom: dict[str, Any], arcs: list[np.ndarray], decimals: int = DECIMALS, where: str = "geometry"
) -> list[list[list[list[float]]]]:
    """The polygons (each a list of closed rings) of one TopoJSON Polygon or MultiPolygon object."""
    kind = geom.get("type")
    if kind == "Polygon":
        polygons = [geom["arcs"]]
    elif kind == "MultiPolygon":
        polygons = geom["arcs"]
    elif kind is None:
        return []  # a null geometry (allowed by the spec): no polygons
    else:
        raise TopologyError(f"{where}: geometry type {kind!r}, expected Polygon or MultiPolygon")
    out = []
    for p, rings in enumerate(polygons):
        cleaned = []
        for r, ring_arcs in enumerate(rings):
            ring = _ring(ring_arcs, arcs, f"{where} polygon {p} ring {r}")
            if np.any(ring[0] != ring[-1]):
                raise TopologyError(f"{where} polygon {p} ring {r}: the arcs do not form a closed ring")
            c = _clean_ring(ring, exterior=(r == 0), decimals=decimals)
            if c is None:
                if r == 0:
                    break  # the exterior vanished at this precision: so does the polygon with its holes
                continue
            cleaned.append(c)
        if cleaned:
            out.append(cleaned)
    return out


def geometry_object(polygons: list[list[list[list[float]]]]) -> dict[str, Any]:
    """A GeoJSON Polygon for one polygon, a MultiPolygon for several."""
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def iter_features(
    topology: dict[str, Any], decimals: int = DECIMALS
) -> Iterator[tuple[int, dict[str, Any], list[list[list[list[float]]]]]]:
    """(index, properties, polygons) of every geometry of the topology's single object."""
    if topology.get("type") != "Topology":
        raise TopologyError(f"type {topology.get('type')!r}, expected 'Topology'")
    objects = topology.get("objects") or {}
    if len(objects) != 1:
        raise TopologyError(f"expected one object, found {sorted(objects)}")
    ((name, collection),) = objects.items()
    if collection.get("type") != "GeometryCollection":
        raise TopologyError(f"object {name} is a {collection.get('type')}, expected a GeometryCollection")
    arcs = decode_arcs(topology)
    for i, geom in enumerate(collection["geometries"]):
        polygons = decode_geometry(geom, arcs, decimals, where=f"object {name} geometry {i}")
        yield i, geom.get("properties") or {}, polygons


def to_json(geometry: dict[str, Any]) -> str:
    return json.dumps(geometry, separators=(",", ":"))


# --- The step ------------------------------------------------------------------------------------------------------


def _load(ctx: StepContext, rel: str) -> dict[str, Any]:
    try:
        return json.loads(ctx.path(rel).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ctx.fail("json", f"not valid JSON: {exc}", file=rel) from exc


def _features(ctx: StepContext, rel: str) -> list[tuple[int, dict[str, Any], list]]:
    try:
        return list(iter_features(_load(ctx, rel)))
    except (TopologyError, KeyError, TypeError, ValueError) as exc:
        raise ctx.fail("topojson", str(exc), file=rel) from exc


def _group_by_code(
    ctx: StepContext, rel: str, features: Iterable[tuple[int, dict[str, Any], list]]
) -> dict[str, tuple[dict[str, Any], list]]:
    """Features merged by N03_007 (several features of one code become one MultiPolygon); exclusions pinned."""
    merged: dict[str, tuple[dict[str, Any], list]] = {}
    null_codes: list[int] = []
    for i, props, polygons in features:
        code = props.get("N03_007")
        if code is None:
            null_codes.append(i)
            continue
        if not (isinstance(code, str) and len(code) == 5 and code.isdigit()):
            raise ctx.fail("code", f"N03_007 {code!r} is not a 5-digit code", file=rel, where=f"geometry {i}")
        if not polygons:
            raise ctx.fail("geometry", f"{code} has an empty geometry", file=rel, where=f"geometry {i}")
        if code in merged:
            first, polys = merged[code]
            for key in ("N03_001", "N03_003", "N03_004"):
                if first.get(key) != props.get(key):
                    raise ctx.fail(
                        "code",
                        f"two features of {code} differ in {key}: {first.get(key)!r} vs {props.get(key)!r}",
                        file=rel,
                        where=f"geometry {i}",
                    )
            polys.extend(polygons)
        else:
            merged[code] = (props, list(polygons))
    if len(null_codes) != NULL_CODE_FEATURES:
        raise ctx.fail(
            "excluded-features",
            f"{len(null_codes)} features without N03_007, pinned {NULL_CODE_FEATURES} (所属未定地)",
            file=rel,
            where=f"geometries {null_codes[:10]}",
        )
    # The 6 北方領土 villages have N03 codes but are no census unit of 2020: excluded (all six must be there).
    found = NORTHERN_TERRITORIES & merged.keys()
    if found != NORTHERN_TERRITORIES:
        raise ctx.fail(
            "excluded-features",
            f"Northern Territories villages missing: {sorted(NORTHERN_TERRITORIES - found)} (the pin expects all 6)",
            file=rel,
        )
    for code in NORTHERN_TERRITORIES:
        del merged[code]
    return merged


def _name(props: dict[str, Any]) -> str | None:
    return props.get("N03_004") or props.get("N03_003")


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    ctx.progress(0, 3, "municipalities")
    munis = _group_by_code(ctx, MUNI_FILE, _features(ctx, MUNI_FILE))
    if len(munis) != MUNICIPALITIES:
        raise ctx.fail("count", f"{len(munis)} municipalities, expected {MUNICIPALITIES}", file=MUNI_FILE)
    pref_codes: dict[str, str] = {}
    city_codes: dict[tuple[str, str], str] = {}
    muni_rows = []
    for code, (props, polygons) in sorted(munis.items()):
        pref_name, name = props.get("N03_001"), _name(props)
        if not pref_name or not name:
            raise ctx.fail("name", f"{code} has no prefecture or municipality name", file=MUNI_FILE)
        if pref_codes.setdefault(pref_name, code[:2]) != code[:2]:
            raise ctx.fail(
                "code", f"{code} lies in {pref_name}, whose other codes start {pref_codes[pref_name]}", file=MUNI_FILE
            )
        if props.get("N03_003") and not props.get("N03_004"):
            city_codes[(pref_name, props["N03_003"])] = code  # a designated city, kept whole in this file
        muni_rows.append((code, code[:2], name, len(polygons), to_json(geometry_object(polygons))))
    if len(city_codes) != DESIGNATED_CITIES:
        raise ctx.fail("count", f"{len(city_codes)} designated cities, expected {DESIGNATED_CITIES}", file=MUNI_FILE)

    ctx.progress(1, 3, "wards")
    units = _group_by_code(ctx, WARD_FILE, _features(ctx, WARD_FILE))
    ward_rows = []
    for code, (props, polygons) in sorted(units.items()):
        pref_name, city = props.get("N03_001"), props.get("N03_003")
        city_code = city_codes.get((pref_name, city)) if city else None
        is_ward = city_code is not None
        if not is_ward and code not in munis:
            raise ctx.fail(
                "code",
                f"{code} {_name(props)} is neither a municipality nor a ward of a designated city",
                file=WARD_FILE,
            )
        ward_rows.append(
            (
                code,
                city_code or code,
                is_ward,
                props.get("N03_004") or city,
                len(polygons),
                to_json(geometry_object(polygons)),
            )
        )
    n_wards = sum(r[2] for r in ward_rows)
    if n_wards != WARDS or len(ward_rows) != MUNICIPALITIES - DESIGNATED_CITIES + WARDS:
        raise ctx.fail(
            "count",
            f"{len(ward_rows)} units with {n_wards} wards, expected "
            f"{MUNICIPALITIES - DESIGNATED_CITIES + WARDS} with {WARDS}",
            file=WARD_FILE,
        )

    ctx.progress(2, 3, "prefectures")
    pref_rows = []
    for i, props, polygons in _features(ctx, PREF_FILE):
        pref_name = props.get("N03_001")
        if pref_name not in pref_codes:
            raise ctx.fail(
                "name",
                f"prefecture {pref_name!r} matches no municipality's N03_001",
                file=PREF_FILE,
                where=f"geometry {i}",
            )
        if not polygons:
            raise ctx.fail("geometry", f"{pref_name} has an empty geometry", file=PREF_FILE, where=f"geometry {i}")
        pref_rows.append((pref_codes[pref_name], pref_name, len(polygons), to_json(geometry_object(polygons))))
    ctx.progress(3, 3, "")

    def frame(table: Table, rows: list[tuple]) -> pl.DataFrame:
        schema = {c.name: _POLARS[c.type] for c in table.columns}
        return pl.DataFrame(rows, schema=schema, orient="row")

    return {
        MUNI_TABLE.name: frame(MUNI_TABLE, muni_rows),
        WARD_TABLE.name: frame(WARD_TABLE, ward_rows),
        PREF_TABLE.name: frame(PREF_TABLE, sorted(pref_rows)),
    }


_POLARS = {"VARCHAR": pl.String, "INTEGER": pl.Int32, "BOOLEAN": pl.Boolean}

STEP = Step(
    name="boundaries",
    description="Municipal, ward and prefectural boundaries (国土数値情報 N03 2021, TopoJSON) as GeoJSON",
    sources=(SOURCE,),
    tables=(MUNI_TABLE, WARD_TABLE, PREF_TABLE),
    parse=parse,
)
