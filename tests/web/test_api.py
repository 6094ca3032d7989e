"""The JSON API on the built warehouse: exact values, derived here independently from the warehouse tables."""

from __future__ import annotations

import csv
import io
import re

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
    ("q", "code"),
    [("さっぽろし", SAPPORO), ("サッポロ", SAPPORO), ("ｻｯﾎﾟﾛ", SAPPORO), ("札幌", SAPPORO), ("13101", "13101"),
     ("１３１０１", "13101")],  # half-width kana and full-width digits as typed on some keyboards
)  # fmt: skip
def test_search_by_name_reading_and_code(client: TestClient, q: str, code: str) -> None:
    found = client.get("/api/search", params={"q": q}).json()
    assert found[0]["muni_code"] == code


def test_unknown_codes_and_indicators_are_404(client: TestClient) -> None:
    for url in ("/api/areas/99999", "/api/areas/abc", "/api/indicators/nope", "/api/m/99999/scores",
                "/api/m/01100/charts/nope"):  # fmt: skip
        r = client.get(url)
        assert r.status_code == 404, url
        assert "detail" in r.json()
    for url in (
        "/m/99999",
        "/m/0110",
        "/m/01100?tab=nope",
        "/ranking/nope",
        "/compare?codes=01100,99999",
        "/?indicator=nope",
    ):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "見つかりません" in r.text and "Traceback" not in r.text
    assert client.get("/compare?codes=01100,01202,01203,01204,01205,01206").status_code == 404  # more than 5


AGING = "pop_aging_rate_pct"  # registry: 65歳以上人口 A1303 ÷ (A1301 + A1302 + A1303) × 100, census 2020 (SSDSE-A)


def _aging_2020(wh: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, float, float]]:
    """(muni_code, pref_code, peer_group, aged 65+, age known) from the SSDSE-A items, not the indicator tables."""
    return wh.execute(
        """SELECT m.muni_code, m.pref_code, m.peer_group,
                  sum(v.value) FILTER (WHERE v.item_code = 'A1303'), sum(v.value)
           FROM core_ssdse__values v JOIN core_areas__municipalities m USING (muni_code)
           WHERE v.data_year = 2020 AND v.item_code IN ('A1301', 'A1302', 'A1303') GROUP BY ALL ORDER BY 1"""
    ).fetchall()


def test_indicator_values_national_and_prefectures(client: TestClient, wh: duckdb.DuckDBPyConnection) -> None:
    rows = _aging_2020(wh)
    got = client.get(f"/api/indicators/{AGING}").json()
    meta = wh.execute(
        "SELECT name_ja, unit, direction, last_year FROM out_indicators__registry WHERE indicator_id = ?", [AGING]
    ).fetchone()
    assert (got["name"], got["unit"], got["direction"], got["year"]) == meta == ("高齢化率（65歳以上人口割合）", "%",
                                                                                 "lower_better", 2020)  # fmt: skip
    expected = {c: a / t * 100 if t else None for c, _, _, a, t in rows}  # 07546 双葉町: 0 residents in 2020
    assert got["values"].keys() == expected.keys() and len(expected) == 1741
    assert [c for c, v in got["values"].items() if v is None] == [c for c, v in expected.items() if v is None]
    assert {c: v for c, v in got["values"].items() if v is not None} == pytest.approx(
        {c: v for c, v in expected.items() if v is not None}, rel=1e-12
    )
    assert got["national"] == pytest.approx(sum(r[3] for r in rows) / sum(r[4] for r in rows) * 100, rel=1e-12)
    by_pref: dict[str, list[float]] = {}
    for _, p, _, a, t in rows:
        acc = by_pref.setdefault(p, [0.0, 0.0])
        acc[0] += a
        acc[1] += t
    assert got["prefectures"] == pytest.approx({p: a / t * 100 for p, (a, t) in by_pref.items()}, rel=1e-12)
    assert [i["indicator_id"] for i in client.get("/api/indicators").json()] == [
        r[0] for r in wh.execute(
            "SELECT indicator_id FROM out_indicators__registry WHERE municipalities_latest > 0 ORDER BY position"
        ).fetchall()
    ]  # fmt: skip


