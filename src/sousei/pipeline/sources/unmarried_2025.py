"""Census 2025 第4-4表 share never married, by sex, ages 25–39 (long CSV) → core_census2025__unmarried_rate."""

from __future__ import annotations

import csv
import io

import polars as pl

from sousei.pipeline.context import StepContext
from sousei.pipeline.errors import BuildError
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Coverage, SqlCheck, Step, Table

FILE = "marital/unmarried_rate_census2025_age25_39_by_sex_long.csv"
HEADER = ["code5", "sex", "age", "unmarried_rate_pct"]
SEXES = ("male", "female")
AGES = {"25-29": 25, "30-34": 30, "35-39": 35}

# 浜松市 replaced its 7 wards (22131–22137) by 3 on 2024-01-01; the 2025 census reports the new ones, which are not
# among the 2020 wards of the areas step.
WARDS_AFTER_2020 = {"22138": "22130", "22139": "22130", "22140": "22130"}
# 特別区部 (the 23 special wards together), a census reporting unit that is neither a municipality nor a ward.
SPECIAL_WARDS = "13100"

# Pinned gap, as published (blank cell): 47356 渡名喜村 female 30–34 (no woman of that age, or suppressed).
PINNED_MISSING = {("47356", "female", "30-34")}

TABLE = Table(
    name="core_census2025__unmarried_rate",
    description=(
        "Share never married (未婚率) by sex for ages 25–29, 30–34 and 35–39, census 2025-10-01 (令和7年国勢調査, "
        "人口等基本集計 第4-4表, 不詳補完値): Japan, prefectures, municipalities (2020 codes), designated-city wards "
        "and 13100 特別区部. Census 2025, not 2020. Tiny municipalities can show 0 or 100; no counts are "
        "published here."
    ),
    columns=(
        field("area_code", "Area code (5 characters): 00000 Japan, XX000 prefecture, municipality, ward, 13100"),
        C(
            "area_level",
            "VARCHAR",
            "'japan' | 'prefecture' | 'municipality' | 'ward' | 'special_wards' (13100 特別区部)",
            nullable=False,
        ),
        field("sex"),
        field("age_group"),
        field("age_start", min=25, max=35),
        C(
            "unmarried_pct",
            "DOUBLE",
            "Never-married share of the age group (%), as published (5 decimals)",
            min=0,
            max=100,
        ),
        C("unmarried_pct_status", "VARCHAR", "'published' or 'missing' (blank cell in the source)", nullable=False),
    ),
    key=("area_code", "sex", "age_group"),
    coverage=Coverage(per=("sex", "age_group"), where="area_level = 'municipality'", column="area_code"),
    checks=(
        SqlCheck(
            "missing-pinned",
            "a missing rate other than the pinned 47356 渡名喜村 female 30–34, or the pinned one now published",
            """SELECT area_code, sex, age_group, unmarried_pct FROM core_census2025__unmarried_rate
               WHERE (unmarried_pct IS NULL) <> (area_code = '47356' AND sex = 'female' AND age_group = '30-34')""",
        ),
        SqlCheck(
            "all-cells",
            "an area lacks one of the 6 sex × age cells",
            "SELECT area_code, count(*) FROM core_census2025__unmarried_rate GROUP BY 1 HAVING count(*) <> 6",
        ),
        SqlCheck(
            "prefectures",
            "not exactly 47 prefectures and one Japan row per cell",
            """SELECT area_level, count(DISTINCT area_code) AS n FROM core_census2025__unmarried_rate
               WHERE area_level IN ('japan', 'prefecture') GROUP BY 1
               HAVING count(DISTINCT area_code) <> CASE area_level WHEN 'japan' THEN 1 ELSE 47 END""",
        ),
    ),
)


def area_level(code: str, munis: set[str], wards: set[str]) -> str | None:
    if code == "00000":
        return "japan"
    if code.endswith("000") and 1 <= int(code[:2]) <= 47:
        return "prefecture"
    if code == SPECIAL_WARDS:
        return "special_wards"
    if code in munis:
        return "municipality"
    if code in wards or code in WARDS_AFTER_2020:
        return "ward"
    return None


def parse_unmarried(text: str, munis: set[str], wards: set[str], file: str = FILE) -> pl.DataFrame:
    """Read the long CSV as published; unknown codes, sexes or ages and unpinned blanks stop the build."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header != HEADER:
        raise BuildError("header", f"header {header}, expected {HEADER}", file=file, where="line 1")
    rows = []
    for lineno, rec in enumerate(reader, start=2):
        if len(rec) != 4:
            raise BuildError("format", f"{len(rec)} fields, expected 4", file=file, where=f"line {lineno}")
        code, sex, age, pct = rec
        where = f"line {lineno} ({code}, {sex}, {age})"
        if len(code) != 5 or not code.isdigit():
            raise BuildError("code", f"code {code!r} is not 5 digits", file=file, where=where)
        level = area_level(code, munis, wards)
        if level is None:
            raise BuildError(
                "code",
                f"{code} is no known area (Japan, prefecture, municipality, ward, 13100)",
                file=file,
                where=where,
            )
        if sex not in SEXES:
            raise BuildError("sex", f"sex {sex!r}, expected one of {SEXES}", file=file, where=where)
        if age not in AGES:
            raise BuildError("age", f"age {age!r}, expected one of {list(AGES)}", file=file, where=where)
        if pct == "":
            if (code, sex, age) not in PINNED_MISSING:
                raise BuildError("missing", "blank rate that is not the pinned gap", file=file, where=where)
            value, status = None, "missing"
        else:
            try:
                value, status = float(pct), "published"
            except ValueError:
                raise BuildError("value", f"rate {pct!r} is not a number", file=file, where=where) from None
        rows.append((code, level, sex, age, AGES[age], value, status))
    return pl.DataFrame(
        rows,
        schema={
            "area_code": pl.Utf8,
            "area_level": pl.Utf8,
            "sex": pl.Utf8,
            "age_group": pl.Utf8,
            "age_start": pl.Int32,
            "unmarried_pct": pl.Float64,
            "unmarried_pct_status": pl.Utf8,
        },
        orient="row",
    )


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    munis = set(ctx.table("core_areas__municipalities")["muni_code"].to_list())
    areas = ctx.table("core_areas__areas")
    wards = set(
        areas.filter(~pl.col("area_code").is_in(list(munis)) & pl.col("parent_code").is_in(list(munis)))[
            "area_code"
        ].to_list()
    )
    return {TABLE.name: parse_unmarried(ctx.path(FILE).read_text(encoding="utf-8"), munis, wards)}


STEP = Step(
    name="unmarried_2025",
    description="Share never married by sex, ages 25–39, census 2025 (第4-4表, 不詳補完値)",
    sources=("unmarried_rates_2025",),
    tables=(TABLE,),
    parse=parse,
    depends=("areas",),
)
