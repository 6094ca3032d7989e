"""The charts of /japan: Japan's population, age groups, TFR, birth rate and the Tokyo area's net migration, each a
spec over the national series `sousei.query` reads."""

from __future__ import annotations

from collections.abc import Callable

from sousei.charts.spec import Chart, Series, series_of_dicts
from sousei.query import Warehouse

NATIONAL_CHARTS: dict[str, Callable[[Warehouse], Chart]] = {}
AGE_GROUP_LABELS = {"0-14": "年少人口（0〜14歳）", "15-64": "生産年齢人口（15〜64歳）", "65+": "老年人口（65歳以上）"}


def national_chart(fn: Callable[[Warehouse], Chart]) -> Callable[[Warehouse], Chart]:
    NATIONAL_CHARTS[fn.__name__.removeprefix("national_")] = fn
    return fn


@national_chart
def national_population(wh: Warehouse) -> Chart:
    series: list[Series] = []
    if (census := wh.national_census_totals()) is not None:
        series.append(series_of_dicts(census, "国勢調査（実績）"))
    for fert, name in (("medium", "中位"), ("high", "高位"), ("low", "低位")):
        if (rows := wh.ipss2017_national_totals(fert)) is not None:
            series.append(series_of_dicts(rows, f"社人研 2017年推計（出生{name}・死亡中位）", dash=True))
    sources = ["national_series"]
    if (ipss2023 := wh.ipss2023_national_totals()) is not None:
        series.append(series_of_dicts(ipss2023, "社人研 2023年推計（地域別推計の都道府県計＝全国中位）", dash=True))
        sources.append("ipss_2023_regional_totals")
    return Chart(
        "population",
        "日本の総人口（1920〜2065年）",
        "line",
        "年",
        "人口（人）",
        series,
        tuple(sources),
        note="社人研「日本の将来推計人口（平成29年推計）」は2065年まで（2066〜2070年の参考推計は未収録）。"
        "2023年推計は地域別推計（2020〜2050年）の都道府県の合計",
    )


@national_chart
def national_age_groups(wh: Warehouse) -> Chart:
    groups = wh.national_age_groups()
    series = [series_of_dicts(groups[group], label) for group, label in AGE_GROUP_LABELS.items()]
    return Chart(
        "age_groups",
        "年齢3区分別人口（実績と推計）",
        "line",
        "年",
        "人口（人）",
        series,
        ("national_series",),
        note="1920〜2020年は国勢調査（年齢不詳を除く）、2025年以降は社人研2017年推計（中位）",
    )


@national_chart
def national_tfr(wh: Warehouse) -> Chart:
    series: list[Series] = []
    if (rows := wh.national_tfr()) is not None:
        series.append(series_of_dicts(rows, "合計特殊出生率（実績）", y="tfr", digits=2))
    return Chart(
        "tfr",
        "合計特殊出生率（実績）",
        "line",
        "年",
        "合計特殊出生率（人）",
        series,
        ("national_series",),
        note="将来推計の仮定値（出生率の推計値）はデータ束に未収録のため実績のみ表示",
    )


@national_chart
def national_births(wh: Warehouse) -> Chart:
    series: list[Series] = []
    if (rows := wh.national_birth_rate()) is not None:
        series.append(series_of_dicts(rows, "出生率（人口千対、実績）", y="cbr_per_1000", digits=1))
    return Chart(
        "births",
        "出生率（人口千対）",
        "line",
        "年",
        "出生率（人口千対）",
        series,
        ("national_series",),
        note="出生数そのものの系列と推計値はデータ束に未収録",
    )


@national_chart
def national_tokyo_migration(wh: Warehouse) -> Chart:
    series: list[Series] = []
    if (rows := wh.tokyo_area_net_migration()) is not None:
        series.append(series_of_dicts(rows, "東京圏の転入超過数（日本人）"))
    return Chart(
        "tokyo_migration",
        "東京圏（埼玉・千葉・東京・神奈川）への転入超過数",
        "bar",
        "年",
        "転入超過数（人）",
        series,
        ("tokyo_area_net_migration",),
        note="男女別・年齢別の系列はデータ束に未収録",
    )
