"""Indicators of the 地域課題ダッシュボード → out_indicators__registry, __values, __comparisons, __leading_industries
and out_diagnosis__priority_issues.

Every registry entry's SQL runs on an in-memory DuckDB over the frames of the tables it names (the step depends on
the steps producing them); the comparisons and the priority issues are the pure domain code's. The tables are
declared in indicator_tables.py.
"""

from __future__ import annotations

import importlib
import pkgutil
import time

import duckdb
import polars as pl

from sousei.domain.diagnosis import ISSUE_COLUMNS, priority_issues
from sousei.domain.indicators.compare import compare, compute_values
from sousei.domain.indicators.economy import INDUSTRIES
from sousei.domain.indicators.model import FAMILY_NAMES_JA, Indicator
from sousei.domain.indicators.reference import mark_reference
from sousei.domain.indicators.registry import indicators
from sousei.domain.indicators.sql import tables_read
from sousei.domain.scores import STANDARDISATIONS
from sousei.pipeline.context import StepContext
from sousei.pipeline.derived.indicator_tables import (
    COMPARISONS,
    DATA_YEAR,
    ISSUES,
    LEADING,
    LEADING_MIN_SHARE,
    LEADING_TOP,
    REGISTRY,
    TABLES,
    VALUE_SCHEMA,
    VALUES,
)
from sousei.pipeline.errors import BuildError
from sousei.pipeline.schema import Step

AREAS = "core_areas__municipalities"


def _producers() -> dict[str, str]:
    """table name → step name, over every step module except this one."""
    import sousei.pipeline.derived as derived
    import sousei.pipeline.sources as sources

    names = ["sousei.pipeline.areas"]
    for pkg in (sources, derived):
        names += [f"{pkg.__name__}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_")]
    out: dict[str, str] = {}
    for name in names:
        if name == __name__:
            continue
        step = getattr(importlib.import_module(name), "STEP", None)
        if step is not None:
            out.update({t.name: step.name for t in step.tables})
    return out


def _entry_tables(ind: Indicator) -> set[str]:
    sqls = [ind.query, ind.national_query or "", ind.prefecture_query or ""]
    return set().union(*(tables_read(s) for s in sqls))


# Registered (住民基本台帳, the first reference date after the census day: 1 January or 31 March of the next year)
# ÷ census population per municipality and census year: the registration check of reference.mark_reference.
REGISTRATION_SQL = """
WITH reg AS (
  SELECT muni_code, year(ref_date) - 1 AS census_year, any_value(all_ages_persons) AS registered
  FROM core_juki__population_by_sex_age
  WHERE sex = 'total'
    AND ((month(ref_date) = 1 AND day(ref_date) = 1) OR (month(ref_date) = 3 AND year(ref_date) <= 2013))
  GROUP BY ALL
), cen AS (
  SELECT muni_code, census_year, sum(persons) AS census FROM core_census__population_by_sex_age GROUP BY ALL
)
SELECT muni_code, census_year, registered, census,
       CASE WHEN census > 0 THEN registered / census ELSE 'inf'::DOUBLE END AS ratio
FROM reg JOIN cen USING (muni_code, census_year)"""


def needed_tables() -> set[str]:
    return (
        {AREAS, "core_ssdse__values"}
        | tables_read(REGISTRATION_SQL)
        | set().union(*(_entry_tables(i) for i in indicators()))
    )


PRODUCERS = _producers()
DEPENDS = tuple(sorted({PRODUCERS[t] for t in needed_tables() if t in PRODUCERS}))


def meta_frame(entries: tuple[Indicator, ...] | None = None) -> pl.DataFrame:
    entries = entries if entries is not None else indicators()
    return pl.DataFrame(
        {
            "indicator_id": [i.id for i in entries],
            "family": [i.family for i in entries],
            "direction": [i.direction for i in entries],
            "aggregate": [i.aggregate for i in entries],
            "scale": [float(i.scale) for i in entries],
            "unit": [i.unit for i in entries],
            "sources": [", ".join(i.sources) for i in entries],
            "standardisation": [i.effective_standardisation for i in entries],
            "min_denominator": [float(i.min_denominator) for i in entries],
            "min_denominator_ja": [i.min_denominator_ja for i in entries],
            "reference_as": [i.reference_as for i in entries],
            "registered_over_census": [i.registered_over_census for i in entries],
        }
    )


ESTAT_SOURCE = "estat_api"


