"""Tokyo-area (埼玉・千葉・東京・神奈川) migration of Japanese movers 2010–2025 → core_national__tokyo_area_*."""

from __future__ import annotations

import io

import polars as pl

from sousei.pipeline.context import StepContext
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import SqlCheck, Step, Table

FILE = "national/tokyo_area_net_migration_japanese_2010_2025.csv"
PREFECTURES = {"saitama": "11", "chiba": "12", "tokyo": "13", "kanagawa": "14"}

YEAR = field("year", "Calendar year of the moves", min=2010, max=2100)

TABLE = Table(
    name="core_national__tokyo_area_migration",
    description=(
        "In-, out- and net migration of Japanese movers between prefectures for the four Tokyo-area prefectures, "
        "per calendar year (住民基本台帳人口移動報告). Foreign residents excluded; no sex or age breakdown."
    ),
    columns=(
        YEAR,
        field("pref_code", "Prefecture code (11 埼玉, 12 千葉, 13 東京, 14 神奈川)"),
        C("in_migrants_persons", "INTEGER", "Japanese movers in from other prefectures (persons)", min=0),
        C("out_migrants_persons", "INTEGER", "Japanese movers out to other prefectures (persons)", min=0),
        C("net_migration_persons", "INTEGER", "In minus out (persons)"),
    ),
    key=("year", "pref_code"),
)

TOTAL = Table(
    name="core_national__tokyo_area_net_migration",
    description="Net migration of Japanese movers into the Tokyo area (東京圏) per calendar year, as published.",
    columns=(
        YEAR,
        C("net_migration_persons", "INTEGER", "Sum of the four prefectures' net migration (persons)"),
    ),
    key=("year",),
    checks=(
        SqlCheck(
            "tokyo-area-net-sums",
            "the published Tokyo-area net differs from the sum of its four prefectures",
            f"""SELECT t.year, t.net_migration_persons, sum(p.net_migration_persons) AS summed
                FROM core_national__tokyo_area_net_migration t
                JOIN {TABLE.name} p USING (year) GROUP BY ALL
                HAVING t.net_migration_persons <> sum(p.net_migration_persons)""",
        ),
        SqlCheck(
            "prefecture-net",
            "net ≠ in − out",
            f"SELECT * FROM {TABLE.name} WHERE net_migration_persons <> in_migrants_persons - out_migrants_persons",
        ),
    ),
)


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    text = ctx.path(FILE).read_text(encoding="utf-8")
    # The file opens with '#' comment lines (provenance); the CSV header follows.
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    wide = pl.read_csv(io.StringIO(body))
    expected = ["year"] + [f"{p}_{k}" for p in PREFECTURES for k in ("in", "out", "net")] + ["tokyo_area_net"]
    if wide.columns != expected:
        raise ctx.fail("header", f"columns {wide.columns}, expected {expected}", file=FILE)
    per_pref = pl.concat(
        wide.select(
            pl.col("year").cast(pl.Int32),
            pl.lit(code).alias("pref_code"),
            pl.col(f"{name}_in").alias("in_migrants_persons"),
            pl.col(f"{name}_out").alias("out_migrants_persons"),
            pl.col(f"{name}_net").alias("net_migration_persons"),
        )
        for name, code in PREFECTURES.items()
    )
    total = wide.select(pl.col("year").cast(pl.Int32), pl.col("tokyo_area_net").alias("net_migration_persons"))
    return {TABLE.name: per_pref, TOTAL.name: total}


STEP = Step(
    name="tokyo_area_migration",
    description="Tokyo-area migration of Japanese movers (住民基本台帳人口移動報告, long-run series)",
    sources=("tokyo_area_net_migration",),
    tables=(TABLE, TOTAL),
    parse=parse,
)
