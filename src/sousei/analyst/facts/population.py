"""The population as counted: census totals and age shares, natural and social change (住民基本台帳), net migration
of the young by sex."""

from __future__ import annotations

from typing import Any

from sousei.analyst.factbook import FactBook
from sousei.analyst.facts.common import (
    CENSUS,
    CENSUS_SOURCES,
    COMPARISONS,
    TREND_YEARS,
    VITAL_WINDOWS,
    YOUTH_AGE_STARTS,
)
from sousei.query import Warehouse


def add_population(wh: Warehouse, fb: FactBook, code: str, pref: str) -> None:
    rows = {r["year"]: r for r in wh.census_age_groups(code)}
    for year in TREND_YEARS:
        if year in rows:
            fb.add(
                f"pop.total.{year}",
                "総人口",
                rows[year]["total"],
                "人",
                table=CENSUS,
                sources=CENSUS_SOURCES,
                year=year,
            )
    first, last = min(rows, default=None), max(rows, default=None)
    if first is None or last is None:
        return
    fb.lists["pop.years"] = [str(y) for y in TREND_YEARS if y in rows]
    for span in ((first, last), (2015, 2020)):
        a, b = span
        if a in rows and b in rows and rows[a]["total"]:
            for area, label in ((code, "当該団体"), (pref, "都道府県"), ("00000", "全国")):
                r = {x["year"]: x for x in wh.census_age_groups(area)}
                if a in r and b in r and r[a]["total"]:
                    key = "self" if area == code else "pref" if area == pref else "japan"
                    fb.add(
                        f"pop.change.{a}_{b}.{key}",
                        f"総人口の増減率（{a}→{b}年）",
                        (r[b]["total"] / r[a]["total"] - 1) * 100,
                        "%",
                        1,
                        table=CENSUS,
                        sources=CENSUS_SOURCES,
                        year=f"{a}〜{b}年",
                        comparison=label,
                        signed=True,
                    )
    peer = wh.comparison(code, "pop_change_5y_pct")
    if peer is not None and peer["year"] == 2020 and peer["peer_mean"] is not None:
        label = "総人口の増減率（2015→2020年）"
        fb.add(
            "pop.change.2015_2020.peer",
            label,
            peer["peer_mean"],
            "%",
            1,
            table=COMPARISONS,
            sources=", ".join(peer["sources"]),
            year="2015〜2020年",
            comparison=f"類似団体（{peer['peer_group']}）平均",
            signed=True,
        )
    japan = {r["year"]: r for r in wh.census_age_groups("00000")}
    for group, label in (
        ("age_0_14", "年少人口（0〜14歳）割合"),
        ("age_15_64", "生産年齢人口（15〜64歳）割合"),
        ("age_65_plus", "老年人口（65歳以上）割合"),
    ):
        for year in (first, last):
            fb.add(
                f"pop.share.{group}.{year}",
                label,
                rows[year][group] / rows[year]["total"] * 100,
                "%",
                1,
                table=CENSUS,
                sources=CENSUS_SOURCES,
                year=year,
            )
        if last in japan:
            fb.add(
                f"pop.share.{group}.{last}.japan",
                label,
                japan[last][group] / japan[last]["total"] * 100,
                "%",
                1,
                table=CENSUS,
                sources=CENSUS_SOURCES,
                year=last,
                comparison="全国",
            )
    fb.add("pop.first_year", "最初の国勢調査年", first, "年", table=CENSUS, sources=CENSUS_SOURCES, text=str(first))
    fb.add("pop.last_year", "最新の国勢調査年", last, "年", table=CENSUS, sources=CENSUS_SOURCES, text=str(last))


def add_vital_change(wh: Warehouse, fb: FactBook, code: str) -> None:
    rows = {r["period"]: r for r in wh.vital_dynamics(code)}
    table, src = "core_juki__population_dynamics", "juki_population_dynamics"
    kept = []
    for i, (label, periods) in enumerate(VITAL_WINDOWS):
        sel = [rows[p] for p in periods if p in rows]
        if len(sel) != len(periods):
            continue
        kept.append(str(i))
        for key, name in (
            ("births_persons", "出生数"),
            ("deaths_persons", "死亡数"),
            ("natural_change_persons", "自然増減数"),
            ("social_change_persons", "社会増減数"),
        ):
            total = sum(r[key] or 0.0 for r in sel)
            fb.add(
                f"vital.{i}.{key.removesuffix('_persons')}",
                f"{name}（5年間の合計）",
                total,
                "人",
                table=table,
                sources=src,
                year=label,
                signed=key.endswith("change_persons"),
            )
    fb.lists["vital.windows"] = kept
    fb.add("vital.foreign_from", "外国人住民を含む最初の年度", "2012年度", text="2012年度", table=table, sources=src)
    fb.add("vital.calendar_from", "暦年集計の最初の年", "2013年", text="2013年", table=table, sources=src)
    for i, (label, _) in enumerate(VITAL_WINDOWS):
        fb.add(f"vital.{i}.label", "期間", label, text=label, table=table, sources=src, year=label)


def add_migration(wh: Warehouse, fb: FactBook, code: str) -> None:
    rows = wh.net_migration_by_sex_age(code)
    if not rows:
        return
    common: dict[str, Any] = {
        "table": "out_migration__net_by_sex_age",
        "sources": "census_1980_2015_sex_age5, census_2020_sex_age5, national_series",
    }
    periods = sorted({r["period"] for r in rows})
    last, first = periods[-1], periods[0]
    for period in (first, last):
        for sex, label in (("female", "女性"), ("male", "男性")):
            net = sum(
                r["net_migrants"]
                for r in rows
                if r["period"] == period and r["sex"] == sex and r["age_start"] in YOUTH_AGE_STARTS
            )
            fb.add(
                f"mig.youth.{period}.{sex}",
                f"{label}15〜34歳の純移動数",
                net,
                "人",
                year=_period(period),
                signed=True,
                **common,
            )
    for sex, label in (("female", "女性"), ("male", "男性")):
        r = next((r for r in rows if r["period"] == last and r["sex"] == sex and r["age_start"] == 20), None)
        if r is not None and r["start_persons"]:
            fb.add(
                f"mig.rate_20_24.{sex}",
                f"{label}20〜24歳の純移動率",
                r["net_migrants"] / r["start_persons"] * 100,
                "%",
                1,
                year=_period(last),
                signed=True,
                **common,
            )
    fb.lists["mig.periods"] = [first, last]
    for period in (first, last):
        fb.add(f"mig.period.{period}", "期間", period, text=_period(period), year=_period(period), **common)


def _period(period: str) -> str:
    a, b = period.split("-")
    return f"{a}→{b}年"
