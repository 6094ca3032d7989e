"""Every chart of a municipality's tabs, defined once: the page draws it and the CSV download writes exactly its data
(the /japan charts are in national_charts.py, the spec itself in chart_spec.py).

A chart is a declarative spec (kind, titles, series, sources, note) over data it is handed by named reads of
`sousei.query` (each read once per process over the whole table and grouped by code in memory, so drawing a chart
scans nothing). The numbers are the warehouse's: the indicator registry's comparisons, and out_dashboard__* for the
series no other table holds (births index, TFR means, labour-force rate by sex, industry shares); a chart only picks,
orders and rounds them for display.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sousei.domain.projection.labels import PATTERN1_LABEL
from sousei.estat import NOTICE as ESTAT_NOTICE
from sousei.query import Warehouse
from sousei.web.chart_spec import Chart, Series, rounded, series_of
from sousei.web.national_charts import NATIONAL_CHARTS  # noqa: F401  (re-exported: app and tests read both here)

# Each `Chart(...)` call below keeps its positional fields (id, title, kind, x label, y label, series, sources) packed
# with `# fmt: skip`: one field per line would put this module at 569 lines, over the 500-line limit.
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


def _comparison(wh: Warehouse, code: str, indicator_id: str) -> tuple[list[str], list[float | None], dict[str, Any]]:
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


def _comparison_chart(wh: Warehouse, code: str, chart_id: str, indicator_id: str, tab: str) -> Chart:
    labels, values, row = _comparison(wh, code, indicator_id)
    ind = wh.indicator(indicator_id)
    meta = ind.meta if ind else {"name": indicator_id, "unit": "", "sources": [], "year": None, "caveat": None}
    title = f"{meta['name']}（{meta['year']}年）" if meta["year"] else meta["name"]
    return Chart(
        chart_id, title, "bar", "比較対象", f"{meta['name']}（{meta['unit']}）" if meta["unit"] else meta["name"],
        [Series(meta["name"], labels, values)] if labels and values[0] is not None else [], tuple(meta["sources"]),
        tab=tab, note="指標の定義は指標レジストリ（out_indicators__registry）による",
    )  # fmt: skip


# -- 概要 ---------------------------------------------------------------------------------------------------


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
        "pyramid", "人口ピラミッド（1980・2020・2050年）", "pyramid", "年齢", "人口（人）", series, tuple(sources),
        note=f"国勢調査（年齢不詳は按分）。2050年はパターン1（{PATTERN1_LABEL}）：0〜14歳・15〜64歳・65歳以上の"
        "人数は社人研（令和5年推計）、男女・5歳階級の内訳は本ツールの推計",
    )  # fmt: skip


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
        "scores", "主な指標の偏差値（全国の市区町村と比較）", "hbar", "指標", "偏差値", series, tuple(sources),
        note="偏差値＝50＋10×（値−中心）÷散らばり（全国の市区町村、最新年。中心と散らばりは上下1%を丸めた値から。"
        "0〜100で表示）。「低いほど良い」指標は向きを反転し、"
        "高いほど良い状態を表す",
    )  # fmt: skip


# -- 出生 ---------------------------------------------------------------------------------------------------


@municipal_chart("births")
def chart_births(wh: Warehouse, code: str) -> Chart:
    """出生数 (first year = 100), the municipality against Japan (sum of the 1,741): out_dashboard__births_index."""
    series: list[Series] = []
    if (own := wh.births_index(code)) is not None:
        if own:
            series.append(series_of(own, "当該市区町村", digits=1))
        if japan := wh.births_index(JAPAN):
            series.append(series_of(japan, "全国", dash=True, digits=1))
    return Chart(
        "births", "出生数の推移（最初の年＝100）", "line", "年", "指数（最初の年＝100）", series, ("ssdse_a",),
        tab="births", note="人口動態統計（SSDSE-A 収録）。全国は1,741市区町村の合計",
    )  # fmt: skip


@municipal_chart("births")
def chart_tfr(wh: Warehouse, code: str) -> Chart:
    """The municipality's TFR estimates beside the simple means of its prefecture's, its peer group's and Japan's
    municipalities (out_dashboard__tfr_means)."""
    series: list[Series] = []
    own = wh.tfr_estimates(code)
    if own is not None:
        muni = wh.municipality(code) or {}
        means = wh.tfr_means()
        labels = ["当該市区町村", "県内市区町村平均", "類似団体平均", "全国市区町村平均"]
        for period in ("2008-2012", "2018-2022"):
            m = means.get(period, {})
            vals = [
                own.get(period),
                m.get(("prefecture", muni.get("pref_code"))),
                m.get(("peer_group", muni.get("peer_group"))),
                m.get(("japan", JAPAN)),
            ]
            series.append(Series(f"{period}年", labels, [rounded(v, 2) for v in vals]))
    return Chart(
        "tfr", "合計特殊出生率（ベイズ推定値）", "bar", "比較対象", "合計特殊出生率（人）", series,
        ("tfr_2008_2012", "tfr_2018_2022"), tab="births",
        note="比較値は市区町村の推定値の単純平均。合併等で対応しない市区町村は値なし",
    )  # fmt: skip


@municipal_chart("births")
def chart_walls(wh: Warehouse, code: str) -> Chart:
    """The births gap against Japan split into the marriage and the marital-fertility factor (out_walls__…)."""
    w = wh.walls(code)
    series: list[Series] = []
    if w is not None:
        labels = ["出生の差（全国比）", "うち結婚の要因", "うち夫婦の出生の要因"]
        keys = ("births_gap", "marriage_factor", "marital_fertility_factor")
        series.append(Series("対数差（0＝全国並み）", labels, [rounded(w[k], 3) for k in keys]))
    return Chart(
        "walls", "出生の壁：全国との差の要因分解", "bar", "要因", "対数差（負＝全国より少ない）", series,
        ("ssdse_a", "census_2020_sex_age5", "unmarried_rates_2025"), tab="births",
        note="出生数（2020〜23年平均）÷25〜39歳女性の全国比の対数＝結婚の要因（有配偶割合）＋夫婦の出生の要因。"
        "−0.05以下を「壁」とする（第2子以降の壁は出生順位のデータがないための代理指標）",
    )  # fmt: skip


@municipal_chart("births")
def chart_unmarried(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    for area, label in ((code, "当該市区町村"), (code[:2] + "000", "都道府県"), (JAPAN, "全国")):
        rows = wh.unmarried_rates(area)
        if rows is None:
            break
        for sex, s_label in (("female", "女性"), ("male", "男性")):
            s = series_of([(a, v) for sx, a, v in rows if sx == sex], f"{label}・{s_label}", digits=1)
            s.dash = sex == "male"
            series.append(s)
    return Chart(
        "unmarried", "未婚率（2025年）", "line", "年齢", "未婚率（%）", series, ("unmarried_rates_2025",),
        tab="births", note="令和7年国勢調査（不詳補完値）",
    )  # fmt: skip


# -- 人口移動 -------------------------------------------------------------------------------------------------


@municipal_chart("migration")
def chart_net_migration(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    rows = wh.net_migration_rates(code, "2015-2020")
    if rows is not None:
        for sex, label in (("female", "女性"), ("male", "男性")):
            series.append(series_of([(a, n) for sx, a, n, _ in rows if sx == sex], label))
            series[-1].color = SEX_COLOR[sex]
    return Chart(
        "net_migration", "年齢・男女別の純移動数（2015→2020年）", "bar", "年齢（2020年）", "純移動数（人）", series,
        MIGRATION_SOURCES, tab="migration", extra={"highlight": list(YOUTH_AGES)},
        note="国勢調査のコーホート残差法（全国の生残率）。正＝転入超過。網掛けは若い世代（15〜34歳）",
    )  # fmt: skip


@municipal_chart("migration")
def chart_net_migration_rate(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    rows = wh.net_migration_rates(code, "2015-2020")
    if rows is not None:
        for sex, label in (("female", "女性"), ("male", "男性")):
            series.append(series_of([(a, r) for sx, a, _, r in rows if sx == sex], label, digits=1))
            series[-1].color = SEX_COLOR[sex]
    return Chart(
        "net_migration_rate", "年齢・男女別の純移動率（2015→2020年）", "line", "年齢（2020年）",
        "純移動率（5年前の人口に対する%）", series, MIGRATION_SOURCES, tab="migration",
        extra={"highlight": list(YOUTH_AGES)},
        note="純移動数÷5年前の同じコーホートの人口。網掛けは15〜34歳",
    )  # fmt: skip


@municipal_chart("migration")
def chart_youth_migration(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    rows = wh.youth_net_migration(code)
    if rows is not None:
        for sex, label in (("female", "女性"), ("male", "男性")):
            series.append(series_of([(p, n) for p, sx, n in rows if sx == sex], f"{label}（15〜34歳）"))
            series[-1].color = SEX_COLOR[sex]
    return Chart(
        "youth_migration", "若い世代（15〜34歳）の純移動数の推移", "line", "期間", "純移動数（人）", series,
        MIGRATION_SOURCES, tab="migration",
        note="期間末の年齢15〜34歳の純移動数（コーホート残差法）",
    )  # fmt: skip


@municipal_chart("migration")
def chart_moves(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    rows = wh.movers(code)
    if rows is not None:
        for item, label in (("A5101", "転入者数"), ("A5102", "転出者数")):
            series.append(series_of([(y, v) for i, y, v in rows if i == item], label, digits=None))
    return Chart(
        "moves", "転入者数・転出者数（日本人移動者）", "line", "年", "人数（人）", series, ("ssdse_a",),
        tab="migration", note="住民基本台帳人口移動報告（SSDSE-A 収録）",
    )  # fmt: skip


# -- 女性の就業 ---------------------------------------------------------------------------------------------


@municipal_chart("women")
def chart_labour_force(wh: Warehouse, code: str) -> Chart:
    """Labour-force rate by sex (out_dashboard__labour_force_by_sex: women's are the registry's values)."""
    series: list[Series] = []
    rates = wh.labour_force_rates(code)
    if rates is not None:
        for year in (2015, 2020):
            series.append(
                Series(f"{year}年", ["女性", "男性"], [rounded(rates.get((year, s)), 1) for s in ("female", "male")])
            )
    return Chart(
        "labour_force", "労働力率（15歳以上）", "bar", "性別", "労働力率（%）", series, ("ssdse_a",), tab="women",
        note="国勢調査（SSDSE-A 収録）：（就業者＋完全失業者）÷（就業者＋完全失業者＋非労働力人口）",
    )  # fmt: skip


@municipal_chart("women")
def chart_women_labour_compare(wh: Warehouse, code: str) -> Chart:
    return _comparison_chart(wh, code, "women_labour_compare", "women_labour_force_rate_pct", "women")


def _estat_curve(wh: Warehouse, code: str, chart_id: str, title: str, prefix: str, y_label: str) -> Chart:
    """An M- or L-curve from the registry's age-specific e-Stat indicators (drawn only when e-Stat data is loaded)."""
    labels, own, pref, nat = [], [], [], []
    sources: set[str] = set()
    for meta in wh.indicators():
        iid = meta["indicator_id"]
        age = iid.removeprefix(prefix).removesuffix("_pct")
        if not iid.startswith(prefix) or not re.fullmatch(r"\d+_\d+", age):
            continue
        row = wh.comparison(code, iid)
        if row is None:
            continue
        labels.append(age.replace("_", "-"))
        own.append(rounded(row["value"], 1))
        pref.append(rounded(row["prefecture"], 1))
        nat.append(rounded(row["national"], 1))
        sources.update(meta["sources"])
    series = (
        [
            Series("当該市区町村", labels, own),
            Series("都道府県", labels, pref, dash=True),
            Series("全国", labels, nat, dash=True),
        ]
        if labels
        else []
    )
    return Chart(
        chart_id, title, "line", "年齢", y_label, series, tuple(sorted(sources)) or ("estat_api",), tab="women",
        notice=ESTAT_NOTICE,
        note="国勢調査の年齢別就業データ（e-Stat API で取得したとき表示）"
        + ("" if labels else "。未取得のため表示できません"),
    )  # fmt: skip


