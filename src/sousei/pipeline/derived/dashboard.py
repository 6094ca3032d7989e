"""The numbers the dashboard's charts draw that no other table holds, computed here once so that a chart only reads:
births as an index (first year = 100) for each municipality and Japan, the simple means of the municipal TFR
estimates by prefecture, peer group and Japan, the labour-force rate by sex (women's = the indicator registry's) and
the private employees' shares by industry → out_dashboard__*."""

from __future__ import annotations

import duckdb
import polars as pl

from sousei.domain.indicators.compare import compute_values
from sousei.domain.indicators.women import LABOUR_FORCE_RATE, labour_force_query
from sousei.pipeline.context import StepContext
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Coverage, SqlCheck, Step, Table

JAPAN = "00000"
BIRTHS_ITEM = "A4101"  # 出生数 (人口動態統計, SSDSE-A)
# 従業者数（民営）by industry (経済センサス, SSDSE-A): C2208 + two digits; the industry is the item name's last (…).
INDUSTRY_ITEMS = r"^C2208\d\d$"
INDUSTRY_NAME = r"（民営）（(.*)）$"

BIRTHS_INDEX = Table(
    name="out_dashboard__births_index",
    description=(
        "Live births (人口動態統計, SSDSE-A A4101) per year for each municipality and for Japan (area_code '00000', "
        "the sum of the municipalities), with the index first year = 100 drawn by the dashboard's 出生数の推移."
    ),
    columns=(
        field("area_code", "A municipality of 2020, or '00000' for Japan (the sum of the municipalities)"),
        field("year", "Calendar year of the births"),
        C("births", "DOUBLE", "Live births in the year (persons)", nullable=False, min=0),
        C(
            "births_index",
            "DOUBLE",
            "births ÷ births of the area's first year × 100; NULL where the first year had no births",
            min=0,
        ),
    ),
    key=("area_code", "year"),
    coverage=Coverage(per=("year",), where=f"area_code <> '{JAPAN}'", column="area_code"),
    checks=(
        SqlCheck(
            "births-index-japan-is-the-sum",
            "Japan's births differ from the sum of the municipalities'",
            f"""SELECT j.year, j.births, sum(m.births) AS summed
                FROM out_dashboard__births_index j JOIN out_dashboard__births_index m
                  ON m.year = j.year AND m.area_code <> '{JAPAN}'
                WHERE j.area_code = '{JAPAN}' GROUP BY ALL HAVING abs(j.births - sum(m.births)) > 1e-6""",
        ),
    ),
)

TFR_MEANS = Table(
    name="out_dashboard__tfr_means",
    description=(
        "Simple (unweighted) mean of the municipal TFR estimates (厚生労働省 Bayesian estimates, core_tfr__tfr) per "
        "period over the municipalities of a prefecture, of a peer group (類似団体) and of Japan: the comparison "
        "bars of the dashboard's 合計特殊出生率 chart "
        "(not the registry's national or prefecture TFR, which are published values)."
    ),
    columns=(
        C("period", "VARCHAR", "Period of the estimate 'YYYY-YYYY'", nullable=False),
        C("area_level", "VARCHAR", "'prefecture', 'peer_group' or 'japan'", nullable=False),
        C("area_key", "VARCHAR", "Prefecture code (2 digits), peer group name, or '00000' for Japan", nullable=False),
        C("mean_tfr", "DOUBLE", "Mean of the municipalities' TFR estimates", nullable=False, min=0, max=5),
        C("municipalities", "INTEGER", "Municipalities with an estimate in the mean", nullable=False, min=1),
    ),
    key=("period", "area_level", "area_key"),
    checks=(
        SqlCheck(
            "tfr-means-japan-from-prefectures",
            "Japan's mean differs from the prefecture means weighted by their municipalities",
            """SELECT j.period, j.mean_tfr, sum(p.mean_tfr * p.municipalities) / sum(p.municipalities) AS pooled
               FROM out_dashboard__tfr_means j JOIN out_dashboard__tfr_means p
                 ON p.period = j.period AND p.area_level = 'prefecture'
               WHERE j.area_level = 'japan' GROUP BY ALL
               HAVING abs(j.mean_tfr - sum(p.mean_tfr * p.municipalities) / sum(p.municipalities)) > 1e-9
                   OR any_value(j.municipalities) <> sum(p.municipalities)""",
        ),
    ),
)

LABOUR_FORCE = Table(
    name="out_dashboard__labour_force_by_sex",
    description=(
        "Labour-force rate of women and men aged 15+ (census 2015 and 2020 labour force status, SSDSE-A): "
        f"(employed + unemployed) ÷ population with a known labour force status × 100. Women's rows are the "
        f"indicator registry's {LABOUR_FORCE_RATE['female']} (out_indicators__values); men's are computed with the "
        "same query and formula."
    ),
    columns=(
        field("muni_code"),
        field("year", "Census year of the labour force status (2015, 2020)"),
        field("sex"),
        C("labour_force_rate_pct", "DOUBLE", "Labour-force rate (%); NULL where the population is 0", min=0, max=100),
    ),
    key=("muni_code", "year", "sex"),
    checks=(
        SqlCheck(
            "labour-force-women-is-the-registry",
            "a woman's labour-force rate differs from the indicator registry's",
            f"""SELECT l.* FROM out_dashboard__labour_force_by_sex l
                FULL JOIN (SELECT * FROM out_indicators__values
                           WHERE indicator_id = '{LABOUR_FORCE_RATE["female"]}') v USING (muni_code, year)
                WHERE coalesce(l.sex, 'female') = 'female'
                  AND l.labour_force_rate_pct IS DISTINCT FROM v.value""",
        ),
    ),
)

