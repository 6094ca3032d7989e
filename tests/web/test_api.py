"""The JSON API on the built warehouse: exact values, derived here independently from the warehouse tables."""

from __future__ import annotations

import csv
import io

import duckdb
import numpy as np
import pytest
from fastapi.testclient import TestClient

SAPPORO = "01100"
IWAKI = "07204"  # one of the 13 municipalities of 浜通り地域, projected together as 07999


def test_area_is_the_master_row(client: TestClient, wh: duckdb.DuckDBPyConnection) -> None:
    cur = wh.execute("SELECT * FROM core_areas__municipalities WHERE muni_code = ?", [SAPPORO])
    expected = dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
    assert client.get(f"/api/areas/{SAPPORO}").json() == expected
    areas = client.get("/api/areas").json()
    assert len(areas) == wh.execute("SELECT count(*) FROM core_areas__municipalities").fetchone()[0] == 1741


@pytest.mark.parametrize(
    ("q", "code"), [("さっぽろし", SAPPORO), ("サッポロ", SAPPORO), ("札幌", SAPPORO), ("13101", "13101")]
)
def test_search_by_name_reading_and_code(client: TestClient, q: str, code: str) -> None:
    found = client.get("/api/search", params={"q": q}).json()
    assert found[0]["muni_code"] == code