@municipal_chart("women")
def chart_m_curve(wh: Warehouse, code: str) -> Chart:
    return _estat_curve(wh, code, "m_curve", "女性の年齢別就業率（M字カーブ）", "women_employment_rate_", "就業率（%）")


@municipal_chart("women")
def chart_l_curve(wh: Warehouse, code: str) -> Chart:
    return _estat_curve(
        wh,
        code,
        "l_curve",
        "女性就業者の正規雇用割合（L字カーブ）",
        "women_regular_staff_share_",
        "正規の職員・従業員の割合（%）",
    )


# -- 産業 ---------------------------------------------------------------------------------------------------


@municipal_chart("industry")
def chart_industry_employment(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    shares = wh.industry_employment_shares(code, 2021)
    if shares:
        series.append(series_of(shares, "従業者の構成比", digits=1))
    return Chart(
        "industry_employment", "産業別従業者数の構成比（民営、2021年）", "hbar", "産業", "構成比（%）", series,
        ("ssdse_a",), tab="industry", note="経済センサス（SSDSE-A 収録）",
    )  # fmt: skip


@municipal_chart("industry")
def chart_specialization(wh: Warehouse, code: str) -> Chart:
    series: list[Series] = []
    rows = wh.specialization(code, 10)
    if rows is not None:
        series.append(series_of(list(reversed(rows)), "特化係数（従業者数）", digits=2))
    return Chart(
        "specialization", "特化係数の高い産業（従業者数、上位10）", "hbar", "産業", "特化係数（全国＝1）", series,
        ("resas_municipal_2016",), tab="industry", note="経済センサス-活動調査 2016（RESAS）",
    )  # fmt: skip


# -- 生活環境 -------------------------------------------------------------------------------------------------


@municipal_chart("living")
def chart_food_access(wh: Warehouse, code: str) -> Chart:
    return _comparison_chart(wh, code, "food_access", "living_food_access_difficulty_65plus_pct", "living")


@municipal_chart("living")
def chart_doctors(wh: Warehouse, code: str) -> Chart:
    return _comparison_chart(wh, code, "doctors", "living_doctors_per_10000", "living")


@municipal_chart("living")
def chart_childcare(wh: Warehouse, code: str) -> Chart:
    return _comparison_chart(wh, code, "childcare", "living_childcare_per_1000_children", "living")


# -- 将来推計 -------------------------------------------------------------------------------------------------


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
        "scenarios", "将来人口の推計（シナリオ別）", "line", "年", "人口（人）", series,
        ("census_2020_sex_age5", "national_series", "ipss_2023_regional_totals"), tab="projection", note=note,
    )  # fmt: skip