INDUSTRY_SHARES = Table(
    name="out_dashboard__industry_employment_share",
    description=(
        "Private employees (経済センサス, SSDSE-A 従業者数（民営）by industry C2208xx) per municipality, year and "
        "industry, with the industry's share of the municipality's private employees over the industries listed."
    ),
    columns=(
        field("muni_code"),
        field("year", "Survey year of the 経済センサス"),
        C("industry_code", "VARCHAR", "SSDSE-A item code (C2208 + 2 digits)", nullable=False),
        C("industry", "VARCHAR", "Industry name (the item name's last parenthesis)", nullable=False),
        C("employees", "DOUBLE", "Private employees (persons)", nullable=False, min=0),
        C("share_pct", "DOUBLE", "employees ÷ the municipality's employees of all industries × 100", min=0, max=100),
    ),
    key=("muni_code", "year", "industry_code"),
    checks=(
        SqlCheck(
            "industry-shares-add-up",
            "a municipality's industry shares do not add up to 100%",
            """SELECT muni_code, year, sum(share_pct) AS total FROM out_dashboard__industry_employment_share
               WHERE share_pct IS NOT NULL GROUP BY ALL HAVING abs(sum(share_pct) - 100) > 1e-6""",
        ),
    ),
)


def births_index(ssdse: pl.DataFrame) -> pl.DataFrame:
    births = ssdse.filter(pl.col("item_code") == BIRTHS_ITEM).select(
        pl.col("muni_code").alias("area_code"), pl.col("data_year").alias("year"), pl.col("value").alias("births")
    )
    japan = births.group_by("year").agg(pl.col("births").sum()).with_columns(pl.lit(JAPAN).alias("area_code"))
    frame = pl.concat([births, japan.select(births.columns)]).sort("area_code", "year")
    first = pl.col("births").first().over("area_code", order_by="year")
    return frame.with_columns(
        pl.when(first > 0).then(pl.col("births") / first * 100).otherwise(None).alias("births_index")
    )


def tfr_means(tfr: pl.DataFrame, munis: pl.DataFrame) -> pl.DataFrame:
    # Summed one by one in code order (cum_sum): the same floating-point sum as the chart computed before, so that
    # a mean on a rounding edge (x.xx5) is shown as it was.
    rows = tfr.join(munis, on="muni_code", how="inner").sort("muni_code", "period")
    frames = []
    for level, key in (
        ("prefecture", pl.col("pref_code")),
        ("peer_group", pl.col("peer_group")),
        ("japan", pl.lit(JAPAN)),
    ):
        frames.append(
            rows.with_columns(key.alias("area_key"))
            .filter(pl.col("area_key").is_not_null())
            .group_by("period", "area_key")
            .agg(
                (pl.col("tfr").cum_sum().last() / pl.len()).alias("mean_tfr"),
                pl.len().cast(pl.Int32).alias("municipalities"),
            )
            .with_columns(pl.lit(level).alias("area_level"))
        )
    return pl.concat(frames).select(TFR_MEANS.column_names).sort("period", "area_level", "area_key")


def labour_force(ssdse: pl.DataFrame, values: pl.DataFrame) -> pl.DataFrame:
    women = values.filter(pl.col("indicator_id") == LABOUR_FORCE_RATE["female"]).select(
        "muni_code", "year", pl.lit("female").alias("sex"), pl.col("value").alias("labour_force_rate_pct")
    )
    con = duckdb.connect()
    con.register("core_ssdse__values", ssdse)
    raw = con.sql(labour_force_query("male")).pl()
    con.close()
    men = compute_values(raw.with_columns(pl.lit("male").alias("indicator_id")), {"male": 100.0}).select(
        "muni_code",
        pl.col("year").cast(pl.Int32),
        pl.lit("male").alias("sex"),
        pl.col("value").alias("labour_force_rate_pct"),
    )
    return pl.concat([women.with_columns(pl.col("year").cast(pl.Int32)), men]).sort("muni_code", "year", "sex")


def industry_shares(ssdse: pl.DataFrame, items: pl.DataFrame) -> pl.DataFrame:
    names = items.select("item_code", pl.col("item_name").str.extract(INDUSTRY_NAME, 1).alias("industry"))
    rows = (
        ssdse.filter(pl.col("item_code").str.contains(INDUSTRY_ITEMS) & pl.col("value").is_not_null())
        .join(names, on="item_code", how="left")
        .select(
            "muni_code",
            pl.col("data_year").alias("year"),
            pl.col("item_code").alias("industry_code"),
            "industry",
            pl.col("value").alias("employees"),
        )
    )
    total = pl.col("employees").sum().over("muni_code", "year")
    share = pl.when(total > 0).then(pl.col("employees") / total * 100).otherwise(None)
    return rows.with_columns(share.alias("share_pct")).sort("muni_code", "year", "industry_code")


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    ssdse = ctx.table("core_ssdse__values")
    munis = ctx.table("core_areas__municipalities").select("muni_code", "pref_code", "peer_group")
    return {
        BIRTHS_INDEX.name: births_index(ssdse),
        TFR_MEANS.name: tfr_means(ctx.table("core_tfr__tfr").select("muni_code", "period", "tfr"), munis),
        LABOUR_FORCE.name: labour_force(ssdse, ctx.table("out_indicators__values")),
        INDUSTRY_SHARES.name: industry_shares(ssdse, ctx.table("core_ssdse__items")),
    }


STEP = Step(
    name="dashboard",
    description="Series the charts draw: births index, TFR means, labour-force rate by sex, industry shares",
    sources=(),
    tables=(BIRTHS_INDEX, TFR_MEANS, LABOUR_FORCE, INDUSTRY_SHARES),
    parse=parse,
    depends=("areas", "ssdse_a", "tfr", "indicators"),
)
