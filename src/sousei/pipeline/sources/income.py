"""市町村税課税状況等の調 第11表 (令和6年度): 総所得金額等 per taxpayer → core_income__income_per_taxpayer."""

from __future__ import annotations

import json

import polars as pl

from sousei.pipeline.context import StepContext
from sousei.pipeline.errors import BuildError
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Coverage, SqlCheck, Step, Table

FILE = "income/income_per_taxpayer_r6.json"
FISCAL_YEAR = 2024  # 令和6年度 (tax year)
INCOME_YEAR = 2023  # the income it taxes (令和5年分)

_YEARS = (
    field("fiscal_year", "Tax year (年度) of the survey: 2024 = 令和6年度", min=2024, max=2024),
    C("income_year", "INTEGER", "Calendar year of the income taxed: 2023", nullable=False, min=2023, max=2023),
)

RAW = Table(
    name="raw_income__income_per_taxpayer",
    description=(
        "Income per taxpayer as published, municipalities and designated-city wards: 総所得金額等 ÷ 所得割納税義務者数 "
        "(第11表). 第11表 has no ward detail, so each ward carries its city's value. Excludes separately taxed "
        "capital gains (close to, but not, the SSDS 課税対象所得)."
    ),
    columns=(
        field("area_code", "Municipal or ward code (5 characters) as published"),
        C(
            "area_level",
            "VARCHAR",
            "'municipality' (one of the 1,741) or 'ward' (designated-city ward)",
            nullable=False,
        ),
        field("parent_code", "For a ward, its designated city's muni_code; NULL for a municipality"),
        C("income_per_taxpayer_yen", "BIGINT", "総所得金額等 per 所得割納税義務者 (yen)", nullable=False, min=0),
        *_YEARS,
    ),
    key=("area_code",),
    checks=(
        SqlCheck(
            "ward-carries-city-value",
            "a ward's value differs from its city's (the table has no ward detail: they must be equal)",
            """SELECT w.area_code, w.income_per_taxpayer_yen, c.area_code AS city, c.income_per_taxpayer_yen AS city_yen
               FROM raw_income__income_per_taxpayer w
               LEFT JOIN raw_income__income_per_taxpayer c ON c.area_code = w.parent_code
               WHERE w.area_level = 'ward'
                 AND c.income_per_taxpayer_yen IS DISTINCT FROM w.income_per_taxpayer_yen""",
        ),
    ),
)

TABLE = Table(
    name="core_income__income_per_taxpayer",
    description=(
        "Income per taxpayer per municipality (2020 boundaries): 総所得金額等 ÷ 所得割納税義務者数, 令和6年度 "
        "(income of 2023), 市町村税課税状況等の調 第11表. Excludes separately taxed capital gains."
    ),
    columns=(
        field("muni_code"),
        C("income_per_taxpayer_yen", "BIGINT", "総所得金額等 per 所得割納税義務者 (yen)", nullable=False, min=0),
        *_YEARS,
    ),
    key=("muni_code",),
    coverage=Coverage(),
)


def read_income_json(text: str, file: str = FILE) -> dict[str, int]:
    """The published object {code5: yen}; codes must be 5 digits and values positive integers."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BuildError("format", f"not JSON: {exc}", file=file) from None
    if not isinstance(data, dict):
        raise BuildError("format", f"expected an object {{code: yen}}, got {type(data).__name__}", file=file)
    for code, yen in data.items():
        if len(code) != 5 or not code.isascii() or not code.isdigit():
            raise BuildError("code", f"key {code!r} is not a 5-digit code", file=file, where=f"key {code!r}")
        if isinstance(yen, bool) or not isinstance(yen, int) or yen <= 0:
            raise BuildError("value", f"value {yen!r} is not a positive integer (yen)", file=file, where=f"key {code}")
    return data


def parse_income(data: dict[str, int], munis: set[str], wards: dict[str, str], file: str = FILE) -> pl.DataFrame:
    """One row per published code, with its level; a code that is neither a 2020 municipality nor a ward stops."""
    rows = []
    for code, yen in data.items():
        if code in munis:
            rows.append((code, "municipality", None, yen))
        elif code in wards:
            rows.append((code, "ward", wards[code], yen))
        else:
            raise BuildError(
                "code",
                f"{code} is neither a 2020 municipality nor a designated-city ward",
                file=file,
                where=f"key {code}",
            )
    return pl.DataFrame(
        rows,
        schema={
            "area_code": pl.Utf8,
            "area_level": pl.Utf8,
            "parent_code": pl.Utf8,
            "income_per_taxpayer_yen": pl.Int64,
        },
        orient="row",
    ).with_columns(
        pl.lit(FISCAL_YEAR, pl.Int32).alias("fiscal_year"), pl.lit(INCOME_YEAR, pl.Int32).alias("income_year")
    )


def municipalities_and_wards(ctx: StepContext) -> tuple[set[str], dict[str, str]]:
    """The 1,741 municipal codes and the designated-city wards of 2020 (ward code → city code) from the areas step."""
    munis = set(ctx.table("core_areas__municipalities")["muni_code"].to_list())
    areas = ctx.table("core_areas__areas")
    wards = areas.filter(~pl.col("area_code").is_in(list(munis)) & pl.col("parent_code").is_in(list(munis)))
    return munis, dict(zip(wards["area_code"].to_list(), wards["parent_code"].to_list(), strict=True))


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    munis, wards = municipalities_and_wards(ctx)
    raw = parse_income(read_income_json(ctx.path(FILE).read_text(encoding="utf-8")), munis, wards)
    core = raw.filter(pl.col("area_level") == "municipality").select(
        pl.col("area_code").alias("muni_code"), "income_per_taxpayer_yen", "fiscal_year", "income_year"
    )
    return {RAW.name: raw, TABLE.name: core}


STEP = Step(
    name="income",
    description="Income per taxpayer per municipality, 令和6年度 (市町村税課税状況等の調 第11表)",
    sources=("income_per_taxpayer",),
    tables=(RAW, TABLE),
    parse=parse,
    depends=("areas",),
)
