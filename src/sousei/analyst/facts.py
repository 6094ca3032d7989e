"""Gather every figure of one municipality's report through the read layer into a FactBook.

Nothing here writes prose; `narrative` reads only the FactBook this returns. Fact ids are stable names
(`pop.total.2020`, `ind.tfr_bayes.national`, `issue.1.value` …) so that the golden files diff cleanly.
"""

from __future__ import annotations

from typing import Any

from sousei.analyst import ANALYST_VERSION
from sousei.analyst.factbook import FactBook
from sousei.analyst.phrasing import DEVIANT_SCORE, FLAT_CHANGE_PCT, LEVEL_WORDS
from sousei.domain import diagnosis
from sousei.domain.projection.labels import PATTERN1_LABEL
from sousei.query import Warehouse

CENSUS = "core_census__population_by_sex_age"
CENSUS_SOURCES = "census_1980_2015_sex_age5, census_2020_sex_age5"
COMPARISONS = "out_indicators__comparisons"
PROJECTION = "out_projection__population"
# パターン1 reproduces IPSS 2023 to 2050 (issue 9); the engine rests on the census and the national life tables.
PROJECTION_SOURCES = "ipss_2023_regional_totals, census_2020_sex_age5, national_series"
TREND_YEARS = (1980, 1990, 2000, 2010, 2015, 2020)
PLAN_YEARS = (2020, 2030, 2040, 2050)
SCENARIOS = {"pattern1": "パターン1", "sim1": "シミュレーション1", "sim2": "シミュレーション2"}
# Windows of the 住民基本台帳 series for natural and social change (fiscal years to FY2012, calendar years after;
# foreign residents are counted from FY2012 on, which the text says).
VITAL_WINDOWS = (
    ("1995〜99年度", ("FY1995", "FY1996", "FY1997", "FY1998", "FY1999")),
    ("2005〜09年度", ("FY2005", "FY2006", "FY2007", "FY2008", "FY2009")),
    ("2017〜21年", ("CY2017", "CY2018", "CY2019", "CY2020", "CY2021")),
)
# Indicators the 現状分析 compares with Japan, the prefecture and the peer group, by section.
SECTION_INDICATORS = {
    "population": ("pop_change_5y_pct", "pop_aging_rate_pct"),
    "births": (
        "tfr_bayes",
        "child_woman_ratio",
        "marriages_per_1000_women_20_39",
        "unmarried_female_30_34_pct",
        "unmarried_male_30_34_pct",
    ),
    "migration": (
        "net_migration_rate_15_29_female_pct",
        "net_migration_rate_15_29_male_pct",
        "net_migration_rate_20_39_female_pct",
    ),
    "work": ("women_employment_rate_pct", "women_labour_force_rate_pct"),
    "living": (
        "living_food_access_difficulty_65plus_pct",
        "living_doctors_per_10000",
        "living_childcare_per_1000_children",
    ),
}
YOUTH_AGE_STARTS = (15, 20, 25, 30)


def when(indicator_id: str, year: int) -> str:
    """The period an indicator's data year stands for, as the text prints it."""
    if indicator_id == "tfr_bayes":
        return f"{year - 4}〜{year}年"  # the 5-year Bayesian estimates (2008〜2012, 2018〜2022)
    if indicator_id.startswith("net_migration_rate_"):
        return f"{year - 5}→{year}年"  # census cohort residual over 5 years
    return f"{year}年"


MAX_ISSUES = 5
MAX_DEVIANT_ISSUES = 3


