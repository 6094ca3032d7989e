"""Errors of a projection against IPSS: APE summaries, by municipality size, the histogram, the 20 worst with
their likely reason, and the 2015-base metrics of one migration rule (used by the validation report)."""

from __future__ import annotations

import numpy as np
import polars as pl

from sousei.domain.projection.baseline import ipss_baseline
from sousei.domain.projection.engine import FEMALE, WOMEN_20_39, project
from sousei.domain.projection.gross import GrossFlows
from sousei.domain.projection.inputs import Inputs
from sousei.domain.projection.migration import MigrationRule

SIZES = [0, 5_000, 20_000, 100_000, 500_000, float("inf")]


def errors(ours: pl.DataFrame, ref: pl.DataFrame) -> pl.DataFrame:
    return ours.join(ref, on="muni_code").with_columns(
        err_pct=(pl.col("projected") / pl.col("ipss") - 1) * 100,
        ape_pct=((pl.col("projected") / pl.col("ipss") - 1) * 100).abs(),
    )


def summary(e: pl.DataFrame, col: str = "ape_pct") -> dict[str, float]:
    return {
        "n": e.height,
        "median": float(e[col].median()),
        "p90": float(e[col].quantile(0.9, "linear")),
        "mean_signed": float(e["err_pct"].mean()),
    }


def size_table(e: pl.DataFrame) -> list[str]:
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


def histogram(e: pl.DataFrame) -> list[str]:
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


def reason(row: dict, rates: dict[str, float], basis: dict[str, str]) -> str:
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


def metrics(
    inputs: Inputs, ref: pl.DataFrame, rule: MigrationRule, mortality: bool = True, gross: GrossFlows | None = None
) -> tuple[float, float, float]:
    b = ipss_baseline(inputs, 2015, 2045, rule=rule, mortality=mortality, gross=gross)
    r = project(b.base, b.params)
    d = pl.DataFrame(
        {"muni_code": b.units, "t": r[:, -1].sum(axis=(1, 2)), "w": r[:, -1, FEMALE, WOMEN_20_39].sum(axis=1)}
    ).join(ref, on="muni_code")
    at = ((d["t"] / d["ipss"] - 1).abs() * 100).to_numpy()
    aw = ((d["w"] / d["ipss_w"] - 1).abs() * 100).to_numpy()
    return float(np.median(at)), float(np.quantile(at, 0.9)), float(np.median(aw))


def prefecture_errors(e: pl.DataFrame, prefectures: pl.DataFrame) -> pl.DataFrame:
    """The prefectures' projected totals (the sum of their units in `e`) against the published ones `prefectures`
    (pref_code, ipss): pref_code, projected, ipss, err_pct."""
    return (
        e.group_by(pl.col("muni_code").str.slice(0, 2).alias("pref_code"))
        .agg(pl.col("projected").sum())
        .join(prefectures, on="pref_code")
        .with_columns(err_pct=(pl.col("projected") / pl.col("ipss") - 1) * 100)
    )


def prefecture_split(e: pl.DataFrame, prefectures: pl.DataFrame) -> list[str]:
    """Where the error of a run compared unit by unit lies: the prefectures' totals (the sum of their units, against
    the published prefecture totals `prefectures` (pref_code, ipss)) and the units within them (each unit rescaled by
    its prefecture's published ÷ projected total, so that only the share within the prefecture is compared)."""
    pref = prefecture_errors(e, prefectures)
    within = (
        e.with_columns(pl.col("muni_code").str.slice(0, 2).alias("pref_code"))
        .join(pref.select("pref_code", (pl.col("ipss") / pl.col("projected")).alias("factor")), on="pref_code")
        .with_columns(ape_pct=((pl.col("projected") * pl.col("factor") / pl.col("ipss") - 1) * 100).abs())
    )
    ape = pref["err_pct"].abs()

    def row(label: str, n: int, a: pl.Series) -> str:
        return f"| {label} | {n} | {a.median():.2f} | {a.quantile(0.9, 'linear'):.2f} |"

    high = pref.sort("err_pct", descending=True).head(3).iter_rows(named=True)
    low = pref.sort("err_pct").head(3).iter_rows(named=True)
    return [
        "| compared | n | median APE % | p90 APE % |",
        "|---|---:|---:|---:|",
        row("prefecture totals (Σ of the units)", pref.height, ape),
        row("units as projected", e.height, e["ape_pct"]),
        row("units rescaled to their prefecture's published total", within.height, within["ape_pct"]),
        "",
        "Prefectures furthest above: "
        + ", ".join(f"{r['pref_code']} {r['err_pct']:+.1f}%" for r in high)
        + "; furthest below: "
        + ", ".join(f"{r['pref_code']} {r['err_pct']:+.1f}%" for r in low)
        + ".",
    ]


def excess_allocation(without: pl.DataFrame, with_: pl.DataFrame, population: pl.DataFrame) -> str:
    """Where the persons a larger national control adds land: the prefectures' totals of the same run without and
    with it (prefecture_errors frames), against their share of the base population `population` (pref_code, base)."""
    d = (
        with_.select("pref_code", pl.col("projected").alias("with"))
        .join(without.select("pref_code", pl.col("projected").alias("without")), on="pref_code")
        .join(population, on="pref_code")
        .with_columns(added=pl.col("with") - pl.col("without"))
        .sort("added", descending=True)
    )
    total, base = float(d["added"].sum()), float(d["base"].sum())
    top = list(d.head(3).iter_rows(named=True))
    return f"{total:,.0f} persons; " + ", ".join(
        f"{r['pref_code']} {r['added'] / total:.0%} of them ({r['base'] / base:.0%} of the 2020 population)"
        for r in top
    )
