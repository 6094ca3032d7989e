"""Priority issues per municipality (pure): its weakest indicators by oriented 偏差値 and by trend, grouped by family,
each with its evidence. The rule is documented in docs/methods/priority.md; the constants below are that rule.
"""

from __future__ import annotations

import polars as pl

# An indicator is an issue when its oriented 偏差値 over the 1,741 is below LEVEL_THRESHOLD (half a standard
# deviation worse than the mean) or the oriented 偏差値 of its change since the previous data year is below
# TREND_THRESHOLD (one standard deviation worse than the typical change).
LEVEL_THRESHOLD = 45.0
TREND_THRESHOLD = 40.0
# priority = (50 − level score)⁺ + TREND_WEIGHT · (50 − trend score)⁺ + PEER_WEIGHT · (50 − peer score)⁺
TREND_WEIGHT = 0.5
PEER_WEIGHT = 0.25
# At most this many issues per family and municipality are kept, so that a family with many indicators
# (the 18 industries are neutral and never issues, but the fiscal indices are many) cannot crowd out the others.
PER_FAMILY = 3

# The comparison's columns a priority issue carries as its evidence, beside its value and unit.
EVIDENCE_COLUMNS = (
    "national_value",
    "prefecture_value",
    "peer_mean",
    "oriented_japan",
    "oriented_peer",
    "previous_year",
    "change",
    "oriented_change_score",
)
ISSUE_COLUMNS = (
    "muni_code",
    "rank",
    "family",
    "family_rank",
    "indicator_id",
    "year",
    "basis",
    "priority_score",
    "value",
    "unit",
    *EVIDENCE_COLUMNS,
    "sources",
)


def latest_comparisons(comparisons: pl.DataFrame) -> pl.DataFrame:
    """Each indicator's rows of its latest data year (the year the diagnosis speaks about)."""
    latest = comparisons.group_by("indicator_id").agg(pl.col("year").max().alias("latest"))
    return comparisons.join(latest, on="indicator_id").filter(pl.col("year") == pl.col("latest")).drop("latest")


def priority_issues(comparisons: pl.DataFrame, meta: pl.DataFrame) -> pl.DataFrame:
    """Flagged issues per municipality, ranked (rank 1 = the most pressing).

    `comparisons` has the columns of `compare.compare`; `meta`: indicator_id, family, direction, unit, sources.
    Neutral indicators are never issues. Ties are broken by indicator id, so the result is deterministic.
    """
    m = meta.filter(pl.col("direction") != "neutral").select("indicator_id", "family", "unit", "sources")
    c = latest_comparisons(comparisons).join(m, on="indicator_id", how="inner")
    if "is_reference" in c.columns:
        c = c.filter(~pl.col("is_reference"))  # 参考値 are never issues

    def weak(col: str) -> pl.Expr:
        return (50.0 - pl.col(col)).clip(lower_bound=0.0).fill_null(0.0).fill_nan(0.0)

    level_flag = (pl.col("oriented_japan").fill_nan(None) < LEVEL_THRESHOLD).fill_null(False)
    trend_flag = (pl.col("oriented_change_score").fill_nan(None) < TREND_THRESHOLD).fill_null(False)
    c = c.with_columns(
        (
            weak("oriented_japan") + TREND_WEIGHT * weak("oriented_change_score") + PEER_WEIGHT * weak("oriented_peer")
        ).alias("priority_score"),
        pl.when(level_flag & trend_flag)
        .then(pl.lit("level_and_trend"))
        .when(level_flag)
        .then(pl.lit("level"))
        .when(trend_flag)
        .then(pl.lit("trend"))
        .otherwise(None)
        .alias("basis"),
    ).filter(pl.col("basis").is_not_null())
    c = (
        c.sort(["muni_code", "family", "priority_score", "indicator_id"], descending=[False, False, True, False])
        .with_columns(pl.int_range(1, pl.len() + 1).over("muni_code", "family").cast(pl.Int32).alias("family_rank"))
        .filter(pl.col("family_rank") <= PER_FAMILY)
        .sort(["muni_code", "priority_score", "indicator_id"], descending=[False, True, False])
        .with_columns(pl.int_range(1, pl.len() + 1).over("muni_code").cast(pl.Int32).alias("rank"))
    )
    return c.select(ISSUE_COLUMNS)