def gather(wh: Warehouse, code: str) -> FactBook:
    """Every figure of the report of `code` (ValueError for a code that is not one of the 1,741)."""
    muni = wh.municipality(code)
    if muni is None:
        raise ValueError(f"市区町村コード {code!r} は2020年の1,741市区町村にありません（5桁、例：31201）")
    fb = FactBook(code, meta={"warehouse": wh.build_stamp(), "analyst_version": ANALYST_VERSION})
    areas = "core_areas__municipalities"
    for key, label in (
        ("name", "市区町村名"),
        ("pref_name", "都道府県名"),
        ("kind", "区分"),
        ("peer_group", "類似団体区分"),
    ):
        fb.add(
            f"muni.{key}", label, muni[key], table=areas, sources="municipal_codes, peer_groups", text=muni[key] or "—"
        )
    _population(wh, fb, code, muni["pref_code"])
    _vital(wh, fb, code)
    for section, ids in SECTION_INDICATORS.items():
        fb.lists[f"indicators.{section}"] = [i for i in ids if _indicator(wh, fb, code, i)]
    _walls(wh, fb, code)
    _migration(wh, fb, code)
    _industries(wh, fb, code)
    _projection(wh, fb, code)
    _future(wh, fb, code)
    _issues(wh, fb, code)
    _cases(wh, fb, code)
    _method(fb)
    _unloaded(wh, fb)
    _sources(wh, fb)
    return fb


def _unloaded(wh: Warehouse, fb: FactBook) -> None:
    """What the warehouse does not hold: the limits section names it and says how to load it."""
    missing = wh.unloaded_indicators()
    common: dict[str, Any] = {"table": "out_indicators__registry", "sources": "", "comparison": "未読み込み"}
    fb.add("limits.unloaded_count", "データが読み込まれていない指標の数", len(missing), "指標", **common)
    examples = "、".join(m["name"] for m in missing[:3])
    fb.add("limits.unloaded_examples", "読み込まれていない指標の例", examples, text=examples, **common)
    fb.add(
        "limits.unloaded_sources",
        "その出典",
        ", ".join(sorted({m["sources"] for m in missing})),
        text=", ".join(sorted({m["sources"] for m in missing})),
        **common,
    )


def _method(fb: FactBook) -> None:
    """The thresholds the wording follows, printed once in the methods section."""
    common: dict[str, Any] = {"table": "—", "sources": "", "comparison": "方法"}
    for i, (bound, word) in enumerate(LEVEL_WORDS[:-1]):
        fb.add(f"method.level.{i}", f"偏差値の下限：{word}", bound, "", **common)
    fb.add("method.flat", "横ばいとする変化の幅", FLAT_CHANGE_PCT, "%", **common)
    fb.add("method.pattern1", "パターン1の定義", PATTERN1_LABEL, text=PATTERN1_LABEL, **common)
    fb.add("method.deviant", "参考になる自治体とする類似団体内の偏差値", DEVIANT_SCORE, "", **common)
    fb.add("method.priority.level", "優先課題：水準の偏差値の基準", diagnosis.LEVEL_THRESHOLD, "", **common)
    fb.add("method.priority.trend", "優先課題：変化の偏差値の基準", diagnosis.TREND_THRESHOLD, "", **common)
    fb.add("method.priority.trend_weight", "優先課題：変化の重み", diagnosis.TREND_WEIGHT, "", 1, **common)
    fb.add("method.priority.peer_weight", "優先課題：類似団体内の重み", diagnosis.PEER_WEIGHT, "", 2, **common)
    fb.add("method.priority.per_family", "優先課題：分野ごとの上限", diagnosis.PER_FAMILY, "", **common)


def _population(wh: Warehouse, fb: FactBook, code: str, pref: str) -> None:
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


def _vital(wh: Warehouse, fb: FactBook, code: str) -> None:
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


