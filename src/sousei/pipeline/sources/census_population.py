"""Census 1980–2020 on 2020 municipalities, sex × 5-year age, 不詳 allocated → core_census__population_by_sex_age."""

from __future__ import annotations

import polars as pl

from sousei.pipeline.context import StepContext
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Coverage, SqlCheck, Step, Table
from sousei.pipeline.sources import census_1980_2015, census_2020

# Codes of 2015 that changed before 2020 with no change of area (CATALOG caveat of census_1980_2015_sex_age5).
RECODE_2015_TO_2020 = {
    "04423": "04216",  # 富谷町 → 富谷市 (2016-10-10)
    "40305": "40231",  # 那珂川町 → 那珂川市 (2018-10-01)
}
AGE_GROUPS = [(f"{a}-{a + 4}", a) for a in range(0, 90, 5)] + [("90+", 90)]
TOP_2020 = ("90-94", "95-99", "100+")
N_MUNICIPALITIES = 1741
TOLERANCE = 1e-6

KEY_COLUMNS = (
    field("muni_code", "Municipal code (2020 boundaries; 1980–2015 recoded 04423→04216, 40305→40231)"),
    field("census_year", min=1980, max=2020),
    field("sex"),
)

POPULATION = Table(
    name="core_census__population_by_sex_age",
    description=(
        "Census population 1980–2020 of the 1,741 municipalities of 2020 by sex and 5-year age (0-4 … 85-89, 90+), "
        "age 不詳 allocated proportionally within municipality × sex × year: the input of projections and "
        "indicators. 1980–2015 from the re-aggregation to 2015 boundaries (aiseed.dev), 2020 from table 2-7-1 with "
        "90-94, 95-99 and 100+ summed into 90+. persons_original keeps the published figure."
    ),
    columns=(
        *KEY_COLUMNS,
        field("age_group"),
        field("age_start", max=90),
        field(
            "persons",
            "Population (persons) with the age-不詳 persons of the municipality × sex × year "
            "allocated in proportion to the known ages (persons_original × (1 + 不詳 / Σ known)); 0 where the "
            "municipality had no residents",
            type="DOUBLE",
        ),
        C(
            "persons_original",
            "INTEGER",
            "Population as published, before allocation; NULL where the table prints "
            "'-' (2020: 07546 双葉町, and empty top age groups)",
            min=0,
        ),
    ),
    key=("muni_code", "census_year", "sex", "age_group"),
    coverage=Coverage(per=("census_year", "sex", "age_group")),
)

UNKNOWN = Table(
    name="core_census__age_unknown",
    description=(
        "Census population of unknown age (年齢不詳) per 2020 municipality × census year × sex, as published: the "
        "persons allocated over the ages in core_census__population_by_sex_age."
    ),
    columns=(
        *KEY_COLUMNS,
        field(
            "persons", "Persons of unknown age; NULL where the table prints '-' (2020)", type="INTEGER", nullable=True
        ),
    ),
    key=("muni_code", "census_year", "sex"),
    coverage=Coverage(per=("census_year", "sex")),
)