def run_queries(
    frames: dict[str, pl.DataFrame], valid_codes: set[str], entries: tuple[Indicator, ...] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, float]]:
    """(values without `value`, published national/prefecture values, seconds per indicator) from the entries'
    queries on an in-memory DuckDB over `frames`. Unknown codes and duplicate rows stop the build."""
    entries = entries if entries is not None else indicators()
    con = duckdb.connect()
    for name, frame in frames.items():
        # copied into DuckDB's own storage: the entries scan some tables (SSDSE-A values) dozens of times
        con.register("_frame", frame)
        con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _frame')
        con.unregister("_frame")
    parts: list[pl.DataFrame] = []
    published: list[pl.DataFrame] = []
    seconds: dict[str, float] = {}
    # Entries on e-Stat tables give no rows until such a table is loaded: skip planning their (many) queries then.
    estat_loaded = "raw_estat__values" in frames and frames["raw_estat__values"].height > 0
    for ind in entries:
        start = time.perf_counter()
        if ESTAT_SOURCE in ind.sources and not estat_loaded:
            seconds[ind.id] = 0.0
            continue
        try:
            got = con.sql(ind.query).pl()
        except duckdb.Error as exc:
            raise BuildError("indicator-query", f"{ind.id}: {exc}", where=f"indicator {ind.id}") from exc
        missing = [c for c in VALUE_SCHEMA if c not in got.columns]
        if missing:
            raise BuildError("indicator-query", f"{ind.id}: query lacks columns {missing}", where=f"indicator {ind.id}")
        got = got.select([pl.col(c).cast(t) for c, t in VALUE_SCHEMA.items()])
        unknown = sorted(set(got["muni_code"].drop_nulls()) - valid_codes)
        if unknown or got["muni_code"].null_count():
            raise BuildError(
                "indicator-codes",
                f"{ind.id}: {len(unknown)} codes that are not 2020 municipalities, e.g. {unknown[:5]}",
                where=f"indicator {ind.id}",
            )
        dup = got.group_by("muni_code", "year").len().filter(pl.col("len") > 1)
        if dup.height:
            raise BuildError(
                "indicator-key",
                f"{ind.id}: {dup.height} (municipality, year) pairs appear twice, e.g. {dup.head(3).rows()}",
                where=f"indicator {ind.id}",
            )
        parts.append(got.with_columns(pl.lit(ind.id).alias("indicator_id")))
        for level, sql in (("national", ind.national_query), ("prefecture", ind.prefecture_query)):
            if not sql:
                continue
            pub = con.sql(sql).pl()
            if level == "national":
                pub = pub.with_columns(pl.lit(None, dtype=pl.Utf8).alias("pref_code"))
            published.append(
                pub.select(
                    pl.lit(ind.id).alias("indicator_id"),
                    pl.lit(level).alias("level"),
                    pl.col("pref_code").cast(pl.Utf8),
                    pl.col("year").cast(pl.Int32),
                    pl.col("value").cast(pl.Float64),
                )
            )
        seconds[ind.id] = time.perf_counter() - start
    con.close()
    empty = pl.DataFrame(schema={"indicator_id": pl.Utf8, **VALUE_SCHEMA})
    values = pl.concat(parts).select("indicator_id", *VALUE_SCHEMA) if parts else empty
    pub_schema = {
        "indicator_id": pl.Utf8,
        "level": pl.Utf8,
        "pref_code": pl.Utf8,
        "year": pl.Int32,
        "value": pl.Float64,
    }
    pub_frame = pl.concat(published) if published else pl.DataFrame(schema=pub_schema)
    return values, pub_frame, seconds


def leading_industries(values: pl.DataFrame) -> pl.DataFrame:
    """From the specialization entries' values (numerator = the industry's share of private employees, value =
    coefficient): the top industries per municipality and census year."""
    spec = values.filter(pl.col("indicator_id").str.starts_with("econ_specialization_")).with_columns(
        pl.col("indicator_id").str.replace("econ_specialization_", "").alias("industry_code")
    )
    return (
        spec.filter(pl.col("value").is_not_null() & (pl.col("numerator") >= LEADING_MIN_SHARE))
        .sort(["muni_code", "year", "value", "industry_code"], descending=[False, False, True, False])
        .with_columns(pl.int_range(1, pl.len() + 1).over("muni_code", "year").cast(pl.Int32).alias("rank"))
        .filter(pl.col("rank") <= LEADING_TOP)
        .select(
            "muni_code",
            "year",
            "rank",
            "industry_code",
            pl.col("industry_code").replace_strict(INDUSTRIES).alias("industry"),
            pl.col("value").alias("specialization"),
            (pl.col("numerator") * 100).alias("employees_share_pct"),
        )
    )


