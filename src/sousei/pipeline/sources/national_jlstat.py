"""Census totals 1920–2020, census pyramid and IPSS 2017 national projections (JLSTAT CSVs, 表10-1) →
core_national__census_* and core_national__ipss2017_*, plus IPSS 2018 prefecture totals."""

from __future__ import annotations

import io

import polars as pl

from sousei.pipeline.context import StepContext
from sousei.pipeline.fields import field
from sousei.pipeline.reference import PREF_CODE, PREFECTURES
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import SqlCheck, Step, Table

TOTAL_FILE = "national/jlstat_total.csv"
PREF_FILE = "national/jlstat_total_prefecture.csv"
PYRAMID_FILE = "national/jlstat_pyramid_total.csv"
VARIANTS_FILE = "national/ipss2017_zenkoku_total_population_variants.csv"
PROJ_TOTAL_FILE = "national/jlstat_total_projection.csv"
PROJ_PYRAMID_FILE = "national/jlstat_pyramid_total_projection.csv"
PREF_PROJ_FILE = "national/jlstat_total_prefecture_projection.csv"

SEXES = {"男性": "male", "女性": "female"}
VARIANT_LEVELS = {"低位": "low", "中位": "medium", "高位": "high"}
# ipss2017 variants file: column → (mortality, fertility); d_ = 死亡 (mortality), b_ = 出生 (fertility).
VARIANT_COLUMNS = {
    "medium_total_thousand": ("medium", "medium"),
    "d_med_b_high": ("medium", "high"),
    "d_med_b_low": ("medium", "low"),
    "d_high_b_med": ("high", "medium"),
    "d_high_b_high": ("high", "high"),
    "d_high_b_low": ("high", "low"),
    "d_low_b_med": ("low", "medium"),
    "d_low_b_high": ("low", "high"),
    "d_low_b_low": ("low", "low"),
}
# jlstat_total_projection.csv ends with 18 rows that are all NA (an artefact of the JLSTAT export): pinned.
PROJ_NA_ROWS = 18
PROJ_PYRAMID_FLOAT_CELLS = 9
# 沖縄県 1945 is NA: no census was taken there (under US administration); Japan 1945 excludes it.
PREF_NA = {("沖縄県", 1945)}

AGE_DOC = "'0-4' … '80-84', then '85+' until 2000, '85-89', '90-94', '95-99', '100+' from 2005"

CENSUS_TOTAL = Table(
    name="core_national__census_population_total",
    description="Census population (国勢調査, 10-01) of Japan and the 47 prefectures, 1920–2020 (1945: 人口調査).",
    columns=(
        field("census_year", min=1920, max=2100),
        field("area_code", "'00000' Japan, or prefecture 'PP000'"),
        field("pref_code", nullable=True),
        field("name", "全国 or the prefecture name as published"),
        field("persons", "Population (persons); NULL where not surveyed", nullable=True),
        C("persons_status", "VARCHAR", "NULL, or 'NA' where the file has NA (沖縄県 1945: not surveyed)"),
    ),
    key=("census_year", "area_code"),
    checks=(
        SqlCheck(
            "prefectures-sum-to-japan",
            "Σ prefectures differs from Japan",
            """
            SELECT j.census_year, j.persons, p.persons AS prefectures
            FROM core_national__census_population_total j
            JOIN (SELECT census_year, sum(persons) AS persons FROM core_national__census_population_total
                  WHERE area_code <> '00000' GROUP BY ALL) p USING (census_year)
            WHERE j.area_code = '00000' AND j.persons <> p.persons
              -- 1960: Japan exceeds Σ prefectures by 73 persons, as published (pinned)
              AND NOT (j.census_year = 1960 AND j.persons - p.persons = 73)
            """,
        ),
    ),
)

CENSUS_PYRAMID = Table(
    name="core_national__census_population_by_age_sex",
    description="Census population of Japan by sex and 5-year age group, 1920–2020 (age 不詳 excluded).",
    columns=(
        field("census_year", min=1920, max=2100),
        field("sex"),
        field("age_group", AGE_DOC),
        field("age_start", max=100),
        field("persons"),
    ),
    key=("census_year", "sex", "age_group"),
    checks=(
        SqlCheck(
            "not-above-total",
            "Σ ages exceeds the census total (only age 不詳 may make up the difference)",
            """
            SELECT t.census_year, t.persons, s.persons AS by_age
            FROM core_national__census_population_total t
            JOIN (SELECT census_year, sum(persons) AS persons FROM core_national__census_population_by_age_sex
                  GROUP BY ALL) s USING (census_year)
            WHERE t.area_code = '00000' AND s.persons > t.persons
            """,
        ),
    ),
)

