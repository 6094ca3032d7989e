"""Census 2015 table 00100 (cp932 e-Stat CSV) → core_census__population_2015_summary (population, area, households)."""

from __future__ import annotations

import io

import polars as pl

from sousei.pipeline.context import StepContext
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import SqlCheck, Step, Table
from sousei.pipeline.sources import census_1980_2015, census_2020
from sousei.pipeline.sources.census_population import RECODE_2015_TO_2020

FILE = "census/1980-2015/census2015_table00100_sjis.csv"
ITEM_CODES = ["020", "106", "107", "108", "103", "104", "109", "110", "111", "112"]
ITEM_NAMES = [
    "人口【人】",
    "組替人口（平成22年）【人】",
    "平成22年～27年の人口増減数【人】",
    "平成22年～27年の人口増減率【％】",
    "面積【平方km】",
    "人口密度",
    "世帯数【世帯】",
    "組替世帯数（平成22年）【世帯】",
    "平成22年～27年の世帯数増減数【世帯】",
    "平成22年～27年の世帯数増減率【％】",
]
# (column, type) in the order of ITEM_CODES.
VALUES = [
    ("population_2015_persons", pl.Int64),
    ("population_2010_persons", pl.Int64),
    ("population_change_persons", pl.Int64),
    ("population_change_pct", pl.Float64),
    ("area_km2", pl.Float64),
    ("density_per_km2", pl.Float64),
    ("households_2015", pl.Int64),
    ("households_2010", pl.Int64),
    ("households_change", pl.Int64),
    ("households_change_pct", pl.Float64),
]
# Pinned 2025: the official 組替人口 2010 (on 2015 boundaries) differs from the 2010 figure of the 1980–2015 series
# for 4 pairs of municipalities whose common boundary moved between 2010 and 2015 (differences net to 0 in each pair).
BOUNDARY_2010_2015 = ("13209", "14150", "23220", "23233", "27208", "27361", "39401", "39412")
EXPECTED_LEVELS = {"country": 1, "prefecture": 47, "municipality": 1741, "ward": 175}

TABLE = Table(
    name="core_census__population_2015_summary",
    description=(
        "Census 2015 (table 00100, 全域): population 2015 and 2010 (on 2015 boundaries), change, area, density and "
        "households, for Japan (00000), the 47 prefectures, the 1,741 municipalities (on 2020 codes) and the 175 "
        "designated-city wards. The table's other rows (市部/郡部, 郡, 振興局, 2000-boundary municipalities) are "
        "not kept."
    ),
    columns=(
        field("area_code", "Area code on 2020 codes: 00000 Japan, xx000 prefecture, municipality or ward"),
        C(
            "area_code_2015",
            "VARCHAR",
            "Area code as published (2015; differs for 04423 富谷町 and 40305 那珂川町)",
            nullable=False,
        ),
        C("area_name", "VARCHAR", "Name as published (wards without their city's name: 中央区)", nullable=False),
        C("level", "VARCHAR", "'country', 'prefecture', 'municipality' or 'ward'", nullable=False),
        C("population_2015_persons", "INTEGER", "Population on 2015-10-01 (persons)", nullable=False, min=0),
        C(
            "population_2010_persons",
            "INTEGER",
            "Population on 2010-10-01 on 2015 boundaries (組替人口, persons)",
            nullable=False,
            min=0,
        ),
        C("population_change_persons", "INTEGER", "Change 2010–2015 (persons)", nullable=False),
        C("population_change_pct", "DOUBLE", "Change 2010–2015 (%)", nullable=False, min=-100),
        C("area_km2", "DOUBLE", "Area (km²) as published for 2015", nullable=False, min=0),
        C("density_per_km2", "DOUBLE", "Population density (persons per km²)", nullable=False, min=0),
        C("households_2015", "INTEGER", "Households on 2015-10-01", nullable=False, min=0),
        C(
            "households_2010",
            "INTEGER",
            "Households on 2010-10-01 on 2015 boundaries (組替世帯数)",
            nullable=False,
            min=0,
        ),
        C("households_change", "INTEGER", "Change in households 2010–2015", nullable=False),
        C("households_change_pct", "DOUBLE", "Change in households 2010–2015 (%)", nullable=False, min=-100),
    ),
    key=("area_code",),
    checks=(
        SqlCheck(
            "municipalities-sum-to-parents",
            "the municipalities do not add up to their prefecture's or Japan's published population or households",
            """WITH s AS (
                  SELECT substr(area_code, 1, 2) || '000' AS area_code,
                         sum(population_2015_persons) AS p15, sum(population_2010_persons) AS p10,
                         sum(households_2015) AS h15
                  FROM core_census__population_2015_summary WHERE level = 'municipality' GROUP BY ALL
                  UNION ALL
                  SELECT '00000', sum(population_2015_persons), sum(population_2010_persons), sum(households_2015)
                  FROM core_census__population_2015_summary WHERE level = 'municipality')
                SELECT s.*, t.population_2015_persons, t.population_2010_persons, t.households_2015
                FROM s JOIN core_census__population_2015_summary t USING (area_code)
                WHERE (s.p15, s.p10, s.h15) <> (t.population_2015_persons, t.population_2010_persons,
                                                 t.households_2015)""",
        ),
        SqlCheck(
            "change-is-difference",
            "population or household change ≠ 2015 − 2010",
            """SELECT * FROM core_census__population_2015_summary
               WHERE population_change_persons <> population_2015_persons - population_2010_persons
                  OR households_change <> households_2015 - households_2010""",
        ),
        SqlCheck(
            "matches-1980-2015-series",
            "a municipality's 2015 population differs from the 1980–2015 series, or its 2010 組替人口 does and it "
            "is not one of the 8 pinned municipalities",
            f"""SELECT s.area_code_2015, s.population_2015_persons, s.population_2010_persons, t.census_year,
                       t.persons
                FROM core_census__population_2015_summary s
                JOIN {census_1980_2015.TOTAL.name} t ON t.muni_code_2015 = s.area_code_2015 AND t.sex = 'total'
                WHERE s.level = 'municipality' AND (
                  (t.census_year = 2015 AND t.persons <> s.population_2015_persons)
                  OR (t.census_year = 2010 AND (t.persons <> s.population_2010_persons) <> (s.area_code_2015 IN
                      ({", ".join(f"'{c}'" for c in BOUNDARY_2010_2015)}))))""",
        ),
    ),
)


