"""The charts of the 概要 tab."""

from __future__ import annotations

from typing import Any

from sousei.charts.registry import KEY_INDICATORS, PYRAMID_SIDE, municipal_chart
from sousei.charts.spec import Chart, Series, rounded, series_of
from sousei.domain.projection.labels import PATTERN1_LABEL
from sousei.query import Warehouse


@municipal_chart("overview")
def chart_population(wh: Warehouse, code: str) -> Chart:
    """Total population: census 1980–2020 and the IPSS projections."""
    series: list[Series] = []
    sources: list[str] = []
    census = wh.census_population_totals(code)
    if census is not None:
        series.append(series_of(census, "国勢調査（実績）"))
        sources += ["census_1980_2015_sex_age5", "census_2020_sex_age5"]
    if ipss2023 := wh.ipss2023_totals(code):
        series.append(series_of(ipss2023, "社人研 2023年推計", dash=True))
        sources.append("ipss_2023_regional_totals")
    if ipss2018 := wh.ipss2018_totals(code):
        series.append(series_of(ipss2018, "社人研 2018年推計", dash=True))
        sources.append("ipss_2018_regional")
    return Chart("population", "総人口の推移", "line", "年", "人口（人）", series, tuple(sources))


@municipal_chart("overview")
def chart_pyramid(wh: Warehouse, code: str) -> Chart:
    """Population pyramid: census 2020 as bars, census 1980 and the 2050 projection (パターン1) as outlines."""
    series: list[Series] = []
    sources = ["census_2020_sex_age5", "census_1980_2015_sex_age5"]
    census = wh.census_pyramid(code)
    if census is not None:
        for year, kind in ((2020, "bar"), (1980, "line")):
            for sex, label in (("male", "男性"), ("female", "女性")):
                s = series_of([(a, p) for y, sx, a, p in census if y == year and sx == sex], f"{label} {year}年")
                s.kind, s.side = kind, PYRAMID_SIDE[sex]
                series.append(s)
    projected = wh.projected_pyramid_2050(code)
    if projected is not None and wh.projection_unit(code) == code:
        for sex, label in (("male", "男性"), ("female", "女性")):
            s = series_of([(a, p) for sx, a, p in projected if sx == sex], f"{label} 2050年（推計）", dash=True)
            s.kind, s.side = "line", PYRAMID_SIDE[sex]
            series.append(s)
        sources += ["national_series", "ipss_2023_regional_totals"]
    return Chart(
        "pyramid",
        "人口ピラミッド（1980・2020・2050年）",
        "pyramid",
        "年齢",
        "人口（人）",
        series,
        tuple(sources),
        note=f"国勢調査（年齢不詳は按分）。2050年はパターン1（{PATTERN1_LABEL}）：0〜14歳・15〜64歳・65歳以上の"
        "人数は社人研（令和5年推計）、男女・5歳階級の内訳は本ツールの推計",
    )


def key_scores(wh: Warehouse, code: str) -> list[dict[str, Any]]:
    """The key indicators of 概要 with their comparisons (those in this warehouse)."""
    return [r for r in (wh.comparison(code, i) for i in KEY_INDICATORS) if r is not None]


@municipal_chart("overview")
def chart_scores(wh: Warehouse, code: str) -> Chart:
    """Oriented 偏差値 of the key indicators (全国比較, higher = better)."""
    rows = [r for r in key_scores(wh, code) if r["oriented_japan"] is not None]
    rows.reverse()  # Plotly draws horizontal bars bottom-up: the first key indicator on top
    series = [Series("偏差値（全国）", [r["name"] for r in rows], [rounded(r["oriented_japan"], 1) for r in rows])]
    sources = sorted({s for r in rows for s in r["sources"]})
    return Chart(
        "scores",
        "主な指標の偏差値（全国の市区町村と比較）",
        "hbar",
        "指標",
        "偏差値",
        series,
        tuple(sources),
        note="偏差値＝50＋10×（値−中心）÷散らばり（全国の市区町村、最新年。中心と散らばりは上下1%を丸めた値から。"
        "0〜100で表示）。「低いほど良い」指標は向きを反転し、"
        "高いほど良い状態を表す",
    )
