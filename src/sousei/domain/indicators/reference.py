"""参考値: indicator values shown with that label but left out of the 偏差値, ranks, peer means and priority issues
(pure). Two rules, both stated per entry in the registry (docs/methods/deviation.md):

- no population: the census the data year is set against counted fewer than MIN_CENSUS_POPULATION people in the
  municipality (葛尾村 18 and 飯舘村 41 in 2015, under evacuation orders): no rate of it is comparable;
- small base: the denominator is below the entry's `min_denominator` (a rate on a handful of people; an index on a
  base year of a few births) — or, for an entry with `reference_as`, the named entry's value is 参考値;
- registration mismatch: the entry's numerator counts registered residents and its denominator the census
  population, and the municipality's registered ÷ census population of the census the data year is set against lies
  outside REGISTRATION_RATIO_RANGE (the evacuated towns of 浜通り and 飯舘村 after 2011: 大熊町 2020 has 10,265
  registered residents and 847 counted by the census). These values are also left out of Japan's and the
  prefectures' ratios of sums, since their numerator and denominator count different people.
"""

from __future__ import annotations

import polars as pl

from sousei.domain.indicators.model import MIN_CENSUS_POPULATION, REGISTRATION_RATIO_RANGE

REFERENCE_COLUMNS = ("is_reference", "reference_reason", "in_totals")

# The census a data year is set against for the registration check: the nearest census, 2020 after 2020.
_CENSUS_OF_YEAR = pl.min_horizontal(pl.lit(2020), ((pl.col("year") / 5).round(0) * 5).cast(pl.Int32))


def mark_reference(values: pl.DataFrame, meta: pl.DataFrame, registration: pl.DataFrame | None) -> pl.DataFrame:
    """`values` (indicator_id, muni_code, year, numerator, denominator, value) with is_reference, reference_reason
    and in_totals added.

    `meta`: indicator_id, min_denominator, min_denominator_ja, reference_as, registered_over_census;
    `registration`: muni_code, census_year, census (persons), ratio (registered ÷ census population; inf where the
    census counted nobody).
    """
    m = meta.select("indicator_id", "min_denominator", "min_denominator_ja", "reference_as", "registered_over_census")
    v = values.join(m, on="indicator_id", how="left")
    small = pl.col("denominator") < pl.col("min_denominator")
    small_reason = pl.format(
        "{}が{}（{}未満）と少なく、少数の増減で値が大きく振れる",
        pl.col("min_denominator_ja"),
        pl.col("denominator").round(0).cast(pl.Int64),
        pl.col("min_denominator").cast(pl.Int64),
    )
    lo, hi = REGISTRATION_RATIO_RANGE
    if registration is not None and registration.height:
        reg = registration.select(
            "muni_code",
            pl.col("census_year").cast(pl.Int32),
            pl.col("census").cast(pl.Float64),
            pl.col("ratio").cast(pl.Float64),
        )
        v = v.with_columns(_CENSUS_OF_YEAR.alias("census_year")).join(reg, on=["muni_code", "census_year"], how="left")
    else:
        v = v.with_columns(
            pl.lit(None, dtype=pl.Float64).alias("ratio"),
            pl.lit(None, dtype=pl.Float64).alias("census"),
            pl.lit(None, dtype=pl.Int32).alias("census_year"),
        )
    mismatch = (
        pl.col("registered_over_census").fill_null(False)
        & pl.col("ratio").is_not_null()
        & (pl.col("ratio").is_nan() | (pl.col("ratio") < lo) | (pl.col("ratio") > hi))
    )
    mismatch_reason = pl.format(
        "住民登録人口が{}年国勢調査人口の{}倍（避難等で住民票を残して不在の住民が多い）。分子は住民登録、分母は国勢調査で、別の人を数えている",
        pl.col("census_year"),
        pl.when(pl.col("ratio").is_infinite()).then(pl.lit("∞")).otherwise(pl.col("ratio").round(2).cast(pl.Utf8)),
    )
    empty = (pl.col("census") < MIN_CENSUS_POPULATION).fill_null(False)
    empty_reason = pl.format(
        "{}年国勢調査の人口が{}人（{}人未満、避難指示等）で、比較できない",
        pl.col("census_year"),
        pl.col("census").round(0).cast(pl.Int64),
        pl.lit(int(MIN_CENSUS_POPULATION)),
    )
    v = v.with_columns(
        pl.when(mismatch)
        .then(mismatch_reason)
        .when(empty)
        .then(empty_reason)
        .when(small.fill_null(False))
        .then(small_reason)
        .alias("reference_reason"),
        (~mismatch).alias("in_totals"),
    )
    # reference_as: the named entry's 参考値 rows (same municipality and year) are 参考値 here too
    linked = m.filter(pl.col("reference_as").fill_null("") != "").select("indicator_id", "reference_as")
    if linked.height:
        base = v.filter(pl.col("reference_reason").is_not_null()).select(
            pl.col("indicator_id").alias("reference_as"), "muni_code", "year", pl.col("reference_reason").alias("_base")
        )
        v = (
            v.join(
                base.join(linked, on="reference_as").drop("reference_as"),
                on=["indicator_id", "muni_code", "year"],
                how="left",
            )
            .with_columns(
                pl.coalesce("reference_reason", pl.format("基準の値が参考値：{}", pl.col("_base"))).alias(
                    "reference_reason"
                )
            )
            .drop("_base")
        )
    return v.with_columns(pl.col("reference_reason").is_not_null().alias("is_reference")).select(
        *values.columns, *REFERENCE_COLUMNS
    )