CHECKS = (
    SqlCheck(
        "census-2020-areas",
        "an area of census table 2-7-1 has another level or parent than in core_areas__areas (or is missing there)",
        f"""SELECT c.area_code, c.area_name, c.level, c.parent_code, a.level AS areas_level,
                   a.parent_code AS areas_parent
            FROM (SELECT DISTINCT area_code, area_name, level, parent_code FROM {census_2020.TOTAL.name}
                  WHERE level <> 'special_wards') c
            FULL JOIN core_areas__areas a USING (area_code)
            WHERE c.level IS DISTINCT FROM a.level OR c.parent_code IS DISTINCT FROM a.parent_code""",
    ),
    SqlCheck(
        "allocation-preserves-totals",
        "allocated persons do not add up to the published known ages plus 不詳 for a municipality × sex × year",
        f"""SELECT p.muni_code, p.census_year, p.sex, sum(p.persons) AS allocated,
                   sum(coalesce(p.persons_original, 0)) + coalesce(any_value(u.persons), 0) AS published
            FROM {POPULATION.name} p JOIN {UNKNOWN.name} u USING (muni_code, census_year, sex)
            GROUP BY ALL HAVING abs(allocated - published) > {TOLERANCE}""",
    ),
    SqlCheck(
        "age-groups",
        "a municipality × sex × year lacks one of the 19 age groups (or has another)",
        f"""SELECT muni_code, census_year, sex, count(*) AS n FROM {POPULATION.name}
            WHERE age_group IN ({", ".join(f"'{g}'" for g, _ in AGE_GROUPS)}) GROUP BY ALL HAVING count(*) <> 19
            UNION ALL
            SELECT muni_code, census_year, sex, 1 FROM {POPULATION.name}
            WHERE age_group NOT IN ({", ".join(f"'{g}'" for g, _ in AGE_GROUPS)})""",
    ),
    SqlCheck(
        "municipalities-of-2020",
        "a census year does not hold exactly the 1,741 municipalities of the 2020 census",
        f"""WITH m AS (SELECT DISTINCT area_code AS muni_code FROM {census_2020.TOTAL.name}
                       WHERE level = 'municipality'),
                 y AS (SELECT DISTINCT census_year, sex FROM {UNKNOWN.name})
            SELECT y.*, m.muni_code, 'missing' AS problem FROM y CROSS JOIN m
            WHERE NOT EXISTS (SELECT 1 FROM {UNKNOWN.name} u WHERE u.muni_code = m.muni_code
                              AND u.census_year = y.census_year AND u.sex = y.sex)
            UNION ALL
            SELECT census_year, sex, muni_code, 'not a 2020 municipality' FROM {UNKNOWN.name}
            WHERE muni_code NOT IN (SELECT muni_code FROM m)
            UNION ALL
            SELECT census_year, sex, NULL, 'census years ' || count(*) OVER () FROM y
            QUALIFY count(*) OVER () <> 18""",
    ),
    SqlCheck(
        "matches-published-totals",
        "Σ ages + 不詳 of a municipality × sex × year differs from the published total of its source table",
        f"""WITH core AS (
              SELECT muni_code, census_year, sex, sum(coalesce(persons_original, 0)) AS known
              FROM {POPULATION.name} GROUP BY ALL),
            published AS (
              SELECT coalesce(r.to_code, t.muni_code_2015) AS muni_code, t.census_year, t.sex, t.persons
              FROM {census_1980_2015.TOTAL.name} t
              LEFT JOIN (VALUES {", ".join(f"('{a}', '{b}')" for a, b in RECODE_2015_TO_2020.items())})
                r(from_code, to_code) ON r.from_code = t.muni_code_2015
              WHERE t.sex <> 'total'
              UNION ALL
              SELECT area_code, 2020, sex, coalesce(persons, 0) FROM {census_2020.TOTAL.name}
              WHERE level = 'municipality' AND sex <> 'total')
            SELECT c.*, u.persons AS unknown, p.persons AS published
            FROM core c JOIN {UNKNOWN.name} u USING (muni_code, census_year, sex)
            FULL JOIN published p USING (muni_code, census_year, sex)
            WHERE c.known + coalesce(u.persons, 0) IS DISTINCT FROM p.persons""",
    ),
)


def harmonise_2020(ctx: StepContext) -> pl.DataFrame:
    """2020 municipalities, male and female, age groups of 1980–2015 (90-94, 95-99, 100+ → 90+), 不詳 as 'unknown'."""
    areas = ctx.table(census_2020.TOTAL.name).filter(pl.col("level") == "municipality", pl.col("sex") == "total")
    df = (
        ctx.table(census_2020.POPULATION.name)
        .filter(pl.col("area_code").is_in(areas["area_code"].implode()), pl.col("sex") != "total")
        .with_columns(
            pl.when(pl.col("age_group").is_in(TOP_2020)).then(pl.lit("90+")).otherwise("age_group").alias("age_group")
        )
        .group_by("area_code", "sex", "age_group")
        # A sum of published figures stays NULL only when every one of them is '-'.
        .agg(pl.when(pl.col("persons").is_not_null().any()).then(pl.col("persons").sum()).alias("persons"))
    )
    return df.select(
        pl.col("area_code").alias("muni_code"),
        pl.lit(2020, dtype=pl.Int32).alias("census_year"),
        "sex",
        "age_group",
        "persons",
    )


