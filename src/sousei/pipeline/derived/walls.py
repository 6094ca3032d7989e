"""The walls: births gap against Japan split into marriage and marital-fertility factors, with 結婚の壁 / 第2子以降の壁
flags, and the environment indicators' 偏差値 with their correlation to the gap → out_walls__decomposition,
out_walls__environment. Method: docs/methods/walls.md."""

from __future__ import annotations

import numpy as np
import polars as pl

from sousei.domain.walls import (
    MARRIAGE_WALL_THRESHOLD,
    SECOND_CHILD_WALL_THRESHOLD,
    correlate_with_gap,
    decompose_births_gap,
    married_share_from_unmarried,
)
from sousei.pipeline.context import StepContext
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Coverage, SqlCheck, Step, Table

BIRTH_YEARS = (2020, 2021, 2022, 2023)  # 人口動態 births (SSDSE-A A4101), averaged to damp small numbers
AGES = ("25-29", "30-34", "35-39")

DECOMPOSITION = Table(
    name="out_walls__decomposition",
    description=(
        "Births gap of each municipality against Japan, ln(G / G_Japan) with G = births (人口動態 2020–2023 mean) per "
        "woman 25–39 (census 2020), split exactly into a marriage factor ln(m / m_Japan) (m = ever-married share of "
        "women 25–39, census 2025) and a marital-fertility factor ln(f / f_Japan) (f = births per married woman). "
        f"結婚の壁 when the marriage factor ≤ {MARRIAGE_WALL_THRESHOLD}, 第2子以降の壁 when the marital-fertility "
        f"factor ≤ {SECOND_CHILD_WALL_THRESHOLD} (a proxy: the bundle has no births by order). docs/methods/walls.md."
    ),
    columns=(
        field("muni_code"),
        C("births_per_year", "DOUBLE", "Mean yearly live births 2020–2023 (人口動態, SSDSE-A A4101)", min=0),
        C("women_25_39", "DOUBLE", "Women aged 25–39, census 2020 (age 不詳 allocated)", min=0),
        C(
            "married_share",
            "DOUBLE",
            "Ever-married share of women 25–39: 1 − unmarried rates (census 2025) "
            "weighted by the census-2020 women of each 5-year group",
            min=0,
            max=1,
        ),
        C("fertility_per_1000", "DOUBLE", "births_per_year / women_25_39 × 1,000", min=0),
        C("marital_fertility_per_1000", "DOUBLE", "births_per_year / (married_share × women_25_39) × 1,000", min=0),
        C("births_gap", "DOUBLE", "ln(fertility / Japan's): negative = fewer births per woman than Japan"),
        C("marriage_factor", "DOUBLE", "ln(married_share / Japan's): the part of the gap due to marriage"),
        C(
            "marital_fertility_factor",
            "DOUBLE",
            "ln(marital fertility / Japan's): the part due to births per married woman",
        ),
        C("is_marriage_wall", "BOOLEAN", f"結婚の壁: marriage_factor ≤ {MARRIAGE_WALL_THRESHOLD}", nullable=False),
        C(
            "is_second_child_wall",
            "BOOLEAN",
            f"第2子以降の壁 (proxy): marital_fertility_factor ≤ {SECOND_CHILD_WALL_THRESHOLD}",
            nullable=False,
        ),
    ),
    key=("muni_code",),
    coverage=Coverage(),
    checks=(
        SqlCheck(
            "walls-factors-add-up",
            "marriage_factor + marital_fertility_factor ≠ births_gap",
            """SELECT * FROM out_walls__decomposition
               WHERE abs(marriage_factor + marital_fertility_factor - births_gap) > 1e-9""",
        ),
    ),
)

ENVIRONMENT = Table(
    name="out_walls__environment",
    description=(
        "Environment indicators (living environment, economy and employment) per municipality with their 偏差値 "
        "(out_indicators__comparisons, higher = better), and the correlation across municipalities of that 偏差値 "
        "with the births gap of out_walls__decomposition (same for every municipality of an indicator). "
        "docs/methods/walls.md."
    ),
    columns=(
        field("muni_code"),
        field("indicator_id", "Environment indicator (out_indicators__registry id)"),
        C("name_ja", "VARCHAR", "Japanese name of the indicator with its unit", nullable=False),
        field("year", "Data year of the indicator value (as out_indicators__values.year)"),
        C("value", "DOUBLE", "Indicator value (unit in name_ja); NULL where not defined"),
        C(
            "deviation_score",
            "DOUBLE",
            "The indicator's 偏差値 from out_indicators__comparisons (oriented_japan: higher = better by the "
            "registry's direction; NULL for a 参考値)",
        ),
        C(
            "correlation_with_gap",
            "DOUBLE",
            "Pearson r across municipalities of deviation_score and births_gap",
            min=-1,
            max=1,
        ),
        C("n_correlated", "INTEGER", "Municipalities with both values in the correlation", min=0),
    ),
    key=("muni_code", "indicator_id"),
    coverage=Coverage(per=("indicator_id",)),
)

