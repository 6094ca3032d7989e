"""MAFF food-access difficulty 2020 (表5 市町村別, four columns re-keyed) → core_food_access__difficulty_2020."""

from __future__ import annotations

import polars as pl

from sousei.pipeline.context import StepContext
from sousei.pipeline.errors import BuildError
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Coverage, SqlCheck, Step, Table

FILE = "food_access/maff_food_access_2020_municipal_extract.csv"
HEADER = ["code", "pop65_census2020_mesh", "maff_difficulty_ratio_65plus", "maff_difficulty_pop_65plus"]

TABLE = Table(
    name="core_food_access__difficulty_2020",
    description=(
        "People aged 65+ with difficulty accessing food stores (食料品アクセス困難人口), 2020, per municipality: "
        "living 500 m or more from a food store and having difficulty using a car, estimated by "
        "農林水産政策研究所 "
        "on 500 m census meshes. Designated cities as whole cities. As published: for a few municipalities "
        "(伊根町, 西米良村, 舟橋村, 安堵町 and, by rounding, many others) difficulty_pct × pop65_persons is not "
        "difficulty_persons, because MAFF's base population differs from the mesh census count."
    ),
    columns=(
        field("muni_code"),
        C(
            "pop65_persons",
            "INTEGER",
            "Population aged 65+ (census 2020 on 500 m meshes, persons)",
            nullable=False,
            min=0,
        ),
        C(
            "difficulty_pct",
            "DOUBLE",
            "Share of people 65+ with food-access difficulty (%; the published ratio × 100)",
            nullable=False,
            min=0,
            max=100,
        ),
        C(
            "difficulty_persons",
            "INTEGER",
            "People 65+ with food-access difficulty (persons, MAFF estimate)",
            nullable=False,
            min=0,
        ),
    ),
    key=("muni_code",),
    # 2020: 07546 双葉町 had no residents (whole town under evacuation order), so MAFF publishes no estimate.
    coverage=Coverage(missing=frozenset({"07546"})),
    checks=(
        SqlCheck(
            "difficulty-within-pop65",
            "more people with difficulty than people aged 65+",
            "SELECT * FROM core_food_access__difficulty_2020 WHERE difficulty_persons > pop65_persons",
        ),
    ),
)


def parse_food_access(text: str, file: str = FILE) -> pl.DataFrame:
    """Read the extract as published: header checked, codes 5 digits, every figure present and numeric."""
    lines = text.splitlines()
    if not lines or lines[0].split(",") != HEADER:
        raise BuildError("header", f"header {lines[:1]}, expected {','.join(HEADER)}", file=file, where="line 1")
    rows = []
    for lineno, line in enumerate(lines[1:], start=2):
        parts = line.split(",")
        if len(parts) != len(HEADER):
            raise BuildError(
                "format", f"{len(parts)} fields, expected {len(HEADER)}", file=file, where=f"line {lineno}"
            )
        code, pop65, ratio, persons = parts
        if len(code) != 5 or not code.isdigit():
            raise BuildError("code", f"code {code!r} is not 5 digits", file=file, where=f"line {lineno}, column code")
        try:
            rows.append((code, int(pop65), round(float(ratio) * 100, 2), int(persons)))
        except ValueError as exc:
            raise BuildError("value", f"not a number: {exc}", file=file, where=f"line {lineno} ({code})") from None
    df = pl.DataFrame(
        rows,
        schema={
            "muni_code": pl.Utf8,
            "pop65_persons": pl.Int32,
            "difficulty_pct": pl.Float64,
            "difficulty_persons": pl.Int32,
        },
        orient="row",
    )
    dup = df.filter(pl.col("muni_code").is_duplicated())
    if dup.height:
        raise BuildError("duplicate", f"codes repeat: {dup['muni_code'].unique().to_list()[:5]}", file=file)
    return df


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    return {TABLE.name: parse_food_access(ctx.path(FILE).read_text(encoding="utf-8"))}


STEP = Step(
    name="food_access",
    description="Food-access difficulty of people 65+ per municipality, 2020 (農林水産政策研究所)",
    sources=("food_access_2020",),
    tables=(TABLE,),
    parse=parse,
)