def harmonise_1980_2015(ctx: StepContext) -> pl.DataFrame:
    df = ctx.table(census_1980_2015.POPULATION.name).filter(pl.col("sex") != "total")
    return df.select(
        pl.col("muni_code_2015").replace(RECODE_2015_TO_2020).alias("muni_code"),
        "census_year",
        "sex",
        "age_group",
        "persons",
    )


def allocate_unknown_age(df: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Spread 'unknown' over the known ages of the same muni_code × census_year × sex, in proportion to them.

    Returns (by age with persons and persons_original, the unknown rows). Where nothing is known but 不詳 is not
    zero, no proportion exists: those groups are returned in the error frame of `unallocatable`.
    """
    group = ["muni_code", "census_year", "sex"]
    unknown = df.filter(pl.col("age_group") == "unknown").select(*group, "persons")
    known = df.filter(pl.col("age_group") != "unknown").rename({"persons": "persons_original"})
    factors = (
        known.group_by(group)
        .agg(pl.col("persons_original").sum().alias("known"))
        .join(unknown.rename({"persons": "unknown"}), on=group, how="left")
        .with_columns(
            pl.when(pl.col("known") > 0)
            .then(1 + pl.col("unknown").fill_null(0) / pl.col("known"))
            .otherwise(1.0)
            .alias("factor")
        )
    )
    out = known.join(factors.select(*group, "factor"), on=group).with_columns(
        (pl.col("persons_original").fill_null(0) * pl.col("factor")).alias("persons")
    )
    return out, unknown


def unallocatable(df: pl.DataFrame) -> pl.DataFrame:
    """Groups with persons of unknown age but no person of known age."""
    group = ["muni_code", "census_year", "sex"]
    return (
        df.group_by(group)
        .agg(
            pl.col("persons").filter(pl.col("age_group") != "unknown").sum().alias("known"),
            pl.col("persons").filter(pl.col("age_group") == "unknown").sum().alias("unknown"),
        )
        .filter(pl.col("known") == 0, pl.col("unknown") > 0)
    )


def parse_census_population(ctx: StepContext) -> dict[str, pl.DataFrame]:
    long = pl.concat([harmonise_1980_2015(ctx), harmonise_2020(ctx)], how="vertical_relaxed")
    stuck = unallocatable(long)
    if stuck.height:
        raise ctx.fail(
            "allocation",
            f"age 不詳 with no known age to allocate it to: {stuck.rows()[:5]}",
            where="core_census__population_by_sex_age",
        )
    by_age, unknown = allocate_unknown_age(long)
    starts = pl.DataFrame(AGE_GROUPS, schema={"age_group": pl.String, "age_start": pl.Int32}, orient="row")
    by_age = by_age.join(starts, on="age_group", how="left")
    if by_age["age_start"].null_count():
        odd = by_age.filter(pl.col("age_start").is_null())["age_group"].unique().to_list()
        raise ctx.fail("age", f"age groups outside 0-4 … 90+: {odd}", where="core_census__population_by_sex_age")
    key = ["muni_code", "census_year", "sex"]
    return {
        POPULATION.name: by_age.select(POPULATION.column_names)
        .cast({"census_year": pl.Int32, "persons_original": pl.Int32})
        .sort(*key, "age_start"),
        UNKNOWN.name: unknown.select(UNKNOWN.column_names).cast({"census_year": pl.Int32}).sort(key),
    }


STEP = Step(
    name="census_population",
    description="Census population 1980–2020 on 2020 municipalities by sex × 5-year age, age 不詳 allocated",
    sources=(),
    depends=("areas", "census_2020", "census_1980_2015"),
    tables=(POPULATION, UNKNOWN),
    parse=parse_census_population,
    checks=CHECKS,
)
