"""The projections: the scenarios' totals, the 2050 aging share, the 人口戦略会議 classification and the impact
levels, and the plan's age groups under パターン1."""

from __future__ import annotations

from typing import Any

from sousei.analyst.factbook import FactBook
from sousei.analyst.facts.common import PLAN_YEARS, PROJECTION, PROJECTION_SOURCES, SCENARIOS
from sousei.query import Warehouse


def add_projection(wh: Warehouse, fb: FactBook, code: str) -> None:
    totals = wh.projection_totals(code)
    unit = wh.projection_unit(code)
    fb.add(
        "proj.unit",
        "推計の単位",
        unit,
        text="浜通り地域（13市町村一体）" if unit != code else "当該団体",
        table=PROJECTION,
        sources=PROJECTION_SOURCES,
    )
    by = {(r["scenario"], r["year"]): r["persons"] for r in totals}
    base = by.get(("pattern1", 2020))
    for sc, label in SCENARIOS.items():
        for year in (2020, 2040, 2050, 2070):
            if (sc, year) in by:
                fb.add(
                    f"proj.{sc}.{year}",
                    f"{label}の総人口",
                    by[(sc, year)],
                    "人",
                    table=PROJECTION,
                    sources=PROJECTION_SOURCES,
                    year=year,
                    comparison=label,
                )
                if base and year != 2020:
                    fb.add(
                        f"proj.{sc}.{year}.change",
                        f"{label}の総人口の増減率（2020→{year}年）",
                        (by[(sc, year)] / base - 1) * 100,
                        "%",
                        1,
                        table=PROJECTION,
                        sources=PROJECTION_SOURCES,
                        year=f"2020〜{year}年",
                        comparison=label,
                        signed=True,
                    )
    bands = wh.projection_age_bands(code)
    for year in (2020, 2050):
        sel = [b for b in bands if b["year"] == year]
        total = sum(b["persons"] for b in sel)
        if total:
            old = sum(b["persons"] for b in sel if b["age_start"] >= 65)
            fb.add(
                f"proj.aging.{year}",
                "老年人口（65歳以上）割合（パターン1）",
                old / total * 100,
                "%",
                1,
                table=PROJECTION,
                sources=PROJECTION_SOURCES,
                year=year,
            )
    s = wh.sustainability(code)
    if s is None:
        return
    common: dict[str, Any] = {"table": "out_projection__sustainability", "sources": PROJECTION_SOURCES}
    fb.add("sus.method", "分類の方法", "人口戦略会議（2024年）", text="人口戦略会議（2024年）", **common)
    fb.add(
        "sus.group",
        "人口戦略会議（2024年）の分類",
        s["sustainability_group"],
        text=s["sustainability_group"],
        year="2020→2050年",
        **common,
    )
    fb.add("sus.sub_class", "分類の区分（本プロジェクトの記号）", s["sub_class"], text=s["sub_class"], **common)
    fb.add("sus.women_2020", "20〜39歳女性人口", s["women_20_39_2020"], "人", year=2020, **common)
    fb.add("sus.women_2050", "20〜39歳女性人口（パターン1）", s["women_20_39_2050_baseline"], "人", year=2050, **common)
    fb.add(
        "sus.change_baseline",
        "20〜39歳女性人口の増減率（移動あり）",
        s["change_baseline_pct"],
        "%",
        1,
        year="2020〜2050年",
        comparison="パターン1",
        signed=True,
        **common,
    )
    fb.add(
        "sus.change_closed",
        "20〜39歳女性人口の増減率（封鎖人口）",
        s["change_closed_pct"],
        "%",
        1,
        year="2020〜2050年",
        comparison="封鎖人口",
        signed=True,
        **common,
    )
    fb.add(
        "sus.vanishing_2014",
        "日本創成会議（2014年）の消滅可能性都市",
        s["is_vanishing_2014"],
        text="該当" if s["is_vanishing_2014"] else "非該当",
        **common,
    )
    if s.get("natural_impact_level") is not None:
        imp: dict[str, Any] = {"table": "out_projection__impact", "sources": PROJECTION_SOURCES, "year": s["year"]}
        fb.add("impact.natural_level", "自然増減の影響度（5段階）", s["natural_impact_level"], "", **imp)
        fb.add("impact.social_level", "社会増減の影響度（5段階）", s["social_impact_level"], "", **imp)
        fb.add("impact.natural_ratio", "シミュレーション1÷パターン1", s["natural_ratio_pct"], "%", 1, **imp)
        fb.add("impact.social_ratio", "シミュレーション2÷シミュレーション1", s["social_ratio_pct"], "%", 1, **imp)
        fb.add("impact.year", "影響度の年", s["year"], text=str(s["year"]), **imp)


FUTURE_GROUPS = (
    ("school", "5〜14歳（小・中学生年代の目安）", lambda a: 5 <= a <= 10),
    ("working", "生産年齢人口（15〜64歳）", lambda a: 15 <= a <= 60),
    ("old75", "75歳以上人口", lambda a: a >= 75),
)


def add_future(wh: Warehouse, fb: FactBook, code: str) -> None:
    bands = wh.projection_age_bands(code)
    if not bands:
        return
    common: dict[str, Any] = {"table": PROJECTION, "sources": PROJECTION_SOURCES, "comparison": "パターン1"}
    for key, label, pick in FUTURE_GROUPS:
        base = sum(b["persons"] for b in bands if b["year"] == 2020 and pick(b["age_start"]))
        for year in PLAN_YEARS:
            v = sum(b["persons"] for b in bands if b["year"] == year and pick(b["age_start"]))
            fb.add(f"future.{key}.{year}", label, v, "人", year=year, **common)
            if year != 2020 and base:
                fb.add(
                    f"future.{key}.{year}.change",
                    f"{label}の増減率（2020→{year}年）",
                    (v / base - 1) * 100,
                    "%",
                    1,
                    year=f"2020〜{year}年",
                    signed=True,
                    **common,
                )
    fb.lists["future.groups"] = [k for k, _, _ in FUTURE_GROUPS]
