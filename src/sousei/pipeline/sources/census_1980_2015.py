"""Census 1980–2015, sex × 5-year age on 2015 boundaries (zip of JSON) → raw_census__population_1980_2015."""

from __future__ import annotations

import io
import json
import re
import zipfile

import polars as pl

from sousei.pipeline.context import StepContext
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import SqlCheck, Step, Table

FILE = "census/1980-2015/ecitizen_population2015_city.zip"
YEARS = (1980, 1985, 1990, 1995, 2000, 2005, 2010, 2015)
FOLDERS = {"City": "total", "CityM": "male", "CityF": "female"}
# The series of every pd{code}.json, in order. The 85–89 series is labelled 85～89歳以上 in these files although
# 90歳以上 follows it (CATALOG caveat): it is the 85–89 group.
SERIES: list[tuple[str, str, int | None]] = (
    [("総数", "total", None)]
    + [(f"{a}～{a + 4}歳", f"{a}-{a + 4}", a) for a in range(0, 85, 5)]
    + [("85～89歳以上", "85-89", 85), ("90歳以上", "90+", 90), ("年齢不詳", "unknown", None)]
)
AGE_GROUPS = SERIES[1:]
N_MUNICIPALITIES = 1741
PD = re.compile(r"^(City|CityM|CityF)/pd(\d{5})\.json$")
# Also in the folders and ignored: the IPSS 2018 projection (pp{code}.json, Project*.json), and the folder entries.
# Pinned 2025: municipalities with no residents in a census round (whole population evacuated):
# 13381 三宅村 in 2000 (全島避難 after the 2000 eruption of 三宅島); 07543 富岡町, 07545 大熊町, 07546 双葉町 and
# 07547 浪江町 in 2015 (evacuation orders after the 2011 nuclear accident).
ZERO = (("13381", 2000), ("07543", 2015), ("07545", 2015), ("07546", 2015), ("07547", 2015))
ZERO_VALUES = ", ".join(f"('{code}', {year})" for code, year in ZERO)
IGNORED = re.compile(r"^(City|CityM|CityF)/((pp\d{5}|Project[MF]?)\.json)?$")

MUNI = C("muni_code_2015", "VARCHAR", "Municipal code of 2015-10-01 (1,741 municipalities, no wards)", nullable=False)
YEAR = field("census_year", min=1980, max=2015)
SEX = field("sex", "'total', 'male' or 'female' (three separately published series)")
PERSONS = field("persons", "Population (persons) on 2015 boundaries", type="INTEGER")

TOTAL = Table(
    name="raw_census__population_1980_2015_total",
    description="Census population 1980–2015 by sex (series 総数 of each file), re-aggregated to 2015 municipalities.",
    columns=(MUNI, YEAR, SEX, PERSONS),
    key=("muni_code_2015", "census_year", "sex"),
)

POPULATION = Table(
    name="raw_census__population_1980_2015",
    description=(
        "Census population 1980–2015 by sex and 5-year age (0-4 … 85-89, 90+, unknown = 年齢不詳) on the "
        "municipalities of 2015-10-01 (2015 codes), as in the aiseed.dev re-aggregation; the male, female and total "
        "series are published separately and differ by ±1 in a few cells."
    ),
    columns=(
        MUNI,
        YEAR,
        SEX,
        field("age_group"),
        field("age_start", nullable=True, max=90),
        PERSONS,
    ),
    key=("muni_code_2015", "census_year", "sex", "age_group"),
    checks=(
        SqlCheck(
            "ages-sum-to-total",
            "the age groups (with 不詳) do not add up to the series 総数",
            f"""SELECT muni_code_2015, census_year, sex, any_value(t.persons) AS total, sum(p.persons) AS summed
                FROM raw_census__population_1980_2015 p JOIN {TOTAL.name} t USING (muni_code_2015, census_year, sex)
                GROUP BY ALL HAVING any_value(t.persons) <> sum(p.persons)""",
        ),
        SqlCheck(
            "male-plus-female-pinned",
            # Pinned 2025: the three series were apportioned separately; M+F ≠ total by exactly ±1 in 60 cells
            # (age groups and 総数 together), and never by more.
            "M + F differs from the total series in other than the 60 known cells of ±1",
            f"""WITH cells AS (
                  SELECT muni_code_2015, census_year, age_group, sex, persons FROM raw_census__population_1980_2015
                  UNION ALL
                  SELECT muni_code_2015, census_year, 'all ages', sex, persons FROM {TOTAL.name}),
                d AS (
                  SELECT muni_code_2015, census_year, age_group,
                         sum(persons) FILTER (sex <> 'total') - sum(persons) FILTER (sex = 'total') AS diff
                  FROM cells GROUP BY ALL)
                SELECT count(*) FILTER (diff <> 0) AS cells, max(abs(diff)) AS largest FROM d
                HAVING count(*) FILTER (diff <> 0) <> 60 OR max(abs(diff)) > 1""",
        ),
        SqlCheck(
            "zero-population-pinned",
            "a municipality with population 0 other than the pinned evacuations, or a pinned one no longer 0",
            f"""WITH pinned(muni_code_2015, census_year) AS (VALUES {ZERO_VALUES})
                SELECT t.* FROM {TOTAL.name} t WHERE t.persons = 0 AND NOT EXISTS (SELECT 1 FROM pinned p
                  WHERE p.muni_code_2015 = t.muni_code_2015 AND p.census_year = t.census_year)
                UNION ALL
                SELECT p.muni_code_2015, p.census_year, 'total', NULL FROM pinned p
                WHERE NOT EXISTS (SELECT 1 FROM {TOTAL.name} t WHERE t.muni_code_2015 = p.muni_code_2015
                                  AND t.census_year = p.census_year AND t.sex = 'total' AND t.persons = 0)""",
        ),
    ),
)


