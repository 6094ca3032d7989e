"""Issue 12 on the real warehouse, through the app: search results, methods pages, explained panels, ranking,
simulator context, compare by names, the map's TopoJSON, /sources in Japanese, page weight."""

from __future__ import annotations

import gzip
import json
import re

import brotli
import numpy as np
import pytest
from fastapi.testclient import TestClient

from sousei.charts import KEY_INDICATORS, TABS
from sousei.domain.projection.engine import project
from sousei.domain.projection.scenarios import scenario_params
from sousei.query import Warehouse
from sousei.web.boundaries import douglas_peucker
from sousei.web.pending import L_CURVE, M_CURVE, MIGRATION_OD
from sousei.web.ranking_view import PAGE_SIZE
from sousei.web.sources_ja import SOURCES_JA

TABLE_NAME = re.compile(r"\b(?:core|out|raw|meta|stg)_[a-z0-9_]*__[a-z0-9_]+")


@pytest.fixture(scope="module")
def warehouse(client: TestClient) -> Warehouse:
    return client.app.state.wh  # type: ignore[attr-defined,no-any-return]


def _text(html: str) -> str:
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# -- search -----------------------------------------------------------------------------------------------------


def test_one_hit_goes_to_the_municipality(client: TestClient) -> None:
    r = client.get("/search", params={"q": "とっとり"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/m/31201"
    old = client.get("/", params={"q": "とっとり"}, follow_redirects=False)  # the form's former action
    assert old.status_code == 303 and old.headers["location"].startswith("/search?q=")


def test_several_hits_give_a_list(client: TestClient, warehouse: Warehouse) -> None:
    hits = warehouse.search("府中", 50)
    assert len(hits) > 1
    r = client.get("/search", params={"q": "府中"})
    assert r.status_code == 200
    listed = re.findall(r'<li><a href="/m/(\d{5})">', r.text.split('id="search-results"')[1])
    assert listed == [h["muni_code"] for h in hits]


def test_no_hit_says_so_with_suggestions(client: TestClient) -> None:
    r = client.get("/search", params={"q": "zzzz"})
    assert r.status_code == 200 and "該当する市区町村が見つかりません" in r.text
    typo = client.get("/search", params={"q": "さっぽろう"})
    assert "該当する市区町村が見つかりません" in typo.text
    assert 'href="/m/01100"' in typo.text.split('id="search-suggestions"')[1]


# -- no internal names; methods pages ------------------------------------------------------------------------------

PAGES = ["/", "/japan", "/sources", "/compare?codes=01100,31201", "/ranking/tfr_bayes", "/methods/walls",
         "/search?q=zzzz"] + [f"/m/01100?tab={t}" for t in TABS]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_no_table_names_or_repository_paths_on_pages(client: TestClient, path: str) -> None:
    text = _text(client.get(path).text)
    assert not TABLE_NAME.search(text), TABLE_NAME.search(text)
    assert "docs/methods" not in text


def test_ranking_notes_drop_table_names(client: TestClient, warehouse: Warehouse) -> None:
    """Every indicator's formula, caveat and coverage note reach the ranking page without table names."""
    for meta in warehouse.indicators():
        text = _text(client.get(f"/ranking/{meta['indicator_id']}").text)
        assert not TABLE_NAME.search(text), (meta["indicator_id"], TABLE_NAME.search(text))


def test_methods_pages_render_and_are_linked_by_title(client: TestClient) -> None:
    r = client.get("/methods/walls")
    assert r.status_code == 200 and "<h1>出生の壁" in r.text and "<h2>" in r.text  # headings of the Markdown
    assert client.get("/methods/nothing").status_code == 404
    births = client.get("/m/01100?tab=births").text
    assert '<a href="/methods/walls">出生の壁の求め方</a>' in births
    assert '<a href="/methods/priority">' in client.get("/m/01100").text


# -- panels that need a table outside the bundle ---------------------------------------------------------------


def test_m_and_l_curve_panels_explain_themselves(client: TestClient, warehouse: Warehouse) -> None:
    html = client.get("/m/01100?tab=women").text
    for panel in (M_CURVE, L_CURVE):
        fig = html.split(f'id="fig-{panel.id}"')[1].split("</figure>")[0]
        loaded = 'data-has-data="true"' in fig
        assert (f'data-pending="{panel.id}"' in fig) is not loaded
        if not loaded:
            assert panel.table in fig and panel.survey in fig
            assert "代わりに見られるもの" in fig
            for anchor, _ in panel.instead_links:
                assert f'id="{anchor}"' in html, anchor  # the link points at something on the page
    m_fig = html.split('id="fig-m_curve"')[1].split("</figure>")[0]
    if "data-pending" in m_fig:
        assert "統計表ID <code>0003450558</code>" in m_fig and "sousei data estat 0003450558" in m_fig
        assert "確認できていません" in m_fig  # an ID not checked against e-Stat says so
    assert not warehouse.indicator("women_employment_rate_25_29_pct") or "data-pending" not in m_fig


def test_migration_od_panel_offers_net_migration_not_a_proxy(client: TestClient) -> None:
    html = client.get("/m/01100?tab=migration").text
    panel = html.split('id="migration-od"')[1].split("</section>")[0]
    assert MIGRATION_OD.survey in panel and "どこから・どこへの移動かは分かりません" in panel
    assert 'href="#youth-women"' in panel and 'id="youth-women"' in html
    youth = html.split('id="youth-women"')[1].split("</section>")[0]
    assert "全国" in youth and "都道府県" in youth and re.search(r"\d{4}年まで", youth)


# -- ranking ------------------------------------------------------------------------------------------------------


def test_ranking_pages_all_and_origin(client: TestClient, warehouse: Warehouse) -> None:
    iv = warehouse.indicator("pop_aging_rate_pct")
    assert iv is not None
    rows = iv.ranking()
    first = client.get("/ranking/pop_aging_rate_pct").text
    assert first.count("<tr data-code=") == PAGE_SIZE
    everything = client.get("/ranking/pop_aging_rate_pct", params={"all": "true"}).text
    assert everything.count("<tr data-code=") == len(rows)
    at = next(i for i, r in enumerate(rows) if r["muni_code"] == "01100")
    came = client.get("/ranking/pop_aging_rate_pct", params={"from": "01100"}).text
    assert f"（{at // PAGE_SIZE + 1}／" in came  # the page holding the municipality
    marked = came.split('<tr data-code="01100">')[1].split("</tr>")[0]
    assert "札幌市" in marked and f">{rows[at]['rank']}<" in marked
    assert '#ranking tr[data-code="01100"] td { background' in came  # the row is marked by the page's style
    assert f"<strong>{rows[at]['rank']}位</strong>／{len(rows)}市区町村" in came
    spec = json.loads(came.split('id="chart-specs" type="application/json">')[1].split("</script>")[0])[0]
    assert sum(spec["series"][0]["y"]) == len(rows) and len(spec["highlight"]) == 1
    lo, hi = (float(x.replace(",", "")) for x in spec["highlight"][0].split("〜"))
    assert lo - 0.01 <= rows[at]["value"] <= hi + 0.01


# -- simulator ------------------------------------------------------------------------------------------------------


def test_simulate_for_one_unit_equals_the_all_unit_scenario(warehouse: Warehouse) -> None:
    sim = warehouse._simulator()
    for code, tfr30, tfr40, scale in (("01100", 1.8, 2.07, 1.0), ("46303", 1.2, 1.3, 0.5), ("13101", 2.2, 2.4, 1.6)):
        got = warehouse.simulate(code, tfr30, tfr40, scale)
        assert got is not None
        i = sim.index(warehouse.projection_unit(code))
        params = scenario_params(sim, "custom", tfr_points={2030: tfr30, 2040: tfr40}, migration_scale=scale)
        want = project(sim.base[[i]], params.select([i]))[0].sum(axis=(1, 2))
        assert np.allclose(got["simulated"], np.round(want, 1))


def test_projection_tab_shows_assumptions_and_the_impact_matrix(client: TestClient, warehouse: Warehouse) -> None:
    html = client.get("/m/01100?tab=projection").text
    sim = warehouse._simulator()
    tfr0 = sim.implied_tfr()[sim.index("01100")][0]
    table = html.split('id="assumptions-table"')[1].split("</table>")[0]
    assert f'<td class="num">{tfr0:,.2f}</td>' in table and table.count("<tr>") == 1 + sim.params.steps
    assert 'aria-describedby="help-mig"' in html and 'id="help-tfr40"' in html
    matrix = html.split('id="impact-matrix"')[1].split("</table>")[0]
    cells = re.findall(r'<td class="num( here)?"[^>]*>(\d+)', matrix)
    assert len(cells) == 25 and sum(int(n) for _, n in cells) == warehouse.rows(
        "SELECT count(*) AS n FROM out_projection__impact WHERE year = 2040")[0]["n"]  # fmt: skip
    s = warehouse.sustainability("01100")
    assert s is not None
    here = [k for k, (h, _) in enumerate(cells) if h]
    assert here == [(s["natural_impact_level"] - 1) * 5 + s["social_impact_level"] - 1]


# -- compare -------------------------------------------------------------------------------------------------------


def test_compare_by_names_with_a_chart_per_indicator(client: TestClient, warehouse: Warehouse) -> None:
    added = client.get("/compare", params={"codes": "01100", "add": "とっとり"}, follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"] == "/compare?codes=01100%2C31201"
    r = client.get("/compare", params={"codes": "01100", "add": "とっとり"})
    assert 'name="codes" value="01100,31201"' in r.text
    charts = re.findall(r'id="fig-compare_([a-z0-9_]+)"', r.text)
    assert charts == [i for i in KEY_INDICATORS if warehouse.indicator(i)]
    several = client.get("/compare", params={"codes": "01100", "add": "府中"}).text
    assert "複数あります" in several and several.count('href="/compare?codes=01100,') >= 2
    births = client.get("/compare", params={"codes": "01100,31201", "family": "births"}).text
    assert re.findall(r'id="fig-compare_([a-z0-9_]+)"', births) == [
        i["indicator_id"] for i in warehouse.indicators() if i["family"] == "births"]  # fmt: skip
    csv = client.get("/compare/charts/compare_tfr_bayes.csv", params={"codes": "01100,31201"}).text
    tfr = warehouse.indicator("tfr_bayes")
    assert tfr is not None and f"札幌市（北海道）,{round(tfr.row('01100')['value'], 3)}" in csv
    assert client.get("/compare", params={"codes": "01100", "add": "zzzz"}).text.count("見つかりません") == 1


# -- map, favicon, sources, page weight ----------------------------------------------------------------------------


def test_topojson_outlines(client: TestClient, warehouse: Warehouse) -> None:
    r = client.get("/api/geo/municipalities.topojson", headers={"accept-encoding": "br"})
    assert r.status_code == 200
    topo = r.json()
    geoms = topo["objects"]["municipalities"]["geometries"]
    codes = {m["muni_code"] for m in warehouse.municipalities()}
    full = json.loads(warehouse.municipal_geojson() or b"{}")
    assert {g["properties"]["muni_code"] for g in geoms} == {f["properties"]["muni_code"] for f in full["features"]}
    assert {g["properties"]["muni_code"] for g in geoms} <= codes
    assert all(g["arcs"] for g in geoms)  # every municipality keeps an outline
    compressed = len(brotli.compress(json.dumps(topo).encode(), quality=9))
    assert compressed <= 300_000, compressed
    # decoded coordinates lie where Japan is
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    pts = np.cumsum(np.array(topo["arcs"][0]), axis=0) * [sx, sy] + [tx, ty]
    assert (122 < pts[:, 0]).all() and (pts[:, 0] < 154).all() and (20 < pts[:, 1]).all() and (pts[:, 1] < 46).all()


def test_douglas_peucker_keeps_corners_and_drops_collinear_points() -> None:
    square = np.array([[0, 0], [0.5, 0], [1, 0], [1, 1], [0.5, 1.0001], [0, 1], [0, 0]], dtype=float)
    out = douglas_peucker(square, 0.01)
    assert out.tolist() == [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    fine = douglas_peucker(square, 0.00001).tolist()
    assert [0.5, 1.0001] in fine and [0.5, 0.0] not in fine  # a 0.0001 bend is kept, a collinear point never


def test_favicon(client: TestClient) -> None:
    assert client.get("/favicon.ico").status_code == 200
    assert client.get("/static/favicon.svg").status_code == 200
    assert 'rel="icon"' in client.get("/").text


def test_sources_in_japanese(client: TestClient, warehouse: Warehouse) -> None:
    ids = {s["source_id"] for s in warehouse.all_sources()}
    assert ids <= set(SOURCES_JA), ids - set(SOURCES_JA)
    text = _text(client.get("/sources").text)
    for english in ("terms of use", "compatible with", "credit required", "simplified to", "National series",
                    "editions", "free use", "re-aggregated", "per municipality", "and more"):  # fmt: skip
        assert english not in text, english


def test_tiles_carry_a_word(client: TestClient) -> None:
    html = client.get("/m/01100").text
    tiles = html.split('id="key-scores"')[1].split("</ul>")[0].split('<li class="tile')[1:]
    assert tiles and all(re.search(r'class="word">(弱み|平均的|強み|データなし)<', t) for t in tiles)


def test_every_chart_with_data_has_a_data_table(client: TestClient) -> None:
    for tab in TABS:
        html = client.get(f"/m/01100?tab={tab}").text
        for fig in html.split('<figure class="chart"')[1:]:
            if 'data-has-data="true"' in fig.split(">")[0]:
                assert '<details class="chart-data"><summary>データ表</summary>' in fig, (tab, fig[:80])


def test_top_page_weight(client: TestClient) -> None:
    """The first page with everything it loads, as a browser that accepts brotli receives it: ≤ 1.6 MB."""
    h = {"accept-encoding": "br, gzip"}
    page = client.get("/", headers=h)
    total = len(brotli.compress(page.content, quality=4))  # TestClient hands back the decoded body
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assets += [re.search(r'data-geo="([^"]+)"', page.text).group(1), "/api/indicators/pop_aging_rate_pct",  # type: ignore[union-attr]
               "/api/areas", "/favicon.ico"]  # fmt: skip
    for a in assets:
        body = client.get(a, headers=h).content
        total += min(len(brotli.compress(body, quality=9)), len(gzip.compress(body, 9)))
    assert total <= 1_600_000, total


def test_api_documentation_names_no_tables(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    summaries = [op.get("summary", "") for path in spec["paths"].values() for op in path.values()]
    assert summaries and not [s for s in summaries if TABLE_NAME.search(s)]


def test_a_tile_is_judged_on_the_score_as_printed() -> None:
    # 59.96 prints as 60.0: its tile must say 強み, not 平均的 beside a printed 60.0 (seen on 日吉津村's overview)
    from sousei.web.formatting import score_band, score_word

    assert (score_band(59.96), score_word(59.96)) == ("strong", "強み")
    assert (score_band(59.94), score_word(59.94)) == ("", "平均的")
    assert (score_band(39.96), score_word(39.96)) == ("", "平均的")
    assert (score_band(39.94), score_word(39.94)) == ("weak", "弱み")
    assert (score_band(None), score_word(None)) == ("na", "データなし")