PROJ_TOTAL = Table(
    name="core_national__ipss2017_projection_total",
    description=(
        "IPSS 日本の将来推計人口（平成29年推計）表10-1: total population (incl. foreigners, 10-01) 2015–2065 for the "
        "nine variants (fertility × mortality: low / medium / high); the medium–medium variant is the headline."
    ),
    columns=(
        field("year", min=2015, max=2065),
        C("fertility_variant", "VARCHAR", "出生 assumption: 'low', 'medium', 'high'", nullable=False),
        C("mortality_variant", "VARCHAR", "死亡 assumption: 'low', 'medium', 'high'", nullable=False),
        field("total_persons", "Total population (persons; the file's thousands × 1,000, exact)"),
    ),
    key=("year", "fertility_variant", "mortality_variant"),
)

PROJ_PYRAMID = Table(
    name="core_national__ipss2017_projection_by_age_sex",
    description="IPSS 2017 national projection, medium variant (出生中位・死亡中位), by sex and 5-year age, 2015–2065.",
    columns=(
        field("year", min=2015, max=2065),
        field("sex"),
        field("age_group"),
        field("age_start", max=100),
        field("persons"),
    ),
    key=("year", "sex", "age_group"),
    checks=(
        SqlCheck(
            "ages-sum-to-medium-total",
            "Σ sex × age differs from the medium-variant total by more than 3 persons (the by-age figures are "
            "rounded independently: differences of up to 3 are pinned)",
            """
            SELECT t.year, t.total_persons, s.persons
            FROM core_national__ipss2017_projection_total t
            JOIN (SELECT year, sum(persons) AS persons FROM core_national__ipss2017_projection_by_age_sex
                  GROUP BY ALL) s USING (year)
            WHERE t.fertility_variant = 'medium' AND t.mortality_variant = 'medium'
              AND abs(t.total_persons - s.persons) > 3
            """,
        ),
    ),
)

PREF_PROJ = Table(
    name="core_national__ipss2018_prefecture_projection_total",
    description="IPSS 2018 regional projection, prefecture totals 2015–2045, as exported by JLSTAT (cross-checks "
    "core_ipss2018__population_total).",
    columns=(
        field("pref_code"),
        field("year", min=2015, max=2045),
        field("total_persons"),
    ),
    key=("pref_code", "year"),
)


def _csv(ctx: StepContext, rel: str, header: list[str], skip_comments: bool = False) -> pl.DataFrame:
    text = ctx.path(rel).read_text(encoding="utf-8")
    if skip_comments:
        # The file opens with '#' provenance lines; the CSV header follows.
        text = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    df = pl.read_csv(io.StringIO(text), infer_schema=False)
    if df.columns != header:
        raise ctx.fail("header", f"columns {df.columns}, expected {header}", file=rel)
    return df


def _check(ctx: StepContext, rel: str, df: pl.DataFrame, col: str, pattern: str, what: str) -> None:
    bad = df.with_row_index("line", offset=2).filter(pl.col(col).is_null() | ~pl.col(col).str.contains(pattern))
    if bad.height:
        raise ctx.fail(
            "value", f"{bad.height} row(s) with {what}: {bad.head(3).rows()}", file=rel, where=f"column {col}"
        )


def _age(ctx: StepContext, rel: str, df: pl.DataFrame) -> pl.DataFrame:
    """'0~4歳' → ('0-4', 0); '100歳以上' → ('100+', 100)."""
    _check(ctx, rel, df, "age", r"^(\d+~\d+歳|\d+歳以上)$", "an unknown age label")
    return df.with_columns(
        pl.col("age").str.replace("歳以上", "+").str.replace("歳", "").str.replace("~", "-").alias("age_group"),
        pl.col("age").str.extract(r"^(\d+)").cast(pl.Int32).alias("age_start"),
    )


def _sex(ctx: StepContext, rel: str, df: pl.DataFrame) -> pl.DataFrame:
    _check(ctx, rel, df, "sex", "^(" + "|".join(SEXES) + ")$", "an unknown sex")
    return df.with_columns(pl.col("sex").replace_strict(SEXES))


