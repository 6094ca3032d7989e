"""Validation of the IPSS method against IPSS → docs/validation/projection.md.

    python -m sousei.validation.projection [--db PATH] [--out docs/validation/projection.md]

2015 census base with 2010→2015 inputs, projected to 2045 and compared with IPSS 2018 for every municipality it
covers; the 2020 base compared with the IPSS 2023 totals (2050).
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from sousei import config
from sousei.domain.projection.baseline import ipss_baseline
from sousei.domain.projection.engine import FEMALE, WOMEN_20_39, project
from sousei.domain.projection.inputs import HAMADORI_CODE, Inputs
from sousei.domain.projection.labels import PATTERN1_LABEL
from sousei.domain.projection.methods import closed_params
from sousei.domain.projection.migration import DEFAULT_RULE
from sousei.domain.projection.sustainability import REGIONS, change_pct, classify
from sousei.pipeline.derived.projection import PATTERN1_AND_IPSS2023
from sousei.projection_api import load_inputs
from sousei.validation.projection_errors import (
    errors,
    excess_allocation,
    histogram,
    metrics,
    prefecture_errors,
    prefecture_split,
    reason,
    size_table,
    summary,
)
from sousei.validation.projection_variants import (
    VARIANTS,
    allocation_section,
    anchoring_on_2015,
    gross_section,
    juki_out_movers,
    mortality_section,
)

# Targets of the engine (unanchored) from issue 9: 2015 base vs IPSS 2018, 2020 base vs IPSS 2023 totals (2050)
TARGETS = {"median_total": 2.5, "p90_total": 9.0, "median_women": 6.0, "ipss2023_median": 3.0}
# パターン1 vs IPSS 2023: every figure within max(0.5%, 1 person)
ANCHOR_TOLERANCE_PCT, ANCHOR_TOLERANCE_PERSONS = 0.5, 1.0
# 人口戦略会議「令和6年・地方自治体「持続可能性」分析レポート」(2024-04), 1,729 units
REPORT_2024 = {"自立持続可能性自治体": 65, "ブラックホール型自治体": 25, "消滅可能性自治体": 744, "その他": 895}
GROUP_NAMES = ("自立持続可能性自治体", "ブラックホール型自治体", "消滅可能性自治体", "その他")


def _counts(con: duckdb.DuckDBPyConnection) -> list[str]:
    t = con.sql("SELECT * FROM out_projection__sustainability_counts").pl()
    groups = ["自立持続可能性自治体", "ブラックホール型自治体", "消滅可能性自治体", "その他"]

    def row(level: str, area: str) -> dict[str, int]:
        part = t.filter((pl.col("area_level") == level) & (pl.col("area") == area))
        return dict(zip(part["class"].to_list(), part["units"].to_list(), strict=True))

    head = "| area | " + " | ".join(groups) + " | A B C / D E F / G H I | 2014 def. | units |"
    lines = [head, "|---|" + "---:|" * (len(groups) + 3)]
    areas = [("japan", "全国")] + [("region", r) for r in REGIONS] + [("prefecture", f"{i:02d}") for i in range(1, 48)]
    for level, area in areas:
        c = row(level, area)
        subs = " ".join(str(c.get(x, 0)) for x in "ABCDEFGHI")
        lines.append(
            f"| {area} | " + " | ".join(str(c.get(g, 0)) for g in groups) + f" | {subs} | {c.get('vanishing', 0)} | "
            f"{sum(c.get(g, 0) for g in groups)} |"
        )
    return lines


def _anchor_deviation(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Largest deviation of the stored パターン1 from IPSS 2023 over units, years 2020–2050 and the four figures."""
    row = con.execute(
        f"""WITH {PATTERN1_AND_IPSS2023},
                d AS (SELECT unnest([abs(p.total - i.total), abs(p.u15 - i.u15), abs(p.wa - i.wa),
                                     abs(p.eld - i.eld)]) AS diff,
                             unnest([i.total, i.u15, i.wa, i.eld]) AS want
                      FROM i JOIN p USING (muni_code, year))
           SELECT count(*), max(diff), max(diff / nullif(want, 0)) * 100,
                  count(*) FILTER (WHERE diff > greatest(want * 0.005, 1)),
                  (SELECT count(*) FROM i), (SELECT count(*) FROM i JOIN p USING (muni_code, year))
           FROM d"""
    ).fetchall()[0]
    assert row is not None
    n, persons, pct, outside, published, matched = row
    return {
        "figures": n,
        "persons": persons or 0.0,
        "pct": pct or 0.0,
        "outside": outside,
        "published": published,
        "matched": matched,
    }


