"""The charts of the 人口移動 tab."""

from __future__ import annotations

from sousei.charts.registry import MIGRATION_SOURCES, SEX_COLOR, YOUTH_AGES, municipal_chart
from sousei.charts.spec import Chart, Series, series_of
from sousei.query import Warehouse


@municipal_chart("migration")
def chart_net_migration(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    rows = wh.net_migration_rates(code, "2015-2020")
    if rows is not None:
        for sex, label in (("female", "女性"), ("male", "男性")):
            series.append(series_of([(a, n) for sx, a, n, _ in rows if sx == sex], label))
            series[-1].color = SEX_COLOR[sex]
    return Chart(
        "net_migration",
        "年齢・男女別の純移動数（2015→2020年）",
        "bar",
        "年齢（2020年）",
        "純移動数（人）",
        series,
        MIGRATION_SOURCES,
        tab="migration",
        extra={"highlight": list(YOUTH_AGES)},
        note="国勢調査のコーホート残差法（全国の生残率）。正＝転入超過。網掛けは若い世代（15〜34歳）",
    )


@municipal_chart("migration")
def chart_net_migration_rate(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    rows = wh.net_migration_rates(code, "2015-2020")
    if rows is not None:
        for sex, label in (("female", "女性"), ("male", "男性")):
            series.append(series_of([(a, r) for sx, a, _, r in rows if sx == sex], label, digits=1))
            series[-1].color = SEX_COLOR[sex]
    return Chart(
        "net_migration_rate",
        "年齢・男女別の純移動率（2015→2020年）",
        "line",
        "年齢（2020年）",
        "純移動率（5年前の人口に対する%）",
        series,
        MIGRATION_SOURCES,
        tab="migration",
        extra={"highlight": list(YOUTH_AGES)},
        note="純移動数÷5年前の同じコーホートの人口。網掛けは15〜34歳",
    )


@municipal_chart("migration")
def chart_youth_migration(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    rows = wh.youth_net_migration(code)
    if rows is not None:
        for sex, label in (("female", "女性"), ("male", "男性")):
            series.append(series_of([(p, n) for p, sx, n in rows if sx == sex], f"{label}（15〜34歳）"))
            series[-1].color = SEX_COLOR[sex]
    return Chart(
        "youth_migration",
        "若い世代（15〜34歳）の純移動数の推移",
        "line",
        "期間",
        "純移動数（人）",
        series,
        MIGRATION_SOURCES,
        tab="migration",
        note="期間末の年齢15〜34歳の純移動数（コーホート残差法）",
    )


@municipal_chart("migration")
def chart_moves(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    rows = wh.movers(code)
    if rows is not None:
        for item, label in (("A5101", "転入者数"), ("A5102", "転出者数")):
            series.append(series_of([(y, v) for i, y, v in rows if i == item], label, digits=None))
    return Chart(
        "moves",
        "転入者数・転出者数（日本人移動者）",
        "line",
        "年",
        "人数（人）",
        series,
        ("ssdse_a",),
        tab="migration",
        note="住民基本台帳人口移動報告（SSDSE-A 収録）",
    )
