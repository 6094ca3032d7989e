"""Indicators of the 地域課題ダッシュボード → out_indicators__registry, __values, __comparisons, __leading_industries
and out_diagnosis__priority_issues.

Every registry entry's SQL runs on an in-memory DuckDB over the frames of the tables it names (the step depends on
the steps producing them); the comparisons and the priority issues are the pure domain code's.
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
from sousei.domain.scores import SCORE_MAX, SCORE_MIN, STANDARDISATIONS
from sousei.pipeline.context import StepContext
from sousei.pipeline.errors import BuildError
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Coverage, SqlCheck, Step, Table

AREAS = "core_areas__municipalities"
# Leading industries: the industries with the highest employee specialization coefficient among those employing at
# least this share of the municipality's private employees (a tiny industry with a high coefficient is not leading).
LEADING_MIN_SHARE = 0.03
LEADING_TOP = 3
DATA_YEAR = field("year", "Data year (calendar, fiscal or census year, as the entry's formula says)")


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


REGISTRY = Table(
    name="out_indicators__registry",
    description=(
        "The indicator registry (src/sousei/domain/indicators): metadata, formula and data years of each indicator."
    ),
    columns=(
        field("indicator_id"),
        C("position", "INTEGER", "Display order (family by family)", nullable=False, min=1),
        C("family", "VARCHAR", "Family: population, births, migration, women_work, economy, living", nullable=False),
        C("family_ja", "VARCHAR", "Family in Japanese (人口, 出生, 人口移動, 女性の就業, 強い経済, 豊かな生活環境)"),
        C("name_ja", "VARCHAR", "日本語名", nullable=False),
        C("name_en", "VARCHAR", "English name", nullable=False),
        C("unit", "VARCHAR", "Unit of the value", nullable=False),
        C("direction", "VARCHAR", "higher_better, lower_better or neutral", nullable=False),
        C("aggregate", "VARCHAR", "How national and prefecture values are formed (ratio_of_sums, source_value, …)"),
        C("scale", "DOUBLE", "value = numerator ÷ denominator × scale", nullable=False),
        C("scored", "BOOLEAN", "Whether the indicator gets a 偏差値 (a count does not)", nullable=False),
        C(
            "standardisation",
            "VARCHAR",
            "How its 偏差値 is standardised: winsorised or log_winsorised (docs/methods/deviation.md)",
            nullable=False,
        ),
        C("standardisation_ja", "VARCHAR", "The standardisation in Japanese", nullable=False),
        C("min_denominator", "DOUBLE", "A value on a smaller denominator is 参考値 (0 = no minimum)", min=0),
        C("min_denominator_ja", "VARCHAR", "What the denominator counts, for the 参考値 reason"),
        C(
            "registered_over_census",
            "BOOLEAN",
            "Registered numerator over census denominator: 参考値 where they differ",
        ),
        C("decimals", "INTEGER", "Decimals shown on pages and in CSV (the JSON API keeps full precision)", min=0),
        C("sources", "VARCHAR", "Source ids (CATALOG.yaml), comma-separated", nullable=False),
        C("tables", "VARCHAR", "Warehouse tables the query reads, comma-separated", nullable=False),
        C("formula", "VARCHAR", "Formula in words, with item codes", nullable=False),
        C("caveat", "VARCHAR", "What to keep in mind when reading the value"),
        C("coverage_note", "VARCHAR", "Why fewer than 95% of municipalities have data, where so"),
        C("first_year", "INTEGER", "First data year with a value"),
        C("last_year", "INTEGER", "Latest data year with a value"),
        C("n_years", "INTEGER", "Number of data years", min=0),
        C("municipalities_latest", "INTEGER", "Municipalities with a value in the latest data year", min=0, max=1741),
        C("query_seconds", "DOUBLE", "Seconds the query took in the build", min=0),
    ),
    key=("indicator_id",),
    checks=(
        SqlCheck(
            "indicator-coverage",
            "an indicator has a value for fewer than 95% of the 1,741 municipalities in its latest year and no "
            "coverage note saying why",
            "SELECT indicator_id, municipalities_latest FROM out_indicators__registry "
            "WHERE coalesce(municipalities_latest, 0) < 0.95 * 1741 AND coalesce(coverage_note, '') = ''",
        ),
    ),
)

VALUES = Table(
    name="out_indicators__values",
    description="Every indicator per 2020 municipality and data year: numerator, denominator and value.",
    columns=(
        field("indicator_id"),
        field("muni_code"),
        DATA_YEAR,
        C("numerator", "DOUBLE", "Numerator (a plain value where the denominator is 1)"),
        C("denominator", "DOUBLE", "Denominator"),
        C("value", "DOUBLE", "numerator ÷ denominator × scale; NULL where the denominator is 0 or missing"),
    ),
    key=("indicator_id", "muni_code", "year"),
    coverage=Coverage(),
)

COMPARISONS = Table(
    name="out_indicators__comparisons",
    description=(
        "Each indicator value against Japan, its prefecture and its 類似団体 group: 偏差値 over the municipalities "
        "with a value (all of Japan; within the peer group), oriented so that higher = better, ranks, and the change "
        "since the previous data year."
    ),
    columns=(
        field("indicator_id"),
        field("muni_code"),
        DATA_YEAR,
        C("value", "DOUBLE", "The municipality's value", nullable=False),
        C(
            "national_value",
            "DOUBLE",
            "Japan's value: the total of a count, the ratio of sums of a rate, or as published",
        ),
        C("prefecture_value", "DOUBLE", "The prefecture's value (same rule)"),
        C("peer_group", "VARCHAR", "類似団体 group (core_areas__municipalities.peer_group)"),
        C("peer_mean", "DOUBLE", "Simple mean of the peer group's values"),
        C(
            "deviation_japan",
            "DOUBLE",
            "Robust 偏差値 over the municipalities compared (the registry's standardisation; 0–100, where 0 and 100 "
            "read 「0以下」/「100以上」); NULL for a count or a 参考値",
            min=0,
            max=100,
        ),
        C("deviation_peer", "DOUBLE", "Robust 偏差値 within the peer group", min=0, max=100),
        C("oriented_japan", "DOUBLE", "deviation_japan turned so that higher = better (100 − x if lower is better)"),
        C("oriented_peer", "DOUBLE", "deviation_peer turned so that higher = better"),
        C(
            "rank_japan",
            "INTEGER",
            "Rank in Japan, 1 = best (largest for neutral indicators); NULL for a 参考値",
            min=1,
        ),
        C("n_japan", "INTEGER", "Municipalities ranked (参考値 left out)", min=1, max=1741),
        C("rank_prefecture", "INTEGER", "Rank in the prefecture, 1 = best", min=1),
        C("n_prefecture", "INTEGER", "Municipalities of the prefecture ranked", min=1),
        C("previous_year", "INTEGER", "The previous data year with a value for this municipality"),
        C("previous_value", "DOUBLE", "Value in previous_year"),
        C("change", "DOUBLE", "value − previous_value (in the indicator's unit)"),
        C("oriented_change_score", "DOUBLE", "偏差値 of the change over Japan, turned so that higher = better"),
        C(
            "is_reference",
            "BOOLEAN",
            "参考値: no 偏差値, rank or priority issue (reference_reason says why)",
            nullable=False,
        ),
        C("reference_reason", "VARCHAR", "Why the value is 参考値 (small denominator, registration ≠ census)"),
    ),
    key=("indicator_id", "muni_code", "year"),
    coverage=Coverage(),
    checks=(
        SqlCheck(
            "deviation-range",
            f"a 偏差値 outside {SCORE_MIN:g}–{SCORE_MAX:g}",
            f"""SELECT * FROM out_indicators__comparisons
               WHERE least(deviation_japan, deviation_peer, oriented_change_score) < {SCORE_MIN}
                  OR greatest(deviation_japan, deviation_peer, oriented_change_score) > {SCORE_MAX}""",
        ),
        SqlCheck(
            "reference-unscored",
            "a 参考値 or a count has a 偏差値 or a rank",
            """SELECT c.* FROM out_indicators__comparisons c JOIN out_indicators__registry r USING (indicator_id)
               WHERE (c.is_reference AND (c.deviation_japan IS NOT NULL OR c.rank_japan IS NOT NULL))
                  OR (NOT r.scored AND c.deviation_japan IS NOT NULL)""",
        ),
        SqlCheck(
            "ranks-within-bounds",
            "a rank exceeds the number of municipalities ranked",
            "SELECT * FROM out_indicators__comparisons WHERE rank_japan > n_japan OR rank_prefecture > n_prefecture",
        ),
    ),
)

LEADING = Table(
    name="out_indicators__leading_industries",
    description=(
        f"Leading industries per municipality: the {LEADING_TOP} industries (of 18, 経済センサス-活動調査 private "
        f"establishments) with the highest employee specialization coefficient among those employing at least "
        f"{LEADING_MIN_SHARE:.0%} of the municipality's private employees."
    ),
    columns=(
        field("muni_code"),
        field("year", "Census year (経済センサス)"),
        C("rank", "INTEGER", "1 = highest specialization coefficient", nullable=False, min=1, max=LEADING_TOP),
        C(
            "industry_code",
            "VARCHAR",
            "SSDSE-A item suffix of the industry (32 農業，林業 … 52 サービス業)",
            nullable=False,
        ),
        C("industry", "VARCHAR", "Industry (大分類)", nullable=False),
        C("specialization", "DOUBLE", "Specialization coefficient (employees; Japan = 1)", min=0),
        C(
            "employees_share_pct",
            "DOUBLE",
            "The industry's share of the municipality's private employees (%)",
            min=0,
            max=100,
        ),
    ),
    key=("muni_code", "year", "rank"),
)

ISSUES = Table(
    name="out_diagnosis__priority_issues",
    description=(
        "Each municipality's priority issues: its weakest indicators by oriented 偏差値 (level) and by change "
        "(trend) in each indicator's latest data year, at most 3 per family, ranked by the rule of "
        "docs/methods/priority.md, with the evidence."
    ),
    columns=(
        field("muni_code"),
        C("rank", "INTEGER", "1 = most pressing", nullable=False, min=1),
        C("family", "VARCHAR", "Indicator family", nullable=False),
        C("family_rank", "INTEGER", "Rank within the family", nullable=False, min=1),
        field("indicator_id"),
        field("year", "Data year of the evidence"),
        C("basis", "VARCHAR", "level, trend or level_and_trend", nullable=False),
        C("priority_score", "DOUBLE", "Score of the ranking rule (docs/methods/priority.md)", min=0),
        C("value", "DOUBLE", "The municipality's value"),
        C("unit", "VARCHAR", "Unit"),
        C("national_value", "DOUBLE", "Japan's value"),
        C("prefecture_value", "DOUBLE", "The prefecture's value"),
        C("peer_mean", "DOUBLE", "Mean of the 類似団体 group"),
        C("oriented_japan", "DOUBLE", "Oriented 偏差値 over Japan (higher = better)"),
        C("oriented_peer", "DOUBLE", "Oriented 偏差値 within the peer group"),
        C("previous_year", "INTEGER", "Previous data year"),
        C("change", "DOUBLE", "Change since previous_year"),
        C("oriented_change_score", "DOUBLE", "Oriented 偏差値 of the change"),
        C("sources", "VARCHAR", "Source ids of the indicator"),
    ),
    key=("muni_code", "rank"),
)

TABLES = (REGISTRY, VALUES, COMPARISONS, LEADING, ISSUES)
VALUE_SCHEMA = {"muni_code": pl.Utf8, "year": pl.Int32, "numerator": pl.Float64, "denominator": pl.Float64}


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