def test_scores_compare_with_japan_prefecture_and_peers(client: TestClient, wh: duckdb.DuckDBPyConnection) -> None:
    rows = _aging_2020(wh)
    codes = [r[0] for r in rows]
    x = np.array([r[3] / r[4] * 100 if r[4] else np.nan for r in rows])  # 07546 双葉町: 0 residents in 2020
    i = codes.index(SAPPORO)
    has = ~np.isnan(x)
    peer = rows[i][2]
    in_peer = np.array([r[2] == peer for r in rows]) & has
    in_pref = np.array([r[1] == rows[i][1] for r in rows]) & has

    # the robust 偏差値 (docs/methods/deviation.md): mean and sd of the values winsorised at the 1st/99th percentiles
    def robust(xi: float, xs: np.ndarray) -> float:
        w = np.clip(xs, *np.percentile(xs, [1, 99]))
        return float(np.clip(50 + 10 * (xi - w.mean()) / w.std(), 0, 100))

    score = robust(x[i], x[has])
    peer_score = robust(x[i], x[in_peer])
    got = {r["indicator_id"]: r for r in client.get(f"/api/m/{SAPPORO}/scores").json()}[AGING]
    assert got["year"] == 2020
    assert got["value"] == pytest.approx(x[i], rel=1e-12)
    assert got["peer_group"] == peer
    assert got["peer_mean"] == pytest.approx(x[in_peer].mean(), rel=1e-12)
    assert got["deviation_japan"] == pytest.approx(score, rel=1e-9)
    assert got["oriented_japan"] == pytest.approx(100 - score, rel=1e-9)  # lower is better: mirrored
    assert got["oriented_peer"] == pytest.approx(100 - peer_score, rel=1e-9)
    assert got["rank_japan"] == 1 + int((x[has] < x[i]).sum()) and got["n_japan"] == int(has.sum()) == 1740
    assert got["rank_prefecture"] == 1 + int((x[in_pref] < x[i]).sum())
    assert got["n_prefecture"] == int(in_pref.sum())
    assert got["rank_peer"] == 1 + int((x[in_peer] < x[i]).sum()) and got["n_peer"] == int(in_peer.sum())
    assert got["previous_year"] == 2015


def test_ranking_within_a_prefecture_and_a_peer_group(client: TestClient, wh: duckdb.DuckDBPyConnection) -> None:
    rows = _aging_2020(wh)
    tokyo = {c: a / t * 100 for c, p, _, a, t in rows if p == "13" and t}
    ranking = client.get(f"/api/indicators/{AGING}/ranking", params={"pref": "13"}).json()
    order = sorted(tokyo, key=lambda c: (tokyo[c], c))  # lower is better: rank 1 = lowest share
    assert [r["muni_code"] for r in ranking] == order
    assert [r["rank"] for r in ranking] == list(range(1, len(order) + 1))
    assert [r["value"] for r in ranking] == pytest.approx([tokyo[c] for c in order], rel=1e-12)
    cities = {c: a / t * 100 for c, _, g, a, t in rows if g == "政令指定都市"}
    peer = client.get(f"/api/indicators/{AGING}/ranking", params={"peer": "政令指定都市"}).json()
    assert [r["muni_code"] for r in peer] == sorted(cities, key=lambda c: (cities[c], c)) and len(peer) == 20
    assert client.get(f"/api/indicators/{AGING}/ranking", params={"pref": "99"}).status_code == 404


def test_tfr_published_values(client: TestClient, wh: duckdb.DuckDBPyConnection) -> None:
    rows = dict(wh.execute("SELECT muni_code, tfr FROM core_tfr__tfr WHERE period = '2018-2022'").fetchall())
    got = client.get("/api/indicators/tfr_bayes").json()
    assert got["year"] == 2022
    assert {c: v for c, v in got["values"].items() if v is not None} == {c: v for c, v in rows.items() if v is not None}
    # Japan: the mean of the yearly national TFRs of the period (the registry's caveat)
    national = [
        v
        for (v,) in wh.execute(
            "SELECT tfr FROM core_national__vital_rates WHERE year BETWEEN 2018 AND 2022 ORDER BY year"
        ).fetchall()
    ]
    assert national == [1.42, 1.36, 1.33, 1.30, 1.26]
    assert got["national"] == pytest.approx(sum(national) / 5, abs=1e-12)
    assert got["national_label"] == "全国（公表値）"