def _indicator(wh: Warehouse, fb: FactBook, code: str, indicator_id: str, prefix: str | None = None) -> bool:
    """An indicator's value with Japan, the prefecture, the peer mean, the 偏差値 and the change (latest year)."""
    row = wh.comparison(code, indicator_id)
    if row is None or row["value"] is None:
        return False
    p = prefix or f"ind.{indicator_id}"
    d, unit, src, year = row["digits"], row["unit"] or "", ", ".join(row["sources"]), row["year"]
    name = row["name"]
    common: dict[str, Any] = {"table": COMPARISONS, "sources": src, "year": year}
    fb.add(f"{p}.value", name, row["value"], unit, d, **common)
    fb.add(f"{p}.national", name, row["national"], unit, d, comparison=row["national_label"], **common)
    fb.add(f"{p}.prefecture", name, row["prefecture"], unit, d, comparison="都道府県", **common)
    fb.add(f"{p}.peer", name, row["peer_mean"], unit, d, comparison=f"類似団体（{row['peer_group']}）平均", **common)
    for ref in ("national", "prefecture", "peer"):
        if fb.has_value(f"{p}.{ref}"):
            # the difference of the printed figures, so that 「X ポイント上回る」 adds up to what the reader sees
            diff = _printed_number(fb.p(f"{p}.value")) - _printed_number(fb.p(f"{p}.{ref}"))
            fb.add(
                f"{p}.diff_{ref}",
                f"{name}の差",
                diff,
                "ポイント" if unit == "%" else unit,
                d,
                comparison=f"差（{ref}）",
                signed=True,
                **common,
            )
    fb.add(
        f"{p}.deviation",
        f"{name}の偏差値（全国）",
        row["deviation_japan"],
        "",
        1,
        comparison="全国の市区町村",
        **common,
    )
    fb.add(
        f"{p}.oriented",
        f"{name}の偏差値（高いほど良い向き）",
        row["oriented_japan"],
        "",
        1,
        comparison="全国の市区町村",
        **common,
    )
    fb.add(
        f"{p}.oriented_peer",
        f"{name}の偏差値（類似団体内）",
        row["oriented_peer"],
        "",
        1,
        comparison="類似団体",
        **common,
    )
    fb.add(f"{p}.direction", "指標の向き", row["direction"], text=row["direction"], **common)
    fb.add(f"{p}.unit", "単位", unit, text=unit, **common)
    fb.add(f"{p}.name", "指標名", name, text=name, **common)
    fb.add(f"{p}.when", "時点", year, text=when(indicator_id, year), **common)
    if row["previous_year"] is not None and row["change"] is not None and row["previous_value"] is not None:
        fb.add(
            f"{p}.previous",
            name,
            row["previous_value"],
            unit,
            d,
            table=COMPARISONS,
            sources=src,
            year=row["previous_year"],
        )
        fb.add(
            f"{p}.previous_when",
            "前回の時点",
            row["previous_year"],
            text=when(indicator_id, row["previous_year"]),
            table=COMPARISONS,
            sources=src,
            year=row["previous_year"],
        )
        # the difference of the two printed figures, so that 「30.1から0.7上昇」 adds up for the reader
        change = _printed_number(fb.p(f"{p}.value")) - _printed_number(fb.p(f"{p}.previous"))
        fb.add(
            f"{p}.change",
            f"{name}の変化（{row['previous_year']}→{year}年）",
            change,
            "ポイント" if unit == "%" else unit,
            d,
            table=COMPARISONS,
            sources=src,
            year=f"{row['previous_year']}〜{year}年",
            signed=True,
        )
    return True


def _printed_number(printed: str) -> float:
    return float(printed.replace(",", "").replace("−", "-").replace("+", ""))