def _classification(inputs: Inputs, con: duckdb.DuckDBPyConnection) -> tuple[list[str], dict[str, int], dict[str, int]]:
    """Counts of the four groups: the 2024 report, パターン1 anchored (the warehouse) and the engine before the
    anchoring (its own 2020-based run and closed population), with the units close to the −50% line."""
    after = dict(
        con.sql("SELECT sustainability_group, count(*) FROM out_projection__sustainability GROUP BY 1").fetchall()
    )
    engine = ipss_baseline(inputs, 2020, 2050)
    k = engine.years.index(2050)
    w2020 = engine.base[:, FEMALE, WOMEN_20_39].sum(axis=1)
    wb = project(engine.base, engine.params)[:, k, FEMALE, WOMEN_20_39].sum(axis=1)
    wc = project(engine.base, closed_params(engine.params))[:, k, FEMALE, WOMEN_20_39].sum(axis=1)
    _, groups = classify(change_pct(w2020, wb), change_pct(w2020, wc))
    before = {g: groups.count(g) for g in GROUP_NAMES}
    subs = dict(con.sql("SELECT sub_class, count(*) FROM out_projection__sustainability GROUP BY 1").fetchall())
    near = con.execute(
        """SELECT count(*) FILTER (WHERE change_baseline_pct BETWEEN -52 AND -48),
                  count(*) FILTER (WHERE change_baseline_pct BETWEEN -55 AND -50),
                  count(*) FILTER (WHERE change_closed_pct BETWEEN -52 AND -48),
                  count(*) FILTER (WHERE change_baseline_pct BETWEEN -22 AND -18
                                      OR change_closed_pct BETWEEN -22 AND -18)
           FROM out_projection__sustainability"""
    ).fetchall()[0]
    assert near is not None
    lines = [
        "| groups (1,729 units) | " + " | ".join(GROUP_NAMES) + " |",
        "|---|" + "---:|" * len(GROUP_NAMES),
        "| 人口戦略会議 2024 (IPSS 2023's own sex × age) | "
        + " | ".join(str(REPORT_2024[g]) for g in GROUP_NAMES)
        + " |",
        "| ours, パターン1 anchored to IPSS 2023 (after) | "
        + " | ".join(str(after.get(g, 0)) for g in GROUP_NAMES)
        + " |",
        "| ours, the engine's own 2020-based run (before) | " + " | ".join(str(before[g]) for g in GROUP_NAMES) + " |",
        "",
        "Sub-classes after the anchoring (rows: closed band, columns: baseline band): "
        + " / ".join(" ".join(f"{x} {subs.get(x, 0)}" for x in row) for row in ("ABC", "DEF", "GHI"))
        + ".",
        "",
        f"Units close to a line: {near[0]} have a baseline change of women 20–39 within 2 points of −50% "
        f"({near[1]} between −55% and −50%, i.e. 消滅可能性 by up to 5 points), {near[2]} a closed-population change "
        f"within 2 points of −50%, and {near[3]} a change within 2 points of −20%: a difference of a few percent in "
        "women 20–39 moves them across.",
    ]
    return lines, after, before


