"""Net migration by sex × 5-year age for the intercensal periods 1980–2020 (census cohort residual method with
national survival ratios) → out_migration__net_by_sex_age. Method: docs/methods/migration.md."""

from __future__ import annotations

import polars as pl

from sousei.domain.migration import OPEN_FROM, average_survival, compute_net_migration
from sousei.pipeline.context import StepContext
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Coverage, SqlCheck, Step, Table

CENSUS_YEARS = (1980, 1985, 1990, 1995, 2000, 2005, 2010, 2015, 2020)

NET = Table(
    name="out_migration__net_by_sex_age",
    description=(
        "Net migration per 2020 municipality, intercensal period (1980-1985 … 2015-2020), sex and 5-year age at the "
        "end of the period (5-9 … 85-89, 90+), by the census cohort residual method: census population "
        "(core_census__population_by_sex_age, age 不詳 allocated) minus the cohort five years earlier times the "
        "national survival ratio (mean of the complete life tables at the start and end of the period). Includes "
        "the error of the national-survival assumption and of census coverage; 0-4 is not estimated (no births by "
        "municipality × sex for every period). docs/methods/migration.md."
    ),
    columns=(
        field("muni_code"),
        C("period", "VARCHAR", "Intercensal period 'YYYY-YYYY' (census 1 October to census 1 October)", nullable=False),
        C("start_year", "INTEGER", "Census year at the start of the period", nullable=False, min=1980, max=2015),
        C("end_year", "INTEGER", "Census year at the end of the period", nullable=False, min=1985, max=2020),
        field("sex"),
        field("age_group", "Age at the end of the period: '5-9' … '85-89', '90+'"),
        field("age_start", "First year of age of age_group (end of the period)", min=5, max=90),
        C(
            "start_persons",
            "DOUBLE",
            "The cohort at the start of the period (ages five years younger; 85+ for 90+)",
            nullable=False,
            min=0,
        ),
        C(
            "expected_persons",
            "DOUBLE",
            "start_persons × national survival ratio: the population expected without migration (persons)",
            nullable=False,
            min=0,
        ),
        C(
            "end_persons",
            "DOUBLE",
            "Census population of age_group at the end of the period (persons)",
            nullable=False,
            min=0,
        ),
        C(
            "net_migrants",
            "DOUBLE",
            "end_persons − expected_persons: net migration over the five years (persons)",
            nullable=False,
        ),
        C("rate", "DOUBLE", "net_migrants / start_persons (ratio; NULL where the cohort was 0)", min=-1, max=100),
    ),
    key=("muni_code", "period", "sex", "age_group"),
    coverage=Coverage(per=("period", "sex", "age_group")),
    checks=(
        SqlCheck(
            "net-migration-identity",
            "net_migrants ≠ end_persons − expected_persons",
            """SELECT * FROM out_migration__net_by_sex_age
               WHERE abs(net_migrants - (end_persons - expected_persons)) > 1e-6""",
        ),
        SqlCheck(
            "net-migration-sexes-sum",
            "the 'total' row differs from male + female",
            """SELECT t.muni_code, t.period, t.age_group, t.net_migrants, sum(s.net_migrants) AS summed
               FROM out_migration__net_by_sex_age t JOIN out_migration__net_by_sex_age s
                 ON s.muni_code = t.muni_code AND s.period = t.period AND s.age_group = t.age_group
                AND s.sex IN ('male', 'female')
               WHERE t.sex = 'total' GROUP BY ALL HAVING abs(t.net_migrants - sum(s.net_migrants)) > 1e-6""",
        ),
    ),
)


def _survival(ratios: pl.DataFrame, year: int, ctx: StepContext) -> pl.DataFrame:
    """Closed groups 0 … 80 → +5 and the open group 85+ → 90+ of the life table of `year`."""
    t = ratios.filter(pl.col("life_table_year") == year)
    closed = t.filter(
        pl.col("from_age_start").is_not_null()
        & (pl.col("from_age_start") < OPEN_FROM)
        & ~pl.col("from_age_group").str.ends_with("+")
    )
    open_ = t.filter(pl.col("from_age_group") == f"{OPEN_FROM}+")
    out = pl.concat([closed, open_]).select("sex", "from_age_start", "survival_ratio")
    if out.height != 2 * (OPEN_FROM // 5 + 1):
        raise ctx.fail(
            "survival",
            f"life table {year}: expected {2 * (OPEN_FROM // 5 + 1)} survival ratios (0-4 … 80-84, 85+; 2 sexes), "
            f"found {out.height}",
            where="core_national__survival_ratio_5y",
        )
    return out


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    census = ctx.table("core_census__population_by_sex_age").select(
        pl.col("muni_code").alias("area_code"), "census_year", "sex", "age_start", "persons"
    )
    ratios = ctx.table("core_national__survival_ratio_5y")
    frames = []
    for start_year, end_year in zip(CENSUS_YEARS, CENSUS_YEARS[1:], strict=False):
        surv = average_survival(_survival(ratios, start_year, ctx), _survival(ratios, end_year, ctx))
        start = census.filter(pl.col("census_year") == start_year)
        end = census.filter(pl.col("census_year") == end_year)
        try:
            net = compute_net_migration(start, end, surv)
        except ValueError as exc:
            raise ctx.fail(
                "cohort", f"{start_year}-{end_year}: {exc}", where="core_census__population_by_sex_age"
            ) from exc
        frames.append(net.with_columns(pl.lit(start_year).alias("start_year"), pl.lit(end_year).alias("end_year")))
    by_sex = pl.concat(frames)
    total = (
        by_sex.group_by("area_code", "start_year", "end_year", "age_start", "age_group")
        .agg(pl.col("start_persons", "expected_persons", "end_persons", "net_migrants").sum())
        .with_columns(
            pl.lit("total").alias("sex"),
            pl.when(pl.col("start_persons") > 0)
            .then(pl.col("net_migrants") / pl.col("start_persons"))
            .otherwise(None)
            .alias("rate"),
        )
    )
    out = (
        pl.concat([by_sex, total.select(by_sex.columns)])
        .with_columns(
            pl.col("area_code").alias("muni_code"),
            pl.format("{}-{}", "start_year", "end_year").alias("period"),
            pl.col("start_year", "end_year", "age_start").cast(pl.Int32),
        )
        .select(NET.column_names)
        .sort("muni_code", "period", "sex", "age_start")
    )
    return {NET.name: out}


STEP = Step(
    name="net_migration",
    description="Net migration by sex × 5-year age per intercensal period 1980–2020 (cohort residual method)",
    sources=(),
    tables=(NET,),
    parse=parse,
    depends=("census_population", "national"),
)