def test_priorities_walls_and_industries_are_the_warehouse_rows(
    client: TestClient, wh: duckdb.DuckDBPyConnection
) -> None:
    cur = wh.execute("SELECT * FROM out_diagnosis__priority_issues WHERE muni_code = ? ORDER BY rank", [SAPPORO])
    cols = [d[0] for d in cur.description]
    expected = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    got = client.get(f"/api/m/{SAPPORO}/priorities").json()
    assert len(got) == len(expected) > 0
    names = dict(wh.execute("SELECT indicator_id, name_ja FROM out_indicators__registry").fetchall())
    for g, e in zip(got, expected, strict=True):
        assert {k: g[k] for k in cols if k not in ("muni_code", "sources")} == {
            k: e[k] for k in cols if k not in ("muni_code", "sources")
        }
        assert g["name"] == names[e["indicator_id"]]
    cur = wh.execute("SELECT * FROM out_walls__decomposition WHERE muni_code = ?", [SAPPORO])
    walls = dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
    got = client.get(f"/api/m/{SAPPORO}/walls").json()
    assert {k: got[k] for k in walls if k != "muni_code"} == {k: v for k, v in walls.items() if k != "muni_code"}
    assert (
        len(got["environment"])
        == wh.execute("SELECT count(*) FROM out_walls__environment WHERE muni_code = ?", [SAPPORO]).fetchone()[0]
    )
    leading = wh.execute(
        "SELECT industry, specialization FROM out_indicators__leading_industries WHERE muni_code = ? AND year = "
        "(SELECT max(year) FROM out_indicators__leading_industries WHERE muni_code = ?) ORDER BY rank",
        [SAPPORO, SAPPORO],
    ).fetchall()
    assert [(r["industry"], r["specialization"]) for r in client.get(f"/api/m/{SAPPORO}/industries").json()] == leading


def test_pages_show_priorities_walls_youth_and_leading_industries(
    client: TestClient, wh: duckdb.DuckDBPyConnection
) -> None:
    from sousei.estat import NOTICE

    overview = client.get(f"/m/{SAPPORO}").text
    first = wh.execute(
        "SELECT r.name_ja FROM out_diagnosis__priority_issues p JOIN out_indicators__registry r USING (indicator_id) "
        "WHERE p.muni_code = ? AND p.rank = 1",
        [SAPPORO],
    ).fetchone()[0]
    assert 'id="priorities"' in overview and first in overview and 'id="key-scores"' in overview
    births = client.get(f"/m/{SAPPORO}?tab=births").text
    assert 'id="walls"' in births and "結婚の壁" in births  # 札幌市: marriage factor −0.083 ≤ −0.05
    migration = client.get(f"/m/{SAPPORO}?tab=migration").text
    assert 'id="youth-women"' in migration and "純移動率（女性20～39歳、5年間）" in migration
    industry = client.get(f"/m/{SAPPORO}?tab=industry").text
    assert 'id="leading-industries"' in industry and "不動産業，物品賃貸業" in industry
    # The M/L curves come from the e-Stat API: with none loaded, nothing is drawn and no notice is needed; the
    # chart carries the notice for when it is, and the sources page always states it.
    estat_rows = wh.execute(
        "SELECT count(*) FROM out_indicators__values v JOIN out_indicators__registry r USING (indicator_id) "
        "WHERE r.sources LIKE '%estat_api%' AND v.value IS NOT NULL"
    ).fetchone()[0]
    women = client.get(f"/m/{SAPPORO}?tab=women").text
    assert (NOTICE in women) == (estat_rows > 0)
    assert client.get(f"/api/m/{SAPPORO}/charts/m_curve").json()["notice"] == NOTICE
    assert NOTICE in client.get("/sources").text


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
    # the JSON keeps the numbers; the CSV writes whole numbers without ".0" (1401757, not 1401757.0)
    expected = [
        [s["name"], str(x), "" if y is None else str(int(y)) if float(y).is_integer() else str(y)]
        for s in chart["series"]
        for x, y in zip(s["x"], s["y"], strict=True)
    ]
    assert rows[1:] == expected
    assert not any(r[2].endswith(".0") for r in rows[1:])


