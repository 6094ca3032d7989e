"""The projection pages: パターン1 labelled as IPSS 2023 to 2050 and our extension after; 浜通り's members say they
are projected jointly and show the joint unit."""

from __future__ import annotations

import duckdb
from fastapi.testclient import TestClient

from sousei.domain.projection.labels import PATTERN1_LABEL, PATTERN1_NAME


def test_pattern1_is_labelled_on_the_chart_the_simulator_and_the_classification(client: TestClient) -> None:
    page = client.get("/m/01100?tab=projection").text
    assert PATTERN1_LABEL in page and "（社人研準拠）" not in page
    assert PATTERN1_NAME in client.get("/m/01100/charts/scenarios.csv").text
    assert client.get("/api/m/01100/simulate").json()["baseline_name"] == PATTERN1_NAME
    assert PATTERN1_LABEL in client.get("/m/01100").text  # the classification card of 概要


def test_hamadori_members_say_they_are_projected_jointly(client: TestClient, wh: duckdb.DuckDBPyConnection) -> None:
    joint_2050 = wh.execute(
        "SELECT sum(persons) FROM out_projection__population WHERE scenario = 'pattern1' AND muni_code = '07999' "
        "AND year = 2050"
    ).fetchone()[0]
    for code, name in (("07545", "大熊町"), ("07204", "いわき市")):
        page = client.get(f"/m/{code}?tab=projection").text
        assert "浜通り地域として一体で推計しています" in page
        assert "07999" in page and f"{joint_2050:,.0f}人" in page
        assert f"{name}単独ではなく浜通り地域全体の値" in page
        assert "飯舘村" in page and "新地町" in page  # the members are listed
    assert "一体で推計しています" not in client.get("/m/01100?tab=projection").text


def test_projection_panels_cite_the_sources_table(client: TestClient, wh: duckdb.DuckDBPyConnection) -> None:
    """The 概要 classification card and the simulator cite meta__sources' attribution and vintage, as every chart
    does (they carried a hand-written 出典 line before)."""
    rows = wh.execute(
        "SELECT attribution, vintage FROM meta__sources WHERE source_id IN "
        "('census_2020_sex_age5', 'national_series', 'ipss_2023_regional_totals') ORDER BY source_id"
    ).fetchall()
    assert len(rows) == 3
    cited = [f'<span class="source">{a}（{v}）</span>' for a, v in rows]
    card = client.get("/m/01100").text.split('id="sustainability"')[1].split("</div>")[0]
    simulator = client.get("/m/01100?tab=projection").text.split('id="simulator"')[1].split("</footer>")[0]
    for html in (card, simulator):
        assert all(c in html for c in cited), html[-600:]
        assert "ほか" not in html