def _walls(wh: Warehouse, fb: FactBook, code: str) -> None:
    w = wh.walls(code)
    if w is None or w["births_gap"] is None:
        return
    common: dict[str, Any] = {
        "table": "out_walls__decomposition",
        "sources": "ssdse_a, census_2020_sex_age5, unmarried_rates_2025",
        "year": "2020〜25年",
    }
    fb.add(
        "walls.births_gap",
        "出生の差（全国比、対数差）",
        w["births_gap"],
        "",
        3,
        comparison="全国",
        signed=True,
        **common,
    )
    fb.add(
        "walls.marriage_factor",
        "うち結婚の要因（対数差）",
        w["marriage_factor"],
        "",
        3,
        comparison="全国",
        signed=True,
        **common,
    )
    fb.add(
        "walls.marital_fertility_factor",
        "うち夫婦の出生の要因（対数差）",
        w["marital_fertility_factor"],
        "",
        3,
        comparison="全国",
        signed=True,
        **common,
    )
    fb.add("walls.married_share", "25〜39歳女性の有配偶割合", w["married_share"] * 100, "%", 1, **common)
    fb.add("walls.births_per_year", "出生数（2020〜23年平均）", w["births_per_year"], "人", **common)
    fb.add("walls.threshold", "壁とする基準（対数差）", -0.05, "", 2, comparison="方法", signed=True, **common)
    fb.add(
        "walls.is_marriage_wall",
        "結婚の壁",
        w["is_marriage_wall"],
        text="あり" if w["is_marriage_wall"] else "なし",
        **common,
    )
    fb.add(
        "walls.is_second_child_wall",
        "第2子以降の壁（代理指標）",
        w["is_second_child_wall"],
        text="あり" if w["is_second_child_wall"] else "なし",
        **common,
    )


def _migration(wh: Warehouse, fb: FactBook, code: str) -> None:
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


def _industries(wh: Warehouse, fb: FactBook, code: str) -> None:
    lead = wh.leading_industries(code)
    common: dict[str, Any] = {"table": "out_indicators__leading_industries", "sources": "ssdse_a"}
    ids = []
    for r in lead:
        i = str(r["rank"])
        ids.append(i)
        fb.add(f"industry.{i}.name", "産業", r["industry"], text=r["industry"], year=r["year"], **common)
        fb.add(
            f"industry.{i}.specialization",
            f"特化係数（従業者数）：{r['industry']}",
            r["specialization"],
            "倍",
            2,
            year=r["year"],
            comparison="全国＝1",
            **common,
        )
        fb.add(
            f"industry.{i}.share",
            f"従業者の構成比：{r['industry']}",
            r["employees_share_pct"],
            "%",
            1,
            year=r["year"],
            **common,
        )
    fb.lists["industries"] = ids


def _projection(wh: Warehouse, fb: FactBook, code: str) -> None:
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


def _future(wh: Warehouse, fb: FactBook, code: str) -> None:
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


def _issues(wh: Warehouse, fb: FactBook, code: str) -> None:
    issues = wh.priority_issues(code)[:MAX_ISSUES]
    fb.lists["issues"] = []
    for issue in issues:
        n = str(issue["rank"])
        iid = issue["indicator_id"]
        if not _indicator(wh, fb, code, iid, prefix=f"issue.{n}"):
            continue
        fb.lists["issues"].append(n)
        common: dict[str, Any] = {
            "table": "out_diagnosis__priority_issues",
            "sources": issue.get("sources") or "",
            "year": issue["year"],
        }
        fb.add(f"issue.{n}.indicator_id", "指標ID", iid, text=iid, **common)
        fb.add(f"issue.{n}.family", "分野", issue["family_ja"], text=issue["family_ja"], **common)
        fb.add(f"issue.{n}.basis", "選ばれた理由", issue["basis"], text=issue["basis"], **common)
        fb.add(f"issue.{n}.score", "優先度スコア", issue["priority_score"], "", 1, **common)
        fb.add(
            f"issue.{n}.change_score",
            "変化の偏差値（高いほど良い向き）",
            issue["oriented_change_score"],
            "",
            1,
            **common,
        )
        if len(fb.lists["issues"]) <= MAX_DEVIANT_ISSUES:
            _deviants(wh, fb, code, n, iid)