def test_csv_and_pages_round_to_the_indicator_precision(client: TestClient) -> None:
    rows = list(csv.reader(io.StringIO(client.get("/ranking/pop_aging_rate_pct.csv").text.removeprefix("\ufeff"))))
    decimals = {len(r[5].split(".")[1]) if "." in r[5] else 0 for r in rows[1:] if r[5]}
    assert decimals <= {0, 1}  # % to one decimal
    scores = {len(r[6].split(".")[1]) for r in rows[1:] if "." in r[6]}
    assert scores <= {1}  # 偏差値 to one decimal, not 14
    full = client.get("/api/indicators/pop_aging_rate_pct/ranking").json()
    assert any(len(str(r["value"]).split(".")[-1]) > 3 for r in full)  # the JSON API keeps full precision
    page = client.get(f"/m/{SAPPORO}?tab=overview").text
    assert "規模のため" in page  # 総人口 has no 偏差値 on the overview
    assert "合計" in page and "総数の比" in page  # 全国 / 都道府県 say how they are formed


def test_extreme_scores_read_100_or_more_and_reference_values_are_labelled(client: TestClient) -> None:
    html = client.get("/ranking/living_childcare_waiting_per_1000_children", params={"all": "true"}).text
    assert "0以下" in html and "参考値" in html
    assert re.search(r">\s*(1[0-9]{2}|[2-9][0-9]{2})\.[0-9]<", html) is None  # no 偏差値 like 466.0


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


def test_compare_one_family(client: TestClient, wh: duckdb.DuckDBPyConnection) -> None:
    n = wh.execute(
        "SELECT count(*) FROM out_indicators__registry WHERE family = 'births' AND municipalities_latest > 0"
    ).fetchone()[0]
    text = client.get("/compare.csv", params={"codes": "01100,13101", "family": "births"}).text.removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2 * n > 0
    tfr = dict(wh.execute("SELECT muni_code, tfr FROM core_tfr__tfr WHERE period = '2018-2022'").fetchall())
    got = {r["市区町村コード"]: float(r["値"]) for r in rows if r["指標ID"] == "tfr_bayes"}
    assert got == {c: tfr[c] for c in ("01100", "13101")}
    assert client.get("/compare", params={"codes": "01100", "family": "nope"}).status_code == 404


def test_japan_population_chart_has_census_and_both_ipss_projections(client: TestClient) -> None:
    chart = client.get("/api/japan/charts/population").json()
    by_name = {s["name"]: dict(zip(s["x"], s["y"], strict=True)) for s in chart["series"]}
    assert by_name["国勢調査（実績）"][2020] == 126_146_099
    # CATALOG: IPSS 2023 regional projection, Σ prefectures 2050 = 104,686,386 (the national medium variant)
    assert by_name["社人研 2023年推計（地域別推計の都道府県計＝全国中位）"][2050] == 104_686_386
    # CATALOG: IPSS 2017 medium 2050 = 101,923 thousand
    assert round(by_name["社人研 2017年推計（出生中位・死亡中位）"][2050] / 1000) == 101_923
    assert {s["source_id"] for s in chart["sources"]} >= {"national_series", "ipss_2023_regional_totals"}


def test_one_indicator_has_one_deviation_across_every_api_route(client: TestClient) -> None:
    # issue 10, item 3: 札幌市's 女性完全失業率 was 65.1 in the walls' table and 34.9 in 女性の就業
    for code in (SAPPORO, "31302"):  # 札幌市, 日吉津村
        scores = {
            (r["indicator_id"], r["year"]): r["oriented_japan"] for r in client.get(f"/api/m/{code}/scores").json()
        }
        seen = 0
        for env in client.get(f"/api/m/{code}/walls").json()["environment"]:
            key = (env["indicator_id"], env["year"])
            if key in scores:
                assert env["deviation_score"] == scores[key], key
                seen += 1
        assert seen >= 7
        for p in client.get(f"/api/m/{code}/priorities").json():
            if (p["indicator_id"], p["year"]) in scores:
                assert p["oriented_japan"] == scores[(p["indicator_id"], p["year"])]
        ranking = client.get("/api/indicators/women_unemployment_rate_pct/ranking").json()
        mine = [r for r in ranking if r["muni_code"] == code]
        latest = max(y for i, y in scores if i == "women_unemployment_rate_pct")
        assert mine and mine[0]["oriented_japan"] == scores[("women_unemployment_rate_pct", latest)]
        assert scores[("women_unemployment_rate_pct", latest)] < 50  # above Japan's rate: worse, whatever the page