def test_unknown_codes_and_indicators_are_404(client: TestClient) -> None:
    for url in ("/api/areas/99999", "/api/areas/abc", "/api/indicators/nope", "/api/m/99999/scores",
                "/api/m/01100/charts/nope"):  # fmt: skip
        r = client.get(url)
        assert r.status_code == 404, url
        assert "detail" in r.json()
    for url in ("/m/99999", "/m/0110", "/m/01100?tab=nope", "/ranking/nope", "/compare?codes=01100,99999"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "見つかりません" in r.text and "Traceback" not in r.text
    assert client.get("/compare?codes=01100,01202,01203,01204,01205,01206").status_code == 404  # more than 5


def _aged_share(wh: duckdb.DuckDBPyConnection) -> tuple[dict[str, float], float, dict[str, float]]:
    rows = wh.execute(
        """SELECT muni_code, sum(persons) FILTER (WHERE age_start >= 65), sum(persons)
           FROM core_census__population_by_sex_age WHERE census_year = 2020 GROUP BY 1"""
    ).fetchall()
    values = {c: round(a / t * 100, 1) if t else None for c, a, t in rows}  # 07546 双葉町: 0 residents in 2020
    national = round(sum(a for _, a, _ in rows) / sum(t for _, _, t in rows) * 100, 1)
    by_pref: dict[str, list[float]] = {}
    for c, a, t in rows:
        by_pref.setdefault(c[:2], [0.0, 0.0])
        by_pref[c[:2]][0] += a
        by_pref[c[:2]][1] += t
    return values, national, {p: round(a / t * 100, 1) for p, (a, t) in by_pref.items()}


def test_indicator_values_national_and_prefectures(client: TestClient, wh: duckdb.DuckDBPyConnection) -> None:
    values, national, prefs = _aged_share(wh)
    got = client.get("/api/indicators/aged_65_share_2020_pct").json()
    assert got["values"] == values
    assert got["national"] == national
    assert got["prefectures"] == prefs
    assert got["unit"] == "%" and got["direction"] == "lower_better"


def test_scores_compare_with_japan_prefecture_and_peers(client: TestClient, wh: duckdb.DuckDBPyConnection) -> None:
    rows = wh.execute(
        """SELECT m.muni_code, m.pref_code, m.peer_group, sum(p.persons) FILTER (WHERE p.age_start >= 65) AS a,
                  sum(p.persons) AS t
           FROM core_census__population_by_sex_age p JOIN core_areas__municipalities m USING (muni_code)
           WHERE census_year = 2020 GROUP BY ALL ORDER BY 1"""
    ).fetchall()
    codes = [r[0] for r in rows]
    x = np.array([r[3] / r[4] * 100 if r[4] else np.nan for r in rows])  # 07546 双葉町: 0 residents in 2020
    i = codes.index(SAPPORO)
    has = ~np.isnan(x)
    peer = rows[i][2]
    in_peer = np.array([r[2] == peer for r in rows]) & has
    in_pref = np.array([r[1] == rows[i][1] for r in rows]) & has
    score = 100 - (50 + 10 * (x[i] - x[has].mean()) / x[has].std())  # lower is better: mirrored
    rank = 1 + int((x[has] < x[i]).sum())
    got = {r["indicator_id"]: r for r in client.get(f"/api/m/{SAPPORO}/scores").json()}["aged_65_share_2020_pct"]
    assert got["value"] == round(x[i], 1)
    assert got["peer_group"] == peer
    assert got["peer_mean"] == round(x[in_peer].mean(), 1)
    assert got["deviation_japan"] == round(score, 1)
    assert got["rank_japan"] == rank and got["n_japan"] == int(has.sum()) == 1740
    assert got["rank_prefecture"] == 1 + int((x[in_pref] < x[i]).sum())
    assert got["n_prefecture"] == int(in_pref.sum())


def test_ranking_within_a_prefecture(client: TestClient, wh: duckdb.DuckDBPyConnection) -> None:
    tokyo = dict(
        wh.execute(
            """SELECT muni_code, sum(persons) FILTER (WHERE age_start >= 65) / sum(persons) * 100
               FROM core_census__population_by_sex_age WHERE census_year = 2020 AND muni_code LIKE '13%' GROUP BY 1"""
        ).fetchall()
    )
    ranking = client.get("/api/indicators/aged_65_share_2020_pct/ranking", params={"pref": "13"}).json()
    order = sorted(tokyo, key=lambda c: (tokyo[c], c))  # lower is better: rank 1 = lowest share
    assert [r["muni_code"] for r in ranking] == order
    assert [r["rank"] for r in ranking] == list(range(1, len(order) + 1))
    assert [r["value"] for r in ranking] == [round(tokyo[c], 1) for c in order]
    assert client.get("/api/indicators/aged_65_share_2020_pct/ranking", params={"pref": "99"}).status_code == 404


def test_tfr_published_values(client: TestClient, wh: duckdb.DuckDBPyConnection) -> None:
    rows = dict(wh.execute("SELECT muni_code, tfr FROM core_tfr__tfr WHERE period = '2018-2022'").fetchall())
    got = client.get("/api/indicators/tfr_2018_2022").json()
    assert {c: v for c, v in got["values"].items() if v is not None} == {c: round(v, 2) for c, v in rows.items()}
    assert got["national"] == round(sum(rows.values()) / len(rows), 2)
    assert got["national_label"] == "全国（市区町村の単純平均）"


def _projection(wh: duckdb.DuckDBPyConnection, unit: str, scenario: str) -> list[float]:
    return [
        round(v, 1)
        for (v,) in wh.execute(
            "SELECT sum(persons) FROM out_projection__population WHERE muni_code = ? AND scenario = ? "
            "GROUP BY year ORDER BY year",
            [unit, scenario],
        ).fetchall()
    ]


def test_projection_scenarios(client: TestClient, wh: duckdb.DuckDBPyConnection) -> None:
    got = client.get(f"/api/m/{SAPPORO}/projection").json()
    assert got["unit"] == SAPPORO
    assert got["scenarios"]["pattern1"]["persons"] == _projection(wh, SAPPORO, "pattern1")
    assert got["scenarios"]["pattern1"]["years"] == list(range(2020, 2071, 5))
    assert client.get(f"/api/m/{IWAKI}/projection").json()["unit"] == "07999"


def test_simulator_reproduces_the_stored_scenarios(client: TestClient, wh: duckdb.DuckDBPyConnection) -> None:
    """Defaults (TFR 1.8 in 2030, 2.07 in 2040, migration ×1) are シミュレーション1 of out_projection__population."""
    sim = client.get(f"/api/m/{SAPPORO}/simulate").json()
    assert sim["baseline"] == _projection(wh, SAPPORO, "pattern1")
    assert sim["simulated"] == _projection(wh, SAPPORO, "sim1")
    assert client.get(f"/api/m/{IWAKI}/simulate").json()["simulated"] == _projection(wh, "07999", "sim1")
    low = client.get(f"/api/m/{SAPPORO}/simulate", params={"tfr_2030": 1.0, "tfr_2040": 1.0}).json()
    assert low["simulated"][-1] < sim["baseline"][-1] < sim["simulated"][-1]
    for bad in ({"tfr_2030": 9}, {"migration_scale": -1}, {"tfr_2040": "x"}):
        assert client.get(f"/api/m/{SAPPORO}/simulate", params=bad).status_code == 422


def test_classification(client: TestClient, wh: duckdb.DuckDBPyConnection) -> None:
    group, sub = wh.execute(
        "SELECT sustainability_group, sub_class FROM out_projection__sustainability WHERE muni_code = ?", [SAPPORO]
    ).fetchone()
    got = client.get(f"/api/m/{SAPPORO}/classification").json()
    assert (got["sustainability_group"], got["sub_class"]) == (group, sub)
    assert client.get(f"/api/m/{IWAKI}/classification").json()["muni_code"] == "07999"
    assert len(client.get("/api/classifications").json()) == 1729


def test_chart_csv_is_exactly_the_chart_data(client: TestClient, wh: duckdb.DuckDBPyConnection) -> None:
    census = wh.execute(
        "SELECT census_year, round(sum(persons)) FROM core_census__population_by_sex_age WHERE muni_code = ? "
        "GROUP BY 1 ORDER BY 1",
        [SAPPORO],
    ).fetchall()
    chart = client.get(f"/api/m/{SAPPORO}/charts/population").json()
    first = chart["series"][0]
    assert first["name"] == "国勢調査（実績）"
    assert list(zip(first["x"], first["y"], strict=True)) == [(y, float(p)) for y, p in census]
    assert chart["sources"] and all(s["vintage"] for s in chart["sources"])
    text = client.get(f"/m/{SAPPORO}/charts/population.csv").text.removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["系列", "年", "人口（人）"]
    expected = [
        [s["name"], str(x), "" if y is None else str(y)]
        for s in chart["series"]
        for x, y in zip(s["x"], s["y"], strict=True)
    ]
    assert rows[1:] == expected


def test_geojson_has_every_municipality(client: TestClient) -> None:
    r = client.get("/api/geo/municipalities.json", headers={"accept-encoding": "br"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "br"
    geo = r.json()
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 1741
    assert client.get("/api/geo/municipalities.json", headers={"if-none-match": r.headers["etag"]}).status_code == 304


def test_sources_and_openapi(client: TestClient, wh: duckdb.DuckDBPyConnection) -> None:
    ids = [r[0] for r in wh.execute("SELECT source_id FROM meta__sources ORDER BY 1").fetchall()]
    assert [s["source_id"] for s in client.get("/api/sources").json()] == ids
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/areas", "/api/indicators", "/api/m/{code}/scores", "/api/m/{code}/projection",
              "/api/classifications"):  # fmt: skip
        assert p in paths


def test_plotly_is_served_compressed_and_immutable(client: TestClient) -> None:
    r = client.get("/static/vendor/plotly.min.js", headers={"accept-encoding": "br, gzip"})
    assert r.headers["content-encoding"] == "br" and "immutable" in r.headers["cache-control"]
    assert len(r.content) > 1_000_000  # decoded by the client: the whole library