def _deviants(wh: Warehouse, fb: FactBook, code: str, n: str, indicator_id: str) -> None:
    found = wh.positive_deviants(code, indicator_id, threshold=DEVIANT_SCORE)
    ind = wh.comparison(code, indicator_id)
    assert ind is not None
    d, unit, src = ind["digits"], ind["unit"] or "", ", ".join(ind["sources"])
    for kind in ("better", "improved"):
        ids = []
        for j, m in enumerate(found[kind], 1):
            p = f"peer.{n}.{kind}.{j}"
            common: dict[str, Any] = {
                "table": COMPARISONS,
                "sources": src,
                "year": ind["year"],
                "comparison": f"類似団体（{ind['peer_group']}）",
            }
            fb.add(f"{p}.name", "市区町村", m["name"], text=f"{m['name']}（{m['pref_name']}）", **common)
            fb.add(f"{p}.code", "市区町村コード", m["muni_code"], text=m["muni_code"], **common)
            fb.add(f"{p}.value", ind["name"], m["value"], unit, d, **common)
            fb.add(f"{p}.oriented_peer", "類似団体内の偏差値（高いほど良い向き）", m["oriented_peer"], "", 1, **common)
            if m["change"] is not None and m["previous_year"] is not None:
                fb.add(
                    f"{p}.previous",
                    ind["name"],
                    m["previous_value"],
                    unit,
                    d,
                    table=COMPARISONS,
                    sources=src,
                    year=m["previous_year"],
                )
                fb.add(
                    f"{p}.change",
                    f"{ind['name']}の変化",
                    m["change"],
                    "ポイント" if unit == "%" else unit,
                    d,
                    table=COMPARISONS,
                    sources=src,
                    year=f"{m['previous_year']}〜{ind['year']}年",
                    signed=True,
                )
            ids.append(str(j))
        fb.lists[f"peer.{n}.{kind}"] = ids


# The 好事例 come from the project's catalog of the deck's cases (src/sousei/desk/catalog/cases.toml), not a table.
CATALOG = "好事例カタログ（desk/catalog/cases.toml）"
DECK = "内閣官房「地方創生をめぐる最近の動向」（2025年11月11日）"
MAX_CASES = 5


def _cases(wh: Warehouse, fb: FactBook, code: str) -> None:
    """The deck's good practices recommended to the municipality: the same rule and reasons as the dashboard's
    好事例 tab (cases addressing its priority issues, then cases of similar municipalities), computed once per
    process for all municipalities from the committed catalog (cases the Secretariat adds in the desk are not
    included: the report must not depend on the desk's database)."""
    from sousei.desk.catalog.service import deck_recommendations

    recommendations = wh.memo("analyst:deck_recommendations", lambda: deck_recommendations(wh)).get(code, [])
    common: dict[str, Any] = {"table": CATALOG, "sources": "", "year": "2025年11月11日"}
    fb.add("cases.source", "好事例の出典", DECK, text=DECK, **common)
    ids = []
    for k, (rec, case) in enumerate(recommendations[:MAX_CASES], 1):
        kind = "優先課題" if rec.kind == "issue" else "類似団体"
        fb.add(f"case.{k}.name", "好事例", case.name, text=case.name, comparison=kind, **common)
        fb.add(f"case.{k}.place", "地域", case.place, text=case.place, comparison=kind, **common)
        fb.add(f"case.{k}.reason", "推薦の理由", rec.reason, text=rec.reason, comparison=kind, **common)
        ids.append(str(k))
    fb.lists["cases"] = ids


def _sources(wh: Warehouse, fb: FactBook) -> None:
    used: list[str] = []
    for f in fb.facts.values():
        for s in f.sources.split(","):
            s = s.strip()
            if s and s not in used:
                used.append(s)
    notes = {n.source_id: n for n in wh.source_notes(used)}
    fb.lists["sources"] = [s for s in used if s in notes]
    fb.lists["sources_missing"] = [s for s in used if s not in notes]
    for s in fb.lists["sources"]:
        n = notes[s]
        fb.add(
            f"source.{s}",
            n.attribution,
            n.vintage,
            text=n.attribution,
            table="meta__sources",
            sources=s,
            year=n.vintage,
            comparison=n.license,
        )
