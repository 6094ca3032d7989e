"""The charts of the 将来推計 tab."""

from __future__ import annotations

from sousei.charts.registry import SCENARIO_NAMES, municipal_chart
from sousei.charts.spec import Chart, series_of
from sousei.domain.projection.labels import PATTERN1_LABEL
from sousei.query import Warehouse


@municipal_chart("projection")
def chart_scenarios(wh: Warehouse, code: str) -> Chart:
    rows = wh.projection_totals(code)
    series = []
    for sc, name in SCENARIO_NAMES.items():
        sel = [(r["year"], r["persons"]) for r in rows if r["scenario"] == sc]
        if sel:
            series.append(series_of(sel, name, dash=sc != "pattern1"))
    unit = wh.projection_unit(code)
    note = (
        f"パターン1は{PATTERN1_LABEL}。シミュレーション1・2と封鎖人口はパターン1と同じ仮定値から本ツールで推計"
        "（コーホート要因法）、コーホート変化率法は本ツールの推計"
    )
    if unit != code:
        note += "。浜通り地域13市町村は社人研と同じく一体（浜通り地域、07999）で推計し、この図は浜通り地域全体の値"
    return Chart(
        "scenarios",
        "将来人口の推計（シナリオ別）",
        "line",
        "年",
        "人口（人）",
        series,
        ("census_2020_sex_age5", "national_series", "ipss_2023_regional_totals"),
        tab="projection",
        note=note,
    )
