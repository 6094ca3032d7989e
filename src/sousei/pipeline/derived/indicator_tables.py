"""The tables of the indicators step (sousei.pipeline.derived.indicators): out_indicators__registry, __values,
__comparisons, __leading_industries and out_diagnosis__priority_issues, their columns and build checks."""

from __future__ import annotations

import dataclasses

import polars as pl

from sousei.domain.diagnosis import EVIDENCE_COLUMNS
from sousei.domain.scores import SCORE_MAX, SCORE_MIN
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Coverage, SqlCheck, Table

# Leading industries: the industries with the highest employee specialization coefficient among those employing at
# least this share of the municipality's private employees (a tiny industry with a high coefficient is not leading).
LEADING_MIN_SHARE = 0.03
LEADING_TOP = 3
DATA_YEAR = field("year", "Data year (calendar, fiscal or census year, as the entry's formula says)")


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


def _evidence(name: str) -> C:
    """A priority issue's evidence: the comparison's column of that name, nullable (an issue of level alone may have
    no previous year, hence no change)."""
    return dataclasses.replace(COMPARISONS.column(name), nullable=True)


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
        _evidence("value"),
        C("unit", "VARCHAR", "Unit"),
        *map(_evidence, EVIDENCE_COLUMNS),
        C("sources", "VARCHAR", "Source ids of the indicator"),
    ),
    key=("muni_code", "rank"),
)

TABLES = (REGISTRY, VALUES, COMPARISONS, LEADING, ISSUES)
VALUE_SCHEMA = {"muni_code": pl.Utf8, "year": pl.Int32, "numerator": pl.Float64, "denominator": pl.Float64}