def registry_frame(values: pl.DataFrame, seconds: dict[str, float]) -> pl.DataFrame:
    have = values.filter(pl.col("value").is_not_null())
    years = have.group_by("indicator_id").agg(
        pl.col("year").min().cast(pl.Int32).alias("first_year"),
        pl.col("year").max().cast(pl.Int32).alias("last_year"),
        pl.col("year").n_unique().cast(pl.Int32).alias("n_years"),
    )
    latest = (
        have.join(years, on="indicator_id")
        .filter(pl.col("year") == pl.col("last_year"))
        .group_by("indicator_id")
        .agg(pl.col("muni_code").n_unique().cast(pl.Int32).alias("municipalities_latest"))
    )
    entries = indicators()
    reg = pl.DataFrame(
        {
            "indicator_id": [i.id for i in entries],
            "position": list(range(1, len(entries) + 1)),
            "family": [i.family for i in entries],
            "family_ja": [FAMILY_NAMES_JA[i.family] for i in entries],
            "name_ja": [i.name_ja for i in entries],
            "name_en": [i.name_en for i in entries],
            "unit": [i.unit for i in entries],
            "direction": [i.direction for i in entries],
            "aggregate": [i.aggregate for i in entries],
            "scale": [float(i.scale) for i in entries],
            "scored": [i.scored for i in entries],
            "standardisation": [i.effective_standardisation for i in entries],
            "standardisation_ja": [STANDARDISATIONS[i.effective_standardisation] for i in entries],
            "min_denominator": [float(i.min_denominator) for i in entries],
            "min_denominator_ja": [i.min_denominator_ja or None for i in entries],
            "registered_over_census": [i.registered_over_census for i in entries],
            "decimals": [i.display_decimals for i in entries],
            "sources": [", ".join(i.sources) for i in entries],
            "tables": [", ".join(sorted(_entry_tables(i))) for i in entries],
            "formula": [i.formula for i in entries],
            "caveat": [i.caveat or None for i in entries],
            "coverage_note": [i.coverage_note or None for i in entries],
            "query_seconds": [seconds.get(i.id, 0.0) for i in entries],
        },
        schema_overrides={"position": pl.Int32, "decimals": pl.Int32},
    )
    return (
        reg.join(years, on="indicator_id", how="left")
        .join(latest, on="indicator_id", how="left")
        .with_columns(pl.col("n_years", "municipalities_latest").fill_null(0))
    )


def registration_frame(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """muni_code, census_year, registered, census, ratio (REGISTRATION_SQL over the frames)."""
    con = duckdb.connect()
    for name in tables_read(REGISTRATION_SQL):
        con.register(name, frames[name])
    out = con.sql(REGISTRATION_SQL).pl()
    con.close()
    return out


def compute_all(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Every table of the step from the dependency frames (also used by bench/indicators.py)."""
    areas = frames[AREAS].select("muni_code", "pref_code", "peer_group")
    raw, published, seconds = run_queries(frames, set(areas["muni_code"]))
    meta = meta_frame()
    values = compute_values(raw, dict(zip(meta["indicator_id"], meta["scale"], strict=True)))
    marked = mark_reference(values, meta, registration_frame(frames))
    comparisons = compare(marked, areas, meta, published)
    issues = priority_issues(comparisons, meta)
    return {
        REGISTRY.name: registry_frame(values, seconds),
        VALUES.name: values,
        COMPARISONS.name: comparisons,
        LEADING.name: leading_industries(values),
        ISSUES.name: issues.select(ISSUE_COLUMNS),
    }


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    frames = {name: ctx.table(name) for name in sorted(needed_tables())}
    return compute_all(frames)


STEP = Step(
    name="indicators",
    description="Indicators, comparisons (偏差値, ranks, national / prefecture / peer values) and priority issues",
    sources=(),
    tables=TABLES,
    parse=parse,
    depends=DEPENDS,
)

# The step's names, and its tables' (declared in indicator_tables.py), importable from here.
__all__ = [
    "AREAS",
    "COMPARISONS",
    "DATA_YEAR",
    "DEPENDS",
    "ESTAT_SOURCE",
    "ISSUES",
    "LEADING",
    "LEADING_MIN_SHARE",
    "LEADING_TOP",
    "PRODUCERS",
    "REGISTRATION_SQL",
    "REGISTRY",
    "STEP",
    "TABLES",
    "VALUES",
    "VALUE_SCHEMA",
    "compute_all",
    "leading_industries",
    "meta_frame",
    "needed_tables",
    "parse",
    "registration_frame",
    "registry_frame",
    "run_queries",
]