def parse_table_00100(ctx: StepContext) -> dict[str, pl.DataFrame]:
    text = ctx.path(FILE).read_text(encoding="cp932")
    lines = text.splitlines()
    if not any(line.startswith('"全域・人口集中地区（2015）：","00710","全域"') for line in lines[:8]):
        raise ctx.fail("header", "the table is not the 全域 (00710) tabulation", file=FILE, where="lines 1–8")
    try:
        head = next(i for i, line in enumerate(lines) if line.startswith(',,,"020"'))
    except StopIteration:
        raise ctx.fail("header", 'no item code row starting with ,,,"020"', file=FILE) from None
    codes = pl.read_csv(io.StringIO(lines[head]), has_header=False, infer_schema=False).row(0)[3:]
    names = pl.read_csv(io.StringIO(lines[head + 1]), has_header=False, infer_schema=False).row(0)[3:]
    if list(codes) != ITEM_CODES or list(names) != ITEM_NAMES:
        raise ctx.fail("header", f"items changed: {codes} {names}", file=FILE, where=f"lines {head + 1}–{head + 2}")
    raw_cols = ["area_code_2015", "flag", "area_name"] + [f"v{i}" for i in range(len(VALUES))]
    df = pl.read_csv(
        io.StringIO("\n".join(lines[head + 2 :])), has_header=False, new_columns=raw_cols, infer_schema=False
    ).with_row_index("line", offset=head + 3)
    dup = df.filter(pl.col("area_code_2015").is_duplicated())
    if dup.height:
        raise ctx.fail(
            "duplicate", f"code {dup['area_code_2015'][0]} repeats", file=FILE, where=f"line {dup['line'][0]}"
        )

    municipalities = set(ctx.table(census_1980_2015.TOTAL.name)["muni_code_2015"].unique().to_list())
    wards = ctx.table(census_2020.TOTAL.name).filter(pl.col("level") == "ward")["area_code"].unique().to_list()
    code = pl.col("area_code_2015")
    df = df.with_columns(
        pl.when(code == "00000")
        .then(pl.lit("country"))
        .when(code.str.contains(r"^\d\d000$") & pl.col("flag").is_null())
        .then(pl.lit("prefecture"))
        .when(code.is_in(list(municipalities)))
        .then(pl.lit("municipality"))
        .when(code.is_in(wards))
        .then(pl.lit("ward"))
        .alias("level")
    ).filter(pl.col("level").is_not_null())
    counts = dict(df.group_by("level").len().iter_rows())
    if counts != EXPECTED_LEVELS:
        raise ctx.fail("areas", f"areas by level {counts}, expected {EXPECTED_LEVELS}", file=FILE)

    out = df
    for i, (name, dtype) in enumerate(VALUES):
        out = out.with_columns(pl.col(f"v{i}").str.replace_all(",", "").cast(dtype, strict=False).alias(name))
        bad = out.filter(pl.col(name).is_null())
        if bad.height:
            value = df.filter(pl.col("line") == bad["line"][0])[f"v{i}"][0]
            raise ctx.fail(
                "number",
                f"{ITEM_NAMES[i]} {value!r} is not a number",
                file=FILE,
                where=f"line {bad['line'][0]} ({bad['area_code_2015'][0]})",
            )
    out = out.with_columns(code.replace(RECODE_2015_TO_2020).alias("area_code"))
    ints = {name: pl.Int32 for name, dtype in VALUES if dtype == pl.Int64}
    return {TABLE.name: out.select(TABLE.column_names).cast(ints).sort("area_code")}


STEP = Step(
    name="census_2015_table00100",
    description="Census 2015 population, 2010–2015 change, area, density and households (表00100)",
    sources=("census_2015_table00100",),
    depends=("census_2020", "census_1980_2015"),
    tables=(TABLE,),
    parse=parse_table_00100,
)
