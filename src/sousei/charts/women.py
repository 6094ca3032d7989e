"""The charts of the 女性の就業 tab."""

from __future__ import annotations

import re

from sousei.charts.registry import comparison_chart, municipal_chart
from sousei.charts.spec import Chart, Series, rounded
from sousei.estat import NOTICE as ESTAT_NOTICE
from sousei.query import Warehouse


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
        "labour_force",
        "労働力率（15歳以上）",
        "bar",
        "性別",
        "労働力率（%）",
        series,
        ("ssdse_a",),
        tab="women",
        note="国勢調査（SSDSE-A 収録）：（就業者＋完全失業者）÷（就業者＋完全失業者＋非労働力人口）",
    )


@municipal_chart("women")
def chart_women_labour_compare(wh: Warehouse, code: str) -> Chart:
    return comparison_chart(wh, code, "women_labour_compare", "women_labour_force_rate_pct", "women")


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
        chart_id,
        title,
        "line",
        "年齢",
        y_label,
        series,
        tuple(sorted(sources)) or ("estat_api",),
        tab="women",
        notice=ESTAT_NOTICE,
        note="国勢調査の年齢別就業データ（e-Stat API で取得したとき表示）"
        + ("" if labels else "。未取得のため表示できません"),
    )


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