def parse_census_totals(ctx: StepContext) -> pl.DataFrame:
    header = ["id", "表章項目", "男女_時系列", "地域_時系列", "時間軸(調査年)", "unit", "value"]
    frames = []
    for rel in (TOTAL_FILE, PREF_FILE):
        df = _csv(ctx, rel, header)
        for col, allowed in (("表章項目", "人口"), ("男女_時系列", "総数"), ("unit", "人")):
            _check(ctx, rel, df, col, f"^{allowed}$", f"{col} other than {allowed}")
        _check(ctx, rel, df, "地域_時系列", "^(全国|" + "|".join(PREFECTURES) + ")$", "an unknown area")
        _check(ctx, rel, df, "時間軸(調査年)", r"^\d{4}年$", "an unknown year")
        _check(ctx, rel, df, "value", r"^(\d+|NA)$", "a value that is neither a number nor NA")
        df = df.with_columns(pl.col("時間軸(調査年)").str.strip_suffix("年").cast(pl.Int32).alias("census_year"))
        na = {(a, y) for a, y in df.filter(pl.col("value") == "NA").select("地域_時系列", "census_year").rows()}
        if na - PREF_NA:
            raise ctx.fail("value", f"unexpected NA (area, year): {sorted(na - PREF_NA)}", file=rel)
        frames.append(df)
    df = pl.concat(frames)
    return df.select(
        "census_year",
        pl.col("地域_時系列").replace_strict(PREF_CODE | {"全国": "00"}).alias("pref_code"),
        pl.col("地域_時系列").alias("name"),
        pl.when(pl.col("value") != "NA").then(pl.col("value")).cast(pl.Int64).alias("persons"),
        pl.when(pl.col("value") == "NA").then(pl.lit("NA")).alias("persons_status"),
    ).select(
        "census_year",
        (pl.col("pref_code") + "000").alias("area_code"),
        pl.when(pl.col("pref_code") != "00").then(pl.col("pref_code")).alias("pref_code"),
        "name",
        "persons",
        "persons_status",
    )


def parse_census_pyramid(ctx: StepContext) -> pl.DataFrame:
    df = _csv(ctx, PYRAMID_FILE, ["year", "sex", "age", "value"])
    _check(ctx, PYRAMID_FILE, df, "year", r"^\d{4}$", "an unknown year")
    _check(ctx, PYRAMID_FILE, df, "value", r"^\d+$", "a value that is not a number")
    df = _sex(ctx, PYRAMID_FILE, _age(ctx, PYRAMID_FILE, df))
    # Until 2000 the file's last group is labelled 85~89歳 but holds 85 and over (it equals fmsb Jpop 85+ and
    # Jpopl summed over 85+): relabel it where a year has no 90~94歳 row.
    has_90 = pl.col("age_start").eq(90).any().over("year")
    df = df.with_columns(
        pl.when(~has_90 & (pl.col("age_start") == 85)).then(pl.lit("85+")).otherwise("age_group").alias("age_group")
    )
    return df.select(
        pl.col("year").cast(pl.Int32).alias("census_year"),
        "sex",
        "age_group",
        "age_start",
        pl.col("value").cast(pl.Int64).alias("persons"),
    )


