"""What was tried on the engine, as tables of the validation report: migration-rate variants, the sharing of the
young's gains, the mortality level, and the anchoring checked on the previous vintage (2015 base, IPSS 2018)."""

from __future__ import annotations

import dataclasses

import duckdb
import numpy as np
import polars as pl

from sousei.domain.projection.anchor import AnchorTargets, anchor_base, anchor_params
from sousei.domain.projection.baseline import Baseline, ipss_baseline
from sousei.domain.projection.engine import FEMALE, WOMEN_20_39, project
from sousei.domain.projection.gross import GrossFlows
from sousei.domain.projection.inputs import Inputs
from sousei.domain.projection.migration import DEFAULT_RULE
from sousei.validation.projection_errors import errors, metrics, summary

# Migration-rate variants shown side by side (the default rule is the last row).
VARIANTS = (
    ("v2 rules: no shrinkage, no smoothing", {"shrink": None, "smooth": False}),
    ("+ [1,2,1] age smoothing only", {"shrink": None, "smooth": True}),
    ("+ EB toward the prefecture's rate", {"shrink": "prefecture", "smooth": False}),
    ("+ EB toward the prefecture's rate + smoothing", {"shrink": "prefecture", "smooth": True}),
    ("+ EB toward the unit's own smoothed profile", {"shrink": "profile", "smooth": False}),
    ("default: EB toward own smoothed profile + smoothing", {}),
)


# How the balanced gains of the young are shared (MigrationRule.allocation / prefecture_allocation), in the order
# they were tried; the default is 'pool' at both levels.
ALLOCATIONS = (
    ("before: one factor on every positive rate ('scale')", {"allocation": "scale"}),
    ("no balancing, proportional correction only (balance_ages 0)", {"allocation": "scale", "balance_ages": 0}),
    ("default: pool model, 配分率 held ('pool')", {}),
    ("closed pool at both levels ('pool-closed')", {"allocation": "pool-closed"}),
    ("closed pool for prefectures, 'pool' for municipalities", {"prefecture_allocation": "pool-closed"}),
)