def read_series(ctx: StepContext) -> pl.DataFrame:
    """One row per series of every pd file (file, folder, code, position, Series, Population), in one polars pass.

    The JSON files are wrapped into one NDJSON document ({"file": name, "d": content} per line) so that polars
    parses all 5,223 of them at once; every member of the zip is accounted for.
    """
    lines: list[bytes] = []
    with zipfile.ZipFile(ctx.path(FILE)) as zf:
        names = zf.namelist()
        for i, name in enumerate(names):
            if not PD.match(name):
                if not IGNORED.match(name):
                    raise ctx.fail("zip", f"unexpected member {name!r}", file=FILE)
                continue
            lines.append(b'{"file":"' + name.encode() + b'","d":' + zf.read(name).strip() + b"}")
            if i % 1000 == 0:
                ctx.progress(i, len(names), "read")
    try:
        docs = pl.read_ndjson(io.BytesIO(b"\n".join(lines)))
    except pl.exceptions.PolarsError as exc:
        for line in lines:  # find the file that does not parse, to name it
            try:
                json.loads(line)
            except json.JSONDecodeError as jexc:
                raise ctx.fail("json", str(jexc), file=FILE, where=json_name(line)) from exc
        raise ctx.fail("json", str(exc), file=FILE) from exc
    if docs.schema.get("d") != pl.List(pl.Struct({"Series": pl.String, "Population": pl.List(pl.Int64)})):
        raise ctx.fail("json", f"files are not lists of {{Series, Population: [int]}}: {docs.schema}", file=FILE)
    return (
        docs.with_columns(pl.col("d").list.eval(pl.int_range(pl.len())).alias("series"))
        .explode("d", "series")
        .unnest("d")
        .with_columns(
            pl.col("file").str.extract(r"^(\w+)/").replace_strict(FOLDERS).alias("sex"),
            pl.col("file").str.extract(r"pd(\d{5})\.json$").alias("muni_code_2015"),
        )
    )


def json_name(line: bytes) -> str:
    return line[9 : line.index(b'"', 9)].decode()


def parse_census_1980_2015(ctx: StepContext) -> dict[str, pl.DataFrame]:
    series = read_series(ctx)
    codes = {sex: sorted(set(df["muni_code_2015"])) for (sex,), df in series.group_by("sex")}
    if (
        len(codes.get("total", [])) != N_MUNICIPALITIES
        or not codes.get("male") == codes.get("female") == codes["total"]
    ):
        raise ctx.fail(
            "municipalities",
            f"pd files per folder: { {s: len(c) for s, c in codes.items()} }, expected "
            f"the same {N_MUNICIPALITIES} codes in City, CityM and CityF",
            file=FILE,
        )
    labels = pl.DataFrame({"series": range(len(SERIES)), "label": [s[0] for s in SERIES]})
    checked = series.join(labels, on="series", how="left").with_columns(
        pl.len().over("file").alias("n_series"),
        pl.col("Population").list.len().alias("n_values"),
        pl.col("Population").list.min().alias("min_value"),
        pl.col("Population").list.eval(pl.element().null_count()).list.first().alias("n_null"),
    )
    bad = checked.filter((pl.col("Series") != pl.col("label")).fill_null(True) | (pl.col("n_series") != len(SERIES)))
    if bad.height:
        f = bad["file"][0]
        got = series.filter(pl.col("file") == f)["Series"].to_list()
        raise ctx.fail("series", f"series {got}, expected {[s[0] for s in SERIES]}", file=FILE, where=f)
    bad = checked.filter((pl.col("n_values") != len(YEARS)) | (pl.col("n_null") > 0) | (pl.col("min_value") < 0))
    if bad.height:
        r = bad.row(0, named=True)
        raise ctx.fail(
            "values", f"{r['Series']}: {r['Population']!r} is not {len(YEARS)} counts", file=FILE, where=r["file"]
        )
    long = (
        series.select(
            "muni_code_2015",
            "sex",
            pl.col("series").cast(pl.Int32),
            pl.col("Population").cast(pl.List(pl.Int32)).alias("persons"),
            pl.lit(list(YEARS), dtype=pl.List(pl.Int32)).alias("census_year"),
        )
        .explode("census_year", "persons")
        .sort("muni_code_2015", "sex", "series", "census_year")
    )
    total = long.filter(pl.col("series") == 0).select(TOTAL.column_names)
    mapping = pl.DataFrame(
        {
            "series": list(range(1, len(SERIES))),
            "age_group": [s[1] for s in AGE_GROUPS],
            "age_start": [s[2] for s in AGE_GROUPS],
        },
        schema={"series": pl.Int32, "age_group": pl.String, "age_start": pl.Int32},
    )
    by_age = long.filter(pl.col("series") > 0).join(mapping, on="series").select(POPULATION.column_names)
    summed = by_age.group_by("muni_code_2015", "census_year", "sex").agg(pl.col("persons").sum().alias("summed"))
    off = total.join(summed, on=["muni_code_2015", "census_year", "sex"]).filter(pl.col("persons") != pl.col("summed"))
    if off.height:
        r = off.row(0, named=True)
        raise ctx.fail(
            "ages-sum-to-total",
            f"{off.height} series whose ages do not add up to 総数, e.g. {r}",
            file=FILE,
            where=f"pd{r['muni_code_2015']}.json, {r['census_year']}",
        )
    return {TOTAL.name: total, POPULATION.name: by_age}


STEP = Step(
    name="census_1980_2015",
    description="Census 1980–2015 population by sex and 5-year age on 2015 boundaries (aiseed.dev re-aggregation)",
    sources=("census_1980_2015_sex_age5",),
    tables=(TOTAL, POPULATION),
    parse=parse_census_1980_2015,
)