def parse_ipss2017(ctx: StepContext) -> tuple[pl.DataFrame, pl.DataFrame]:
    wide = _csv(ctx, VARIANTS_FILE, ["year", *VARIANT_COLUMNS], skip_comments=True)
    _check(ctx, VARIANTS_FILE, wide, "year", r"^\d{4}$", "an unknown year")
    for col in VARIANT_COLUMNS:
        # Thousands with three decimals, i.e. whole persons.
        _check(ctx, VARIANTS_FILE, wide, col, r"^\d+\.\d{3}$", "a value that is not thousands with 3 decimals")
    total = pl.concat(
        wide.select(
            pl.col("year").cast(pl.Int32),
            pl.lit(fert).alias("fertility_variant"),
            pl.lit(mort).alias("mortality_variant"),
            pl.col(col).str.replace(".", "", literal=True).cast(pl.Int64).alias("total_persons"),
        )
        for col, (mort, fert) in VARIANT_COLUMNS.items()
    )
    if sorted(set(total["year"].to_list())) != list(range(2015, 2066)):
        raise ctx.fail("years", "years are not 2015 … 2065", file=VARIANTS_FILE)

    # The JLSTAT export of the same table, in persons: it must agree exactly.
    jl = _csv(ctx, PROJ_TOTAL_FILE, ["year", "死亡", "出生", "value"])
    na = jl.filter(pl.all_horizontal(pl.col("year", "value") == "NA"))
    if na.height != PROJ_NA_ROWS:
        raise ctx.fail("rows", f"{na.height} all-NA rows, pinned {PROJ_NA_ROWS}", file=PROJ_TOTAL_FILE)
    jl = jl.filter(pl.col("year") != "NA")
    _check(ctx, PROJ_TOTAL_FILE, jl, "value", r"^\d+$", "a value that is not a number")
    for col in ("死亡", "出生"):
        _check(ctx, PROJ_TOTAL_FILE, jl, col, "^(低位|中位|高位)$", "an unknown variant")
    jl = jl.select(
        pl.col("year").cast(pl.Int32),
        pl.col("出生").replace_strict(VARIANT_LEVELS).alias("fertility_variant"),
        pl.col("死亡").replace_strict(VARIANT_LEVELS).alias("mortality_variant"),
        pl.col("value").cast(pl.Int64).alias("jlstat"),
    )
    joined = total.join(jl, on=["year", "fertility_variant", "mortality_variant"], how="full", coalesce=True)
    diff = joined.filter(
        pl.col("total_persons").is_null() | pl.col("jlstat").is_null() | (pl.col("total_persons") != pl.col("jlstat"))
    )
    if diff.height:
        raise ctx.fail(
            "cross-check", f"表10-1 and the JLSTAT export disagree: {diff.head(5).rows()}", file=PROJ_TOTAL_FILE
        )

    pyr = _csv(ctx, PROJ_PYRAMID_FILE, ["year", "sex", "age", "value"])
    _check(ctx, PROJ_PYRAMID_FILE, pyr, "year", r"^\d{4}$", "an unknown year")
    # The export wrote persons from thousands in floating point: 9 cells read like 4148886.9999999995 (pinned).
    _check(ctx, PROJ_PYRAMID_FILE, pyr, "value", r"^\d+(\.\d+)?$", "a value that is not a number")
    fuzzy = pyr.filter(pl.col("value").str.contains(".", literal=True))
    off = fuzzy.filter((pl.col("value").cast(pl.Float64) - pl.col("value").cast(pl.Float64).round()).abs() > 1e-6)
    if fuzzy.height != PROJ_PYRAMID_FLOAT_CELLS or off.height:
        raise ctx.fail(
            "value",
            f"{fuzzy.height} fractional cells (pinned {PROJ_PYRAMID_FLOAT_CELLS}), "
            f"not whole persons: {off.head(3).rows()}",
            file=PROJ_PYRAMID_FILE,
            where="column value",
        )
    pyr = _sex(ctx, PROJ_PYRAMID_FILE, _age(ctx, PROJ_PYRAMID_FILE, pyr)).select(
        pl.col("year").cast(pl.Int32),
        "sex",
        "age_group",
        "age_start",
        pl.col("value").cast(pl.Float64).round().cast(pl.Int64).alias("persons"),
    )
    return total.sort("year", "fertility_variant", "mortality_variant"), pyr


def parse_prefecture_projection(ctx: StepContext) -> pl.DataFrame:
    df = _csv(ctx, PREF_PROJ_FILE, ["pref", "year", "value"])
    _check(ctx, PREF_PROJ_FILE, df, "pref", "^(" + "|".join(PREFECTURES) + ")$", "an unknown prefecture")
    _check(ctx, PREF_PROJ_FILE, df, "year", r"^\d{4}$", "an unknown year")
    _check(ctx, PREF_PROJ_FILE, df, "value", r"^\d+$", "a value that is not a number")
    return df.select(
        pl.col("pref").replace_strict(PREF_CODE).alias("pref_code"),
        pl.col("year").cast(pl.Int32),
        pl.col("value").cast(pl.Int64).alias("total_persons"),
    )


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    total, pyramid = parse_ipss2017(ctx)
    return {
        CENSUS_TOTAL.name: parse_census_totals(ctx),
        CENSUS_PYRAMID.name: parse_census_pyramid(ctx),
        PROJ_TOTAL.name: total,
        PROJ_PYRAMID.name: pyramid,
        PREF_PROJ.name: parse_prefecture_projection(ctx),
    }


STEP = Step(
    name="national_jlstat",
    description="Census totals and pyramid 1920–2020, IPSS 2017 national projections (JLSTAT tables, 表10-1)",
    sources=("national_series",),
    tables=(CENSUS_TOTAL, CENSUS_PYRAMID, PROJ_TOTAL, PROJ_PYRAMID, PREF_PROJ),
    parse=parse,
)
