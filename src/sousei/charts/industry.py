"""The charts of the 産業 tab."""

from __future__ import annotations

from sousei.charts.registry import municipal_chart
from sousei.charts.spec import Chart, Series, series_of
from sousei.query import Warehouse


@municipal_chart("industry")
def chart_industry_employment(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    shares = wh.industry_employment_shares(code, 2021)
    if shares:
        series.append(series_of(shares, "従業者の構成比", digits=1))
    return Chart(
        "industry_employment",
        "産業別従業者数の構成比（民営、2021年）",
        "hbar",
        "産業",
        "構成比（%）",
        series,
        ("ssdse_a",),
        tab="industry",
        note="経済センサス（SSDSE-A 収録）",
    )


@municipal_chart("industry")
def chart_specialization(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    rows = wh.specialization(code, 10)
    if rows is not None:
        series.append(series_of(list(reversed(rows)), "特化係数（従業者数）", digits=2))
    return Chart(
        "specialization",
        "特化係数の高い産業（従業者数、上位10）",
        "hbar",
        "産業",
        "特化係数（全国＝1）",
        series,
        ("resas_municipal_2016",),
        tab="industry",
        note="経済センサス-活動調査 2016（RESAS）",
    )
