"""The charts' registry: the tabs, the shared constants, and the decorator each tab's module registers its charts with
(in tab order: the package imports the tab modules in the order of TABS)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sousei.charts.spec import Chart, Series, rounded
from sousei.domain.projection.labels import PATTERN1_LABEL
from sousei.query import Warehouse

TABS: dict[str, str] = {
    "overview": "概要",
    "births": "出生",
    "migration": "人口移動",
    "women": "女性の就業",
    "industry": "産業",
    "living": "生活環境",
    "projection": "将来推計",
    "cases": "好事例",
}
# The indicator family whose comparison table a tab shows.
TAB_FAMILY = {
    "overview": "population",
    "births": "births",
    "migration": "migration",
    "women": "women_work",
    "industry": "economy",
    "living": "living",
}
# 概要's 偏差値 at a glance: two indicators per family (registry ids).
KEY_INDICATORS = (
    "pop_change_5y_pct",
    "pop_aging_rate_pct",
    "tfr_bayes",
    "women_20_39_change_5y_pct",
    "net_migration_rate_15_29_pct",
    "net_migration_rate_20_39_female_pct",
    "women_employment_rate_pct",
    "women_labour_force_rate_pct",
    "econ_income_per_taxpayer",
    "econ_fiscal_strength_index",
    "living_doctors_per_10000",
    "living_food_access_difficulty_65plus_pct",
)
YOUTH_AGES = ("15-19", "20-24", "25-29", "30-34")
SEX_COLOR = {"female": "#d6336c", "male": "#5b7fb0"}  # a series of one sex carries its colour (Series.color)
PYRAMID_SIDE = {"male": "left", "female": "right"}
# パターン1 is IPSS 2023 to 2050 and the engine's extension after (docs/methods/projection.md, "Anchoring")
SCENARIO_NAMES = {
    "pattern1": f"パターン1（{PATTERN1_LABEL}）",
    "sim1": "シミュレーション1（出生率上昇）",
    "sim2": "シミュレーション2（出生率上昇＋移動ゼロ）",
    "closed": "封鎖人口（移動ゼロ）",
    "ccr": "コーホート変化率法",
}
MIGRATION_SOURCES = ("census_1980_2015_sex_age5", "census_2020_sex_age5", "national_series")
JAPAN = "00000"


ChartFn = Callable[[Warehouse, str], Chart]
MUNICIPAL_CHARTS: dict[str, ChartFn] = {}
CHART_TAB: dict[str, str] = {}


def municipal_chart(tab: str) -> Callable[[ChartFn], ChartFn]:
    def register(fn: ChartFn) -> ChartFn:
        name = fn.__name__.removeprefix("chart_")
        MUNICIPAL_CHARTS[name] = fn
        CHART_TAB[name] = tab
        return fn

    return register


def charts_for_tab(wh: Warehouse, code: str, tab: str) -> list[Chart]:
    return [fn(wh, code) for name, fn in MUNICIPAL_CHARTS.items() if CHART_TAB[name] == tab]


def comparison(wh: Warehouse, code: str, indicator_id: str) -> tuple[list[str], list[float | None], dict[str, Any]]:
    """This municipality, its prefecture, its peer group and Japan for one registry indicator (latest year)."""
    row = wh.comparison(code, indicator_id)
    if row is None:
        return [], [], {}
    d = row["digits"] + 1
    return (
        ["当該市区町村", "都道府県", f"類似団体（{row['peer_group']}）平均", row["national_label"]],
        [rounded(row[k], d) for k in ("value", "prefecture", "peer_mean", "national")],
        row,
    )


def comparison_chart(wh: Warehouse, code: str, chart_id: str, indicator_id: str, tab: str) -> Chart:
    labels, values, row = comparison(wh, code, indicator_id)
    ind = wh.indicator(indicator_id)
    meta = ind.meta if ind else {"name": indicator_id, "unit": "", "sources": [], "year": None, "caveat": None}
    title = f"{meta['name']}（{meta['year']}年）" if meta["year"] else meta["name"]
    return Chart(
        chart_id,
        title,
        "bar",
        "比較対象",
        f"{meta['name']}（{meta['unit']}）" if meta["unit"] else meta["name"],
        [Series(meta["name"], labels, values)] if labels and values[0] is not None else [],
        tuple(meta["sources"]),
        tab=tab,
        note="指標の定義は指標レジストリ（out_indicators__registry）による",
    )