def allocation_section(inputs: Inputs, ipss18: pl.DataFrame, ipss23: pl.DataFrame) -> list[str]:
    lines = [
        "| gains of the young shared by | 2015 base median APE % | p90 % | women 20–39 median % | "
        "2020 base vs IPSS 2023 median APE % | p90 % | mean signed % | 東京都 2050 vs IPSS 2023 % |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    tokyo = float(ipss23.filter(pl.col("muni_code").str.starts_with("13"))["ipss"].sum())
    for label, kw in ALLOCATIONS:
        rule = dataclasses.replace(DEFAULT_RULE, **kw)
        m1, m2, m3 = metrics(inputs, ipss18, rule)
        b = ipss_baseline(inputs, 2020, 2050, rule=rule)
        r = project(b.base, b.params)[:, -1].sum(axis=(1, 2))
        s = summary(errors(pl.DataFrame({"muni_code": b.units, "projected": r}), ipss23))
        ours_tokyo = float(sum(x for u, x in zip(b.units, r, strict=True) if u.startswith("13")))
        lines.append(
            f"| {label} | {m1:.2f} | {m2:.2f} | {m3:.2f} | {s['median']:.2f} | {s['p90']:.2f} | "
            f"{s['mean_signed']:+.2f} | {(ours_tokyo / tokyo - 1) * 100:+.1f} |"
        )
    return lines


def mortality_section(inputs: Inputs, ipss18: pl.DataFrame, ipss23: pl.DataFrame, b15: Baseline) -> list[str]:
    """Before/after of the municipal mortality level (same runs, only `mortality` changed) and its distribution."""
    rows = []
    for label, on in (("national survival for every unit (before)", False), ("municipal mortality level", True)):
        m1, m2, m3 = metrics(inputs, ipss18, DEFAULT_RULE, mortality=on)
        b = ipss_baseline(inputs, 2020, 2050, mortality=on)
        r = project(b.base, b.params)
        e23 = errors(pl.DataFrame({"muni_code": b.units, "projected": r[:, -1].sum(axis=(1, 2))}), ipss23)
        rows.append(f"| {label} | {m1:.2f} | {m2:.2f} | {m3:.2f} | {float(e23['ape_pct'].median()):.2f} |")
    m = b15.mortality
    if m is None:
        return ["### Mortality level", "", "No deaths in the warehouse: national survival for every unit.", ""]
    q = np.quantile(m.smr, [0.1, 0.5, 0.9])
    qs = np.quantile(m.smr_shrunk, [0.1, 0.5, 0.9])
    return [
        "### Mortality level (survival adjusted to each unit's SMR)",
        "",
        "| survival ratios | median APE total 2045 % | p90 APE total 2045 % | median APE women 20–39 2045 % | "
        "median APE total 2050 vs IPSS 2023 % |",
        "|---|---:|---:|---:|---:|",
        *rows,
        "",
        f"SMR (both sexes; the bundle has no deaths by sex): deaths {m.years[0]}–{m.years[1]} (SSDSE-A A4200) ÷ "
        f"census {m.census_year} by sex × age × national death rates of life table {m.life_table_year} × "
        f"{m.years[1] - m.years[0] + 1} years, scaled by {m.national_scale:.4f} so that Japan's SMR is 1. The 2015 "
        f"base uses the same deaths and census (the bundle's deaths start in 2016): later than the base, so this run "
        "sees five years of mortality after 2015. SMR deciles 10/50/90 %: "
        f"{q[0]:.3f} / {q[1]:.3f} / {q[2]:.3f}; after empirical-Bayes shrinkage toward the prefecture "
        f"(τ² = {m.tau2:.5f}): {qs[0]:.3f} / {qs[1]:.3f} / {qs[2]:.3f}; range {m.smr_shrunk.min():.3f} – "
        f"{m.smr_shrunk.max():.3f}. The adjustment (S ** SMR for the projection and for the residual migration "
        "estimates alike), the deaths window and the shrinkage were decided before this comparison was run and "
        "were not changed after it.",
        "",
    ]


def ipss2018_targets(con: duckdb.DuckDBPyConnection) -> tuple[AnchorTargets, dict[str, float]]:
    """IPSS 2018's 0–14, 15–64, 65+ by municipality and year, and its women 20–39 in 2045."""
    rows = con.sql(
        """SELECT area_code, year, sum(persons) FILTER (WHERE age_start < 15),
                  sum(persons) FILTER (WHERE age_start BETWEEN 15 AND 60), sum(persons) FILTER (WHERE age_start >= 65),
                  sum(persons) FILTER (WHERE sex = 'female' AND age_start BETWEEN 20 AND 35)
           FROM core_ipss2018__population WHERE area_level = 'municipality' GROUP BY ALL"""
    ).fetchall()
    units = sorted({r[0] for r in rows})
    years = sorted({int(r[1]) for r in rows})
    values = np.full((len(units), len(years), 3), np.nan)
    pos = {u: i for i, u in enumerate(units)}
    women: dict[str, float] = {}
    for code, year, a, b, c, w in rows:
        values[pos[code], years.index(int(year))] = (a, b, c)
        if int(year) == 2045:
            women[code] = float(w)
    return AnchorTargets(units, years, values, "IPSS 2018"), women


def anchoring_on_2015(inputs: Inputs, con: duckdb.DuckDBPyConnection) -> list[str]:
    """The anchoring method tried on the previous vintage: the 2015-based run anchored to IPSS 2018's three age
    groups, whose sex × age detail (unlike IPSS 2023's) is in the bundle, so the detail the anchoring takes from
    the engine can be checked: women 20–39 in 2045 and the halving of women 20–39 over 30 years."""
    targets, women = ipss2018_targets(con)
    b = ipss_baseline(inputs, 2015, 2045)
    t = targets.for_units(b.units, b.years)
    have = np.isfinite(t[:, 0, 0])
    base = anchor_base(b.base, t[:, 0])
    anchored = project(base, anchor_params(base, b.params, t[:, 1:]))
    engine = project(b.base, b.params)
    w2015 = b.base[have, FEMALE, WOMEN_20_39].sum(axis=1)
    ipss_w = np.array([women[u] for u, h in zip(b.units, have, strict=True) if h])
    rows = []
    for label, run in (("engine (not anchored)", engine), ("anchored to IPSS 2018's 0–14, 15–64, 65+", anchored)):
        w = run[have, -1, FEMALE, WOMEN_20_39].sum(axis=1)
        ape = np.abs(w / ipss_w - 1) * 100
        halving = int((w / w2015 - 1 <= -0.5).sum())
        rows.append(f"| {label} | {np.median(ape):.2f} | {np.quantile(ape, 0.9):.2f} | {halving} |")
    rows.append(f"| IPSS 2018's own sex × age | 0 | 0 | {int((ipss_w / w2015 - 1 <= -0.5).sum())} |")
    return [
        "### The anchoring checked on the previous vintage (2015 base, IPSS 2018)",
        "",
        "IPSS 2023 publishes no sex × age by unit, so the detail パターン1 takes from the engine cannot be compared "
        "with it. IPSS 2018 does publish it: the same anchoring applied to the 2015-based run with IPSS 2018's three "
        f"age groups as targets shows how far the engine's detail inside the groups carries ({int(have.sum())} "
        "municipalities; women 20–39 in 2045, and the units where they halve 2015 → 2045, the 2014 definition over "
        "the same 30 years).",
        "",
        "| run (2015 base) | median APE women 20–39 2045 % | p90 % | women 20–39 halve 2015 → 2045 |",
        "|---|---:|---:|---:|",
        *rows,
        "",
    ]


# 住民基本台帳 dynamics rows whose out-migrants cover the five years before each base year: calendar years
# 2015–2019 for the 2020 census (October), and FY2010–FY2012 + CY2013–2014 for the 2015 census.
JUKI_WINDOWS = {2020: ("2016-01-01", "2020-01-01"), 2015: ("2011-03-31", "2015-01-01")}
GROSS_SCALES = (1.0, 0.5, 0.25)


def juki_out_movers(con: duckdb.DuckDBPyConnection) -> dict[int, dict[str, float]]:
    """Out-migrants (国内 + 国外, every age) of the five registration years before each base year, by municipality."""
    result = {}
    for year, (first, last) in JUKI_WINDOWS.items():
        rows = con.execute(
            """SELECT muni_code, sum(out_movers_persons) AS persons, count(*) AS years
               FROM core_juki__population_dynamics WHERE ref_date BETWEEN ?::DATE AND ?::DATE GROUP BY ALL""",
            [first, last],
        ).fetchall()
        result[year] = {code: float(persons) for code, persons, years in rows if years == 5}
    return result


def gross_section(
    inputs: Inputs, ipss18: pl.DataFrame, ipss23: pl.DataFrame, out_movers: dict[int, dict[str, float]]
) -> list[str]:
    """The pool model with the bundle's gross flows (`gross.pool_params`) against the default net rates, both
    bases: a heading, what was done, the table and what it shows."""
    table = [
        "| municipal migration | 2015 base median APE % | p90 % | women 20–39 median % | "
        "2020 base vs IPSS 2023 median APE % | p90 % | mean signed % | units under 5,000: median signed % |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    runs: list[tuple[str, float | None]] = [("default: net rates held", None)]
    runs += [(f"pool model, out-migrants = 住基 5 years × {s:g}", s) for s in GROSS_SCALES]
    results = []
    for label, scale in runs:
        g15 = None if scale is None else GrossFlows(out_movers[2015], scale)
        g20 = None if scale is None else GrossFlows(out_movers[2020], scale)
        m15 = metrics(inputs, ipss18, DEFAULT_RULE, gross=g15)
        b = ipss_baseline(inputs, 2020, 2050, gross=g20)
        r = project(b.base, b.params)
        e = errors(pl.DataFrame({"muni_code": b.units, "projected": r[:, -1].sum(axis=(1, 2))}), ipss23)
        s20 = summary(e)
        small = [u for u, p in zip(b.units, b.base.sum(axis=(1, 2)), strict=True) if p < 5000]
        small_signed = float(e.filter(pl.col("muni_code").is_in(small))["err_pct"].median())
        results.append((scale, m15, s20, small_signed))
        table.append(
            f"| {label} | {m15[0]:.2f} | {m15[1]:.2f} | {m15[2]:.2f} | {s20['median']:.2f} | {s20['p90']:.2f} | "
            f"{s20['mean_signed']:+.2f} | {small_signed:+.2f} |"
        )
    default, as_counted = results[0], results[1]
    better_both = [
        f"× {scale:g}"
        for scale, m15, s20, _ in results[1:]
        if s20["median"] < default[2]["median"] and m15[0] <= default[1][0] and m15[1] <= default[1][1]
    ]
    return [
        "### Gross flows: the pool model with 住民基本台帳 out-migrants (IPSS 2023's 転出率・配分率; not adopted)",
        "",
        "IPSS 2023 projects an area's out-migrants as a rate of its own population and its in-migrants as a share "
        "of the pool of all movers, so a shrinking area keeps drawing in-migrants while a held net rate shrinks "
        "them with it. Its inputs are out- and in-migrants by area × sex × age; the bundle has out-migrants by "
        "municipality for all ages together (住民基本台帳, 転出者数 国内 + 国外, the five registration years before "
        "each base). This variant (`gross.pool_params`, `ipss_baseline(gross=…)`) spreads each municipality's "
        "out-migrants over sex × age by one national profile (the survivor-weighted spread of the units' net rates "
        "at each sex × age, `gross.dispersion_profile`: a proxy, no published profile being in the bundle), takes "
        "as in-migrants what the observed net rate then requires, and holds each unit's out-rates (転出率) and its "
        "share of the national pool (配分率) from the first step; the prefectures keep net rates and the "
        "consistency step is the default's. The number of movers is uncertain by a factor: five years of "
        "registrations count a person who moves twice twice, so the movers a census sees over the period are "
        "fewer, by a share the bundle does not give. The rows × 0.5 and × 0.25 show how much the result rests on "
        "that number; they are not candidates (a factor read off this table would be fitted to it).",
        "",
        *table,
        "",
        f"With the registrations as counted (× 1) the small units' median signed error of the 2020 base goes from "
        f"{default[3]:+.2f}% to {as_counted[3]:+.2f}% and the median APE from {default[2]['median']:.2f}% to "
        f"{as_counted[2]['median']:.2f}%; the 2015 base (IPSS 2018 projected with net rates) goes from "
        f"{default[1][0]:.2f}% to {as_counted[1][0]:.2f}%. "
        + (
            f"Factors that improve the 2020 base without making the 2015 base worse: {', '.join(better_both)}. "
            if better_both
            else "No factor improves the 2020 base without making the 2015 base worse. "
        )
        + "Not adopted: "
        + (
            "the pool model moves the small units toward IPSS 2023 (a shrinking unit keeps its in-migrants) and, "
            "with the registrations as counted, past it; "
            if default[3] < 0 < as_counted[3]
            else "the pool model does not bring the small units to IPSS 2023; "
        )
        + "how far it moves them rests on the age profile and the count of movers, neither of which the "
        "bundle gives. With out-migrants by municipality × sex × age (住民基本台帳人口移動報告 詳細集計, "
        "or the census's 移動人口 tables; both on e-Stat: `sousei data estat STATS_DATA_ID` with an application "
        "ID) both would be data: `gross.gross_rates` takes out-migrants in that form.",
    ]
