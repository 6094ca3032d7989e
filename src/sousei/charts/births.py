"""The charts of the 出生 tab."""

from __future__ import annotations

from sousei.charts.registry import JAPAN, municipal_chart
from sousei.charts.spec import Chart, Series, rounded, series_of
from sousei.query import Warehouse


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
        "births",
        "出生数の推移（最初の年＝100）",
        "line",
        "年",
        "指数（最初の年＝100）",
        series,
        ("ssdse_a",),
        tab="births",
        note="人口動態統計（SSDSE-A 収録）。全国は1,741市区町村の合計",
    )


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
        "tfr",
        "合計特殊出生率（ベイズ推定値）",
        "bar",
        "比較対象",
        "合計特殊出生率（人）",
        series,
        ("tfr_2008_2012", "tfr_2018_2022"),
        tab="births",
        note="比較値は市区町村の推定値の単純平均。合併等で対応しない市区町村は値なし",
    )


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
        "walls",
        "出生の壁：全国との差の要因分解",
        "bar",
        "要因",
        "対数差（負＝全国より少ない）",
        series,
        ("ssdse_a", "census_2020_sex_age5", "unmarried_rates_2025"),
        tab="births",
        note="出生数（2020〜23年平均）÷25〜39歳女性の全国比の対数＝結婚の要因（有配偶割合）＋夫婦の出生の要因。"
        "−0.05以下を「壁」とする（第2子以降の壁は出生順位のデータがないための代理指標）",
    )


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
        "unmarried",
        "未婚率（2025年）",
        "line",
        "年齢",
        "未婚率（%）",
        series,
        ("unmarried_rates_2025",),
        tab="births",
        note="令和7年国勢調査（不詳補完値）",
    )