def validate(db: Path) -> tuple[str, dict[str, float]]:
    inputs = load_inputs(db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        ipss18 = con.sql(
            """SELECT area_code AS muni_code, sum(persons) AS ipss,
                      sum(persons) FILTER (WHERE sex = 'female' AND age_start BETWEEN 20 AND 35) AS ipss_w
               FROM core_ipss2018__population WHERE area_level = 'municipality' AND year = 2045 GROUP BY ALL"""
        ).pl()
        ipss23 = con.sql(
            """SELECT area_code AS muni_code, total_persons AS ipss FROM core_ipss2023__population
               WHERE area_level IN ('municipality', 'joint') AND year = 2050"""
        ).pl()
        # IPSS 2018 has no 福島県 municipalities, so 福島県 is left out of its prefecture comparison
        pref18 = con.sql(
            """SELECT substr(area_code, 1, 2) AS pref_code, sum(persons) AS ipss FROM core_ipss2018__population
               WHERE area_level = 'prefecture' AND year = 2045 AND area_code NOT LIKE '07%' GROUP BY ALL"""
        ).pl()
        pref23 = con.sql(
            """SELECT substr(area_code, 1, 2) AS pref_code, total_persons AS ipss FROM core_ipss2023__population
               WHERE area_level = 'prefecture' AND year = 2050"""
        ).pl()
        names = con.sql("SELECT muni_code, name FROM core_areas__municipalities").pl()
        counts = _counts(con)
        deviation = _anchor_deviation(con)
        stored15 = con.sql(
            """SELECT muni_code, sum(persons) AS projected,
                      sum(persons) FILTER (WHERE sex = 'female' AND age_start BETWEEN 20 AND 35) AS projected_w
               FROM out_projection__validation_2015 WHERE year = 2045 GROUP BY ALL"""
        ).pl()
        previous = anchoring_on_2015(inputs, con)
        out_movers = juki_out_movers(con)
        classification, after, before = _classification(inputs, con)
    finally:
        con.close()
    names = pl.concat([names, pl.DataFrame({"muni_code": [HAMADORI_CODE], "name": ["浜通り地域"]})])
    del after, before  # in the classification lines

    t0 = time.perf_counter()
    b15 = ipss_baseline(inputs, 2015, 2045)
    r15 = project(b15.base, b15.params)
    seconds = time.perf_counter() - t0
    basis = dict(zip(b15.units, b15.basis, strict=True))
    base15 = b15.base.sum(axis=(1, 2))
    prev = inputs.units(2010)[1]
    expected = (prev * inputs.period_survival(2010)).sum(axis=(1, 2))
    net = {u: float((b - e) / b) if b > 0 else 0.0 for u, b, e in zip(b15.units, base15, expected, strict=True)}
    ours = pl.DataFrame({"muni_code": b15.units, "base": base15}).join(stored15, on="muni_code")
    # the figures come from the stored run (out_projection__validation_2015); it is the run of the inputs
    if not np.allclose(
        ours.sort("muni_code")["projected"].to_numpy(),
        r15[np.argsort(b15.units), -1].sum(axis=(1, 2)),
        rtol=1e-9,
    ):
        raise ValueError("out_projection__validation_2015 differs from the engine's 2015-based run: rebuild")
    e = errors(ours, ipss18.select("muni_code", "ipss"))
    ew = (
        ours.select("muni_code", "base", pl.col("projected_w").alias("projected"))
        .join(ipss18.select("muni_code", pl.col("ipss_w").alias("ipss")), on="muni_code")
        .with_columns(
            err_pct=(pl.col("projected") / pl.col("ipss") - 1) * 100,
            ape_pct=((pl.col("projected") / pl.col("ipss") - 1) * 100).abs(),
        )
    )
    s_total, s_women = summary(e), summary(ew)

    b20 = ipss_baseline(inputs, 2020, 2050)
    r20 = project(b20.base, b20.params)
    ours20 = pl.DataFrame(
        {"muni_code": b20.units, "base": b20.base.sum(axis=(1, 2)), "projected": r20[:, -1].sum(axis=(1, 2))}
    )
    e23 = errors(ours20, ipss23)
    s23 = summary(e23)
    variants20 = [
        "| 2020 base (2015→20 and earlier inputs) | national control | median APE total 2050 % | p90 % | "
        "mean signed % | prefecture totals median APE % | 東京都 % | Japan 2050 |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    by_run: dict[tuple[bool, int, str], pl.DataFrame] = {}  # prefecture totals of each run
    for label, national, periods, excess in (
        ("last period held (IPSS 2018's rule), as before this issue", False, 1, "prorated"),
        ("last period held", True, 1, "balanced"),
        ("3 periods pooled (IPSS 2023: 3期間の平均的な傾向)", False, 3, "prorated"),
        ("3 periods pooled, as before the excess was prorated", True, 3, "balanced"),
        ("3 periods pooled, default", True, 3, "prorated"),
    ):
        rule = dataclasses.replace(DEFAULT_RULE, long_term=((2020, periods),), national_excess=excess)
        bv = ipss_baseline(inputs, 2020, 2050, rule=rule, national_2023=national)
        rv = project(bv.base, bv.params)
        erv = errors(pl.DataFrame({"muni_code": bv.units, "projected": rv[:, -1].sum(axis=(1, 2))}), ipss23)
        ev, pref_e = summary(erv), prefecture_errors(erv, pref23)
        by_run[(national, periods, excess)] = pref_e
        tokyo = float(pref_e.filter(pl.col("pref_code") == "13")["err_pct"][0])
        control = "IPSS 2017 rebased" if not national else f"IPSS 2023 (Σ 47 prefectures), excess {excess}"
        variants20.append(
            f"| {label} | {control} | {ev['median']:.2f} | {ev['p90']:.2f} | {ev['mean_signed']:+.2f} | "
            f"{pref_e['err_pct'].abs().median():.2f} | {tokyo:+.1f} | {rv[:, -1].sum():,.0f} |"
        )
    worst20 = e23.sort("ape_pct", descending=True).head(20).join(names, on="muni_code", how="left")
    pop20 = ours20.group_by(pl.col("muni_code").str.slice(0, 2).alias("pref_code")).agg(pl.col("base").sum())
    excess = [
        f"- {label}: " + excess_allocation(by_run[(False, 3, "prorated")], by_run[(True, 3, how)], pop20)
        for label, how in (("before (balanced into the young's gains)", "balanced"), ("now (prorated)", "prorated"))
    ]

    variant_lines = [
        "| migration rates (2010→15 inputs) | median APE total % | p90 APE total % | median APE women 20–39 % |",
        "|---|---:|---:|---:|",
    ]
    for label, kw in VARIANTS:
        m1, m2, m3 = metrics(inputs, ipss18, dataclasses.replace(DEFAULT_RULE, **kw))
        variant_lines.append(f"| {label} | {m1:.2f} | {m2:.2f} | {m3:.2f} |")

    mortality_lines = mortality_section(inputs, ipss18, ipss23, b15)
    allocation_lines = allocation_section(inputs, ipss18, ipss23)
    gross_lines = gross_section(inputs, ipss18, ipss23, out_movers)

    worst = e.sort("ape_pct", descending=True).head(20).join(names, on="muni_code", how="left")
    met = {
        "median_total": s_total["median"],
        "p90_total": s_total["p90"],
        "median_women": s_women["median"],
        "ipss2023_median": s23["median"],
    }
    verdict = ", ".join(
        f"{k} {v:.2f}% (target ≤ {TARGETS[k]:g}%: {'met' if v <= TARGETS[k] else 'NOT met'})" for k, v in met.items()
    )
    ok = deviation["outside"] == 0 and deviation["matched"] == deviation["published"]
    lines = [
        "# Validation of the population projections against IPSS",
        "",
        "Generated by `python -m sousei.validation.projection` from the warehouse; do not edit by hand.",
        f"Method: docs/methods/projection.md. パターン1 is {PATTERN1_LABEL}: the engine's run anchored to IPSS 2023 "
        "(令和5年推計). The engine itself (not anchored) is validated out of sample below: it is what the scenarios, "
        "the extension to 2070 and the sex × age detail rest on.",
        "",
        "## パターン1 compared with IPSS 2023",
        "",
        f"All {deviation['published']:,} published unit × year rows (1,728 municipalities and 浜通り地域 07999, "
        f"2020–2050) against the stored パターン1 ({deviation['matched']:,} matched), four figures each (total, 0–14, "
        f"15–64, 65+: {deviation['figures']:,} figures). Largest deviation: {deviation['persons']:.2e} persons, "
        f"{deviation['pct']:.2e}% of the figure; figures outside max({ANCHOR_TOLERANCE_PCT:g}%, "
        f"{ANCHOR_TOLERANCE_PERSONS:g} person): {deviation['outside']}. "
        f"**{'Within the tolerance' if ok else 'NOT within the tolerance'}** (the build's check "
        "pattern1-equals-ipss2023 fails otherwise).",
        "",
        *previous,
        "## Sustainability classification compared with the 2024 report",
        "",
        "Women 20–39 in 2020 and 2050; 移動仮定 = パターン1, 封鎖人口 = the same base and survival, the anchored "
        "child–woman ratios (IPSS 2023's fertility as far as its age groups show it), net migration 0.",
        "",
        *classification,
        "",
        "Why the counts still differ from the report's (the report's unit-by-unit classes are not in the bundle, so "
        "the comparison is of counts):",
        "",
        "- **Women 20–39 inside the 15–64.** The anchoring fixes each unit's 15–64 to IPSS 2023 but takes the share "
        "of women 20–39 in it from the engine. On the previous vintage (table above) that detail moves the halving "
        "count by a few dozen units, not by over a hundred.",
        "- **The national age shape (likely the main reason, not measurable here).** The national control has IPSS "
        "2023's three age groups, but its sex × age shape inside them is the 2017 projection's. IPSS 2023 assumes "
        "far larger net foreign immigration than the 2017 projection (its own reports name it the main reason its "
        "population is higher), and immigrants are mostly young adults, so its 15–64 is likely younger than our "
        "shape makes it, in every unit: our women 20–39 would then be low and more units cross −50% (消滅可能性 too "
        "many, その他 too few, as seen). IPSS 2023's national sex × age is not in the bundle, so this can be neither "
        "measured nor corrected without a figure from outside it.",
        "- **Units on the line.** Many units lie within 2 points of −50% (counts above); a small difference in "
        "women 20–39 moves each across.",
        "- **The closed population.** The report's 封鎖人口 uses IPSS 2023's own survival and fertility assumptions "
        "by unit; ours uses the national life table with the unit's mortality level and the anchored child–woman "
        "ratios, which moves units between ブラックホール型 / その他 and 自立持続可能性 / その他.",
        "",
        "# The engine (not anchored)",
        "",
        "Controls: each municipality is prorated by sex × age to "
        "its prefecture as projected by the same method from prefecture aggregates (not to IPSS's prefecture "
        "figures, which would make the comparison circular), and the prefectures to the national projection: for "
        "the 2015 base the IPSS 2017 national projection (medium) rebased on the census, an input IPSS 2018 itself "
        "uses; for the 2020 base the same with its 0–14, 15–64 and 65+ scaled to IPSS 2023's nation (the sum of its "
        "47 prefectures). No municipal figure of IPSS enters the run; the rules in MigrationRule were checked against "
        "this comparison (see the methods doc and the variants below). The 2015-based run is stored in the "
        "warehouse (out_projection__validation_2015); the figures below are read from it.",
        "",
        f"Migration rates ({b15.notes['migration']}).",
        "",
        "## 2015 base → 2045, compared with IPSS 2018 (日本の地域別将来推計人口 平成30年推計)",
        "",
        f"Inputs: census 2015 (age 不詳 allocated), net migration 2010→2015, child–woman ratio 2015, life tables "
        f"2010/2015 adjusted to each unit's mortality level (below). Municipalities compared: {s_total['n']} "
        "(IPSS 2018 has no 福島県 municipalities). "
        f"Run time for all units: {seconds * 1000:.0f} ms.",
        "",
        f"**Result: {verdict}.**",
        "",
        "| measure (2045) | median APE % | p90 APE % | mean signed % |",
        "|---|---:|---:|---:|",
        f"| total population | {s_total['median']:.2f} | {s_total['p90']:.2f} | {s_total['mean_signed']:+.2f} |",
        f"| women aged 20–39 | {s_women['median']:.2f} | {s_women['p90']:.2f} | {s_women['mean_signed']:+.2f} |",
        "",
        "Where the error lies (total 2045; IPSS 2018's prefecture totals as published, a diagnosis only):",
        "",
        *prefecture_split(e, pref18),
        "",
        "### Migration-rate variants (same run, only `MigrationRule.shrink` / `smooth` changed)",
        "",
        *variant_lines,
        "",
        "Chosen before looking at this comparison: shrinking each municipality's rates toward its prefecture's rate "
        "by empirical Bayes (Poisson sampling variance (1 + μ)/E of a cohort with E expected survivors, τ² per sex × "
        "age by the method of moments), and the [1, 2, 1] filter over adjacent ages outside the cohorts reaching "
        "15–29. Changed after looking: (a) the unweighted method of moments gave τ² = 0 at ages 40+ (the small "
        "units' Poisson variance, which overstates the noise of survivors, swamps the mean) and the comparison got "
        "worse (median 5.0%, p90 17.7%); it was replaced by the DerSimonian–Laird (1/v-weighted) estimator, still "
        "worse with the prefecture as prior (rows above): small municipalities differ from their prefecture, whose "
        "rate is dominated by its cities, systematically and not by noise, and IPSS keeps those differences; (b) "
        "the prior was therefore switched to the unit's own smoothed age profile (the brief's alternative), which "
        "shrinks only the cohort-to-cohort zigzag of small units. The default is that. No parameter was fitted to "
        "IPSS 2018: τ² comes from the 2010→2015 data; the choice among the rows above was made by looking at them. "
        "An IPSS-like convergence of strongly gaining areas (新宮町, central Tokyo wards, 舟橋村) was not added: we "
        "found no published IPSS rule for it to follow, and a rule tuned on this table would be fitted to the target.",
        "",
        *mortality_lines,
        "### Sharing the gains of the young: the pool model (IPSS 2023's 転出率・配分率)",
        "",
        "Both bases, every other setting at its default; the consistency step balances the young cohorts' gains "
        "to the control (docs/methods/projection.md, consistency) and this is how the gains are shared among the "
        "gaining units of a group (the prefectures within the nation, the municipalities within a prefecture).",
        "",
        *allocation_lines,
        "",
        "IPSS 2023 (令和5年推計) models migration with 転出率 and 配分率 (out-migration rates of each area, "
        "in-migrants "
        "shared out of the pool of movers; 小池ほか 2024, 日本地理学会発表要旨集 2024s: 92; the model's accuracy: "
        "小池 2016, 人口問題研究 72-3). With net rates only, the pool model's point that a receiving area's inflow "
        "follows the pool and not its own size is what 'pool' implements: the gains are shared in the proportions "
        "of the first step (配分率 held), losses stay rates on the unit's own population (転出率). Decided before "
        "looking, with the rule 'adopt if neither base gets worse': it improved the 2020 base and the 2015 median "
        "(p90 unchanged), so it is the default. 'pool-closed' (the pool is the group's own losses, internal "
        "migration zero-sum, the rest of the control prorated) was tried next, as the more literal closed pool: "
        "it gets 東京都 right but makes the 2015 base much worse, so it was not adopted; the mixed row (closed for "
        "the prefectures, whose pool is the nation's internal migration, open for the municipalities, whose "
        "in-migrants also come from other prefectures) was chosen after seeing the closed row and is shown, not "
        "adopted (the 2015 p90 gets worse). The row without balancing was run once to see what the unpublished "
        "balancing does; it is not adopted either. Seen only after these rows, and so not adopted: IPSS 2023 is a "
        "pool model and IPSS 2018 a net-rate model, so a base-year switch (the mixed row for the 2020 base, 'pool' "
        "for the 2015 base) would give 2020 vs IPSS 2023 the mixed row's figures and leave the 2015 figures as they "
        "are; choosing it now would be choosing by the comparison.",
        "",
        "### Error distribution (total 2045, ours ÷ IPSS − 1)",
        "",
        *histogram(e),
        "",
        "### Error by municipality size (2015 population)",
        "",
        *size_table(e),
        "",
        "### The 20 worst municipalities (total 2045)",
        "",
        "| code | name | 2015 | IPSS 2045 | ours 2045 | error % | likely reason |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for row in worst.iter_rows(named=True):
        lines.append(
            f"| {row['muni_code']} | {row['name'] or ''} | {row['base']:,.0f} | {row['ipss']:,.0f} | "
            f"{row['projected']:,.0f} | {row['err_pct']:+.1f} | {reason(row, net, basis)} |"
        )
    lines += [
        "",
        "## 2020 base → 2050, compared with IPSS 2023 totals (令和5年推計)",
        "",
        f"Units compared: {s23['n']} (1,728 municipalities and 浜通り地域 07999). "
        f"**Median APE {s23['median']:.2f}% (target ≤ {TARGETS['ipss2023_median']:g}%: "
        f"{'met' if s23['median'] <= TARGETS['ipss2023_median'] else 'NOT met'})**, p90 {s23['p90']:.2f}%, mean "
        f"signed {s23['mean_signed']:+.2f}%. National total 2050: ours {r20[:, -1].sum():,.0f}, IPSS 2023 "
        f"{ipss23['ipss'].sum():,.0f}. Migration: {b20.notes['migration']}.",
        "",
        *variants20,
        "",
        "Holding the nation to IPSS 2023 makes Japan right. Before the change below it made the median unit worse: the "
        "consistency step balanced the young cohorts' gains to the control's net migrants before prorating the "
        "cells, so the persons IPSS 2023's nation adds to the 2017 projection (mostly its larger foreign inflow) "
        "went to the gaining units, three quarters of them to 東京都 (lines below). IPSS holds the sum of its units "
        "to the national projection by prorating every sex × age cell (男女・年齢別に一律補正), and its national "
        "projection sets the foreign inflow as numbers by sex × age, not as rates of any area; so the excess over "
        "the national projection of the base's own vintage is now prorated at every level and the young's gains "
        "are balanced to the own-vintage path only (`MigrationRule.national_excess`). Decided from the mechanism "
        "(where the added persons went), with the rule 'adopt if neither base gets worse': the 2015 base has no "
        "such excess and is unchanged. IPSS 2023 also models migration as gross flows (転出率 and 配分率: "
        "out-migrants leave at a rate, in-migrants are shares of the pool), under which a shrinking unit keeps "
        "drawing in-migrants from the pool; a net rate held shrinks its inflow with it. The bundle has no gross "
        "flows by municipality × sex × age, so that model cannot be estimated here; what the net rates allow of it "
        'is the sharing of the young cohorts\' gains in held proportions (配分率, "Sharing the gains of the young" '
        "above); the pool model itself with the gross flows the bundle has (by municipality, every age) is the "
        'next section ("Gross flows"). No rule was fitted to this comparison.',
        "",
        *gross_lines,
        "",
        "Where the error lies (2050): the prefectures' totals, which our own prefecture projections set (the units "
        "are held to them), against IPSS 2023's published prefecture totals, and the units with their prefecture's "
        "total taken from IPSS 2023 (a diagnosis only: IPSS's figures are never an input of the run).",
        "",
        *prefecture_split(e23, pref23),
        "",
        "Where the persons IPSS 2023's nation adds to the 2017 projection's land in the engine (2050, 3-period "
        "rates, the run with the IPSS 2023 control minus the run without it):",
        "",
        *excess,
        "",
        *size_table(e23),
        "",
        "### The 20 worst units (total 2050, engine vs IPSS 2023)",
        "",
        "| code | name | 2020 | IPSS 2023 2050 | ours 2050 | error % |",
        "|---|---|---:|---:|---:|---:|",
        *[
            f"| {r['muni_code']} | {r['name'] or ''} | {r['base']:,.0f} | {r['ipss']:,.0f} | {r['projected']:,.0f} | "
            f"{r['err_pct']:+.1f} |"
            for r in worst20.iter_rows(named=True)
        ],
        "",
        "## Sustainability classification counts (2020 base; warehouse table out_projection__sustainability_counts)",
        "",
        "Groups (人口戦略会議 2024), sub-classes A–I (rows: closed-population band, columns: baseline band), the 2014 "
        "definition (women 20–39 halving 2010 → 2040 on a 2010-based run) and the units, for Japan, the 8 regions and "
        "the 47 prefectures (福島県 07 counts 浜通り地域 as one unit).",
        "",
        *counts,
        "",
        "## Reading",
        "",
        "The first five years agree closely with IPSS (the same census base and method); the error grows with the "
        "horizon. IPSS 2018 holds the 2010→2015 rates to 2045 as we do (its implied rates are as large in 2040→45 "
        "as in 2015→20), but its rates are smoother than the observed ones (outside ages 10–24 they are about half "
        "the observed deviation from zero in small municipalities): IPSS sets many municipalities' assumptions "
        "case by case (one-off moves such as new housing estates, bases, universities; small municipalities), "
        "which a uniform rule cannot reproduce. The upper tail is the growing suburbs and central wards whose "
        "2010→2015 inflow we hold and IPSS damps, and small municipalities.",
    ]
    return "\n".join(lines) + "\n", met | {"ipss2023_median": s23["median"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=Path("docs/validation/projection.md"))
    args = ap.parse_args()
    text, figures = validate(config.db_path(args.db))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}: " + ", ".join(f"{k} {v:.2f}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