# The environment indicators beside the walls: registry ids (out_indicators__registry), each in its latest data year.
# Their value and 偏差値 are the comparisons' (one indicator, one 偏差値 on every page: oriented_japan, the robust
# 偏差値 turned by the registry's direction so that higher = better).
ENVIRONMENT_INDICATORS = (
    "living_doctors_per_10000",
    "living_clinics_per_10000",
    "living_childcare_per_1000_children",
    "living_childcare_waiting_per_1000_children",
    "living_childcare_unplaced_share_pct",
    "living_childcare_capacity_per_100_children_0_5",
    "living_retail_shops_per_1000",
    "econ_jobs_per_100_residents",
    "women_employment_rate_pct",
    "women_unemployment_rate_pct",
)


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    munis = ctx.table("core_areas__municipalities").select("muni_code").sort("muni_code")
    census = ctx.table("core_census__population_by_sex_age").filter(pl.col("census_year") == 2020)
    ssdse = ctx.table("core_ssdse__values")
    unmarried = ctx.table("core_census2025__unmarried_rate").filter(
        (pl.col("sex") == "female") & pl.col("age_group").is_in(AGES)
    )

    women = census.filter((pl.col("sex") == "female") & pl.col("age_group").is_in(AGES)).select(
        "muni_code", "age_group", pl.col("persons").alias("women")
    )
    shares = married_share_from_unmarried(
        unmarried.filter(pl.col("area_level") == "municipality").select(
            pl.col("area_code").alias("muni_code"), "age_group", "unmarried_pct"
        ),
        women,
    )
    births = (
        ssdse.filter((pl.col("item_code") == "A4101") & pl.col("data_year").is_in(BIRTH_YEARS))
        .group_by("muni_code")
        .agg(pl.col("value").sum().alias("births"), pl.len().alias("n_years"))
    )
    if births["n_years"].min() != len(BIRTH_YEARS):
        raise ctx.fail("walls", f"births (A4101) not present for every year {BIRTH_YEARS}", where="core_ssdse__values")
    frame = munis.join(births, on="muni_code", how="left").join(shares, on="muni_code", how="left")
    frame = frame.with_columns((pl.col("births") / len(BIRTH_YEARS)).alias("births_per_year"))

    # Japan: the published national unmarried rates weighted by Japan's women (the sum of the municipalities).
    nat_women = women.group_by("age_group").agg(pl.col("women").sum()).with_columns(pl.lit("00000").alias("muni_code"))
    nat_rates = unmarried.filter(pl.col("area_level") == "japan").select(
        pl.lit("00000").alias("muni_code"), "age_group", "unmarried_pct"
    )
    nat = married_share_from_unmarried(nat_rates, nat_women).row(0, named=True)
    if nat["married_share"] is None:
        raise ctx.fail("walls", "Japan's unmarried rates for women 25–39 are missing", where="unmarried_2025")
    national = (frame["births_per_year"].sum(), nat["women"], nat["married_share"])

    parts = decompose_births_gap(
        frame["births_per_year"].to_numpy(),
        frame["women"].to_numpy(),
        frame["married_share"].to_numpy(),
        national=national,
    )
    decomposition = frame.select(
        "muni_code",
        "births_per_year",
        pl.col("women").alias("women_25_39"),
        "married_share",
        pl.Series("fertility_per_1000", parts["fertility"] * 1000).fill_nan(None),
        pl.Series("marital_fertility_per_1000", parts["marital_fertility"] * 1000).fill_nan(None),
        pl.Series("births_gap", parts["births_gap"]).fill_nan(None),
        pl.Series("marriage_factor", parts["marriage_factor"]).fill_nan(None),
        pl.Series("marital_fertility_factor", parts["marital_fertility_factor"]).fill_nan(None),
        pl.Series("is_marriage_wall", parts["is_marriage_wall"].astype(bool)),
        pl.Series("is_second_child_wall", parts["is_second_child_wall"].astype(bool)),
    )
    environment = _environment(ctx, munis, parts["births_gap"])
    return {DECOMPOSITION.name: decomposition, ENVIRONMENT.name: environment}


def _environment(ctx: StepContext, munis: pl.DataFrame, gap: np.ndarray) -> pl.DataFrame:
    registry = ctx.table("out_indicators__registry").select("indicator_id", "name_ja", "unit", "last_year")
    comparisons = ctx.table("out_indicators__comparisons").select(
        "indicator_id", "muni_code", "year", "value", "oriented_japan"
    )
    frames = []
    for ind_id in ENVIRONMENT_INDICATORS:
        meta = registry.filter(pl.col("indicator_id") == ind_id)
        if meta.height != 1 or meta["last_year"][0] is None:
            raise ctx.fail("walls", f"environment indicator {ind_id} has no data", where="out_indicators__registry")
        name, unit, year = meta["name_ja"][0], meta["unit"][0], meta["last_year"][0]
        rows = munis.join(
            comparisons.filter((pl.col("indicator_id") == ind_id) & (pl.col("year") == year)),
            on="muni_code",
            how="left",
        )
        score = rows["oriented_japan"].fill_null(np.nan).to_numpy().astype(np.float64)
        r, n = correlate_with_gap(gap, score)
        frames.append(
            rows.select(
                "muni_code",
                pl.lit(ind_id).alias("indicator_id"),
                pl.lit(f"{name}（{unit}）" if unit else name).alias("name_ja"),
                pl.lit(year, dtype=pl.Int32).alias("year"),
                "value",
                pl.col("oriented_japan").alias("deviation_score"),
                pl.lit(None if np.isnan(r) else r, dtype=pl.Float64).alias("correlation_with_gap"),
                pl.lit(n, dtype=pl.Int32).alias("n_correlated"),
            )
        )
    return pl.concat(frames)


STEP = Step(
    name="walls",
    description="Births gap decomposition (結婚の壁 / 第2子以降の壁) and environment indicators moving with it",
    sources=(),
    tables=(DECOMPOSITION, ENVIRONMENT),
    parse=parse,
    depends=("areas", "census_population", "ssdse_a", "unmarried_2025", "indicators"),
)
