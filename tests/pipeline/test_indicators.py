"""The indicators step on the built warehouse: registry size and metadata, coverage, the CATALOG figures through the
indicators, comparisons, leading industries, priority issues, docs/indicators.md current, failure modes."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from sousei.domain.indicators.docs import render_markdown
from sousei.domain.indicators.model import Indicator
from sousei.domain.indicators.registry import RegistryError, indicators, validate
from sousei.pipeline.derived.indicators import DEPENDS, PRODUCERS, needed_tables, run_queries
from sousei.pipeline.errors import BuildError

MY_FAMILIES = ("population", "women_work", "economy", "living")
ROOT = Path(__file__).resolve().parents[2]


def test_registry_has_at_least_60_indicators_35_of_them_in_these_families() -> None:
    entries = indicators()
    assert len(entries) >= 60
    assert sum(i.family in MY_FAMILIES for i in entries) >= 35
    assert len({i.id for i in entries}) == len(entries)


def test_every_entry_has_metadata_and_data_for_95pct_or_a_coverage_note(wh: duckdb.DuckDBPyConnection) -> None:
    reg = wh.cursor().sql("SELECT * FROM out_indicators__registry").pl()
    assert sorted(reg["indicator_id"]) == sorted(i.id for i in indicators())
    for row in reg.iter_rows(named=True):
        for col in ("name_ja", "name_en", "unit", "direction", "formula", "sources", "tables"):
            assert row[col], f"{row['indicator_id']}: no {col}"
        assert row["last_year"] is not None, f"{row['indicator_id']} has no data"
        assert row["municipalities_latest"] >= 0.95 * 1741 or row["coverage_note"], row["indicator_id"]


def test_tables_read_are_produced_by_the_declared_dependencies() -> None:
    for table in needed_tables():
        assert PRODUCERS[table] in DEPENDS, table


@pytest.mark.parametrize(
    ("indicator_id", "year", "column", "expected"),
    [
        ("pop_total", 2020, "numerator", 126_146_099),  # census 2020 (Σ A1101)
        ("pop_total", 2015, "numerator", 127_094_745),  # census 2015
        ("living_doctors_per_10000", 2022, "numerator", 343_275),  # Σ doctors 2022
        ("women_share_of_employed_pct", 2020, "denominator", 57_643_225),  # Σ employed, census 2020
        ("living_food_access_difficulty_65plus_pct", 2020, "numerator", 9_042_736),  # MAFF 904万人
        ("living_food_access_difficulty_65plus_pct", 2020, "denominator", 35_314_481),  # Σ pop65
        ("living_hospital_beds_per_10000", 2020, "numerator", 1_503_972),  # RESAS Σ 病床数 2020
    ],
)
def test_catalog_figures_through_the_indicators(
    wh: duckdb.DuckDBPyConnection, indicator_id: str, year: int, column: str, expected: int
) -> None:
    got = wh.execute(
        f"SELECT sum({column}) FROM out_indicators__values WHERE indicator_id = ? AND year = ?", [indicator_id, year]
    ).fetchall()[0][0]
    assert got == expected


def test_sapporo_beds_and_the_national_values(wh: duckdb.DuckDBPyConnection) -> None:
    beds = wh.execute(
        "SELECT numerator FROM out_indicators__values WHERE indicator_id = 'living_hospital_beds_per_10000' "
        "AND muni_code = '01100'"
    ).fetchall()[0][0]
    assert beds == 36_720
    nat = dict(
        wh.execute(
            "SELECT DISTINCT indicator_id, national_value FROM out_indicators__comparisons WHERE year = 2020 "
            "AND indicator_id IN ('pop_total', 'living_food_access_difficulty_65plus_pct')"
        ).fetchall()
    )
    assert nat["pop_total"] == 126_146_099
    assert round(nat["living_food_access_difficulty_65plus_pct"], 1) == 25.6  # MAFF: 25.6% of people 65+


def test_specialization_is_one_for_japan_and_leading_industries_exist(wh: duckdb.DuckDBPyConnection) -> None:
    nat = wh.execute(
        "SELECT DISTINCT national_value FROM out_indicators__comparisons "
        "WHERE indicator_id LIKE 'econ_specialization_%'"
    ).fetchall()
    assert nat == [(1.0,)]
    lead = wh.execute(
        "SELECT count(DISTINCT muni_code), max(rank), min(employees_share_pct) FROM out_indicators__leading_industries "
        "WHERE year = 2021"
    ).fetchall()[0]
    assert lead[0] >= 1735 and lead[1] == 3 and lead[2] >= 3.0


def test_comparisons_cover_every_value_and_deviation_scores_are_standardised(wh: duckdb.DuckDBPyConnection) -> None:
    n_values, n_comp = wh.execute(
        "SELECT (SELECT count(*) FROM out_indicators__values WHERE value IS NOT NULL AND isfinite(value)), "
        "(SELECT count(*) FROM out_indicators__comparisons)"
    ).fetchall()[0]
    assert n_values == n_comp
    worst = wh.execute(
        "SELECT max(abs(m - 50)) FROM (SELECT avg(deviation_japan) AS m FROM out_indicators__comparisons GROUP BY "
        "indicator_id, year)"
    ).fetchall()[0][0]
    assert worst < 1e-6


def test_priority_issues_are_flagged_and_evidenced(wh: duckdb.DuckDBPyConnection) -> None:
    issues = wh.cursor().sql("SELECT * FROM out_diagnosis__priority_issues").pl()
    assert issues["muni_code"].n_unique() >= 1700
    assert issues.filter(pl.col("family_rank") > 3).height == 0
    assert issues.filter((pl.col("oriented_japan") >= 45) & (pl.col("oriented_change_score") >= 40)).height == 0
    assert issues["national_value"].null_count() < issues.height * 0.05
    per_muni = issues.group_by("muni_code").agg(pl.col("rank").max() == pl.len())
    assert per_muni["rank"].all()


def test_docs_indicators_md_is_current() -> None:
    text = (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    assert text == render_markdown(), "regenerate: python -m sousei.domain.indicators.docs"


def test_duplicate_ids_are_refused() -> None:
    first = indicators()[0]
    with pytest.raises(RegistryError, match="two indicators"):
        validate((first, first))


def _entry(query: str) -> Indicator:
    return Indicator(
        id="t", name_ja="t", name_en="t", unit="%", family="living", direction="neutral", sources=("s",),
        formula="t", query=query,
    )  # fmt: skip


def test_unknown_codes_and_duplicate_rows_stop_the_build() -> None:
    frames = {"core_x__y": pl.DataFrame({"muni_code": ["01100", "99999"], "v": [1.0, 2.0]})}
    with pytest.raises(BuildError, match="not 2020 municipalities"):
        run_queries(frames, {"01100"}, (_entry("SELECT muni_code, 2020 AS year, v AS numerator, 1 AS denominator "
                                                "FROM core_x__y"),))  # fmt: skip
    frames = {"core_x__y": pl.DataFrame({"muni_code": ["01100", "01100"], "v": [1.0, 2.0]})}
    with pytest.raises(BuildError, match="appear twice"):
        run_queries(frames, {"01100"}, (_entry("SELECT muni_code, 2020 AS year, v AS numerator, 1 AS denominator "
                                                "FROM core_x__y"),))  # fmt: skip
    with pytest.raises(BuildError, match="lacks columns"):
        run_queries(frames, {"01100"}, (_entry("SELECT muni_code FROM core_x__y"),))
