"""Unmarried rates 2025, income per taxpayer and food access on the built warehouse (CATALOG check figures)."""

from __future__ import annotations

import duckdb
import pytest

from sousei.pipeline.errors import BuildError
from sousei.pipeline.sources.food_access import parse_food_access
from sousei.pipeline.sources.income import parse_income, read_income_json
from sousei.pipeline.sources.unmarried_2025 import parse_unmarried

# --- unmarried rates, census 2025 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sex", "age", "expected"),
    [
        ("male", "25-29", 77.08),
        ("male", "30-34", 53.80),
        ("male", "35-39", 41.74),
        ("female", "25-29", 68.93),
        ("female", "30-34", 41.92),
        ("female", "35-39", 29.75),
    ],
)
def test_unmarried_japan(wh: duckdb.DuckDBPyConnection, sex: str, age: str, expected: float) -> None:
    # CATALOG prints per cent with 2 decimals; the file has 5.
    value = wh.execute(
        "SELECT unmarried_pct FROM core_census2025__unmarried_rate "
        "WHERE area_code = '00000' AND area_level = 'japan' AND sex = ? AND age_group = ?",
        [sex, age],
    ).fetchone()[0]
    assert round(value, 2) == expected


def test_unmarried_levels_and_gap(wh: duckdb.DuckDBPyConnection) -> None:
    areas = dict(
        wh.execute(
            "SELECT area_level, count(DISTINCT area_code) FROM core_census2025__unmarried_rate GROUP BY 1"
        ).fetchall()
    )
    # 浜松市 has 3 wards since 2024 (7 in 2020): 175 − 7 + 3 = 171 wards; CATALOG counts 172 with 13100 apart.
    assert areas == {"japan": 1, "prefecture": 47, "municipality": 1741, "ward": 171, "special_wards": 1}
    missing = wh.execute(
        "SELECT area_code, sex, age_group, unmarried_pct_status FROM core_census2025__unmarried_rate "
        "WHERE unmarried_pct IS NULL"
    ).fetchall()
    assert missing == [("47356", "female", "30-34", "missing")]


def test_unmarried_parser_refuses_unknown() -> None:
    header = "code5,sex,age,unmarried_rate_pct\n"
    with pytest.raises(BuildError, match="no known area"):
        parse_unmarried(header + "99999,male,25-29,50.0\n", {"01100"}, set())
    with pytest.raises(BuildError, match="not the pinned gap"):
        parse_unmarried(header + "01100,male,25-29,\n", {"01100"}, set())
    with pytest.raises(BuildError, match="sex"):
        parse_unmarried(header + "01100,both,25-29,1\n", {"01100"}, set())


# --- income per taxpayer -------------------------------------------------------------------------------------------


def test_income_highest_is_minato(wh: duckdb.DuckDBPyConnection) -> None:
    code, yen, fy = wh.execute(
        "SELECT muni_code, income_per_taxpayer_yen, fiscal_year FROM core_income__income_per_taxpayer "
        "ORDER BY income_per_taxpayer_yen DESC LIMIT 1"
    ).fetchone()
    # CATALOG: 13103 港区 11,69x,xxx yen (highest).
    assert code == "13103"
    assert yen // 10_000 == 1169
    assert fy == 2024


def test_income_median(wh: duckdb.DuckDBPyConnection) -> None:
    # CATALOG: "median about 3.15 million yen" — that is the median of all 1,916 published rows (wards carry their
    # city's value); over the 1,741 municipalities alone it is about 3.11 million.
    published = wh.execute("SELECT median(income_per_taxpayer_yen) FROM raw_income__income_per_taxpayer").fetchone()[0]
    assert round(published / 1e6, 2) == 3.15
    munis = wh.execute("SELECT median(income_per_taxpayer_yen) FROM core_income__income_per_taxpayer").fetchone()[0]
    assert round(munis / 1e6, 2) == 3.11


def test_income_rows(wh: duckdb.DuckDBPyConnection) -> None:
    levels = dict(wh.execute("SELECT area_level, count(*) FROM raw_income__income_per_taxpayer GROUP BY 1").fetchall())
    assert levels == {"municipality": 1741, "ward": 175}  # CATALOG coverage
    assert wh.execute("SELECT count(*) FROM core_income__income_per_taxpayer").fetchone() == (1741,)


def test_income_parser() -> None:
    data = read_income_json('{"01100": 3491591, "01101": 3491591}')
    df = parse_income(data, {"01100"}, {"01101": "01100"})
    assert df.select("area_level", "parent_code").rows() == [("municipality", None), ("ward", "01100")]
    with pytest.raises(BuildError, match="neither"):
        parse_income({"99999": 1}, {"01100"}, {})
    with pytest.raises(BuildError, match="positive integer"):
        read_income_json('{"01100": "3,491,591"}')


# --- food access 2020 ----------------------------------------------------------------------------------------------


def test_food_access_sums(wh: duckdb.DuckDBPyConnection) -> None:
    # CATALOG: Σ difficulty population = 9,042,736; Σ pop65 = 35,314,481.
    assert wh.execute(
        "SELECT sum(difficulty_persons), sum(pop65_persons), count(*) FROM core_food_access__difficulty_2020"
    ).fetchone() == (9_042_736, 35_314_481, 1740)
    missing = wh.execute(
        "SELECT muni_code FROM core_areas__municipalities "
        "EXCEPT SELECT muni_code FROM core_food_access__difficulty_2020"
    ).fetchall()
    assert missing == [("07546",)]  # 双葉町 (pinned)


def test_food_access_parser() -> None:
    header = "code,pop65_census2020_mesh,maff_difficulty_ratio_65plus,maff_difficulty_pop_65plus\n"
    df = parse_food_access(header + "01367,973,0.4681,467\n")
    assert df.row(0) == ("01367", 973, 46.81, 467)
    with pytest.raises(BuildError, match="header"):
        parse_food_access("code,pop65,ratio,persons\n01367,973,0.4681,467\n")
    with pytest.raises(BuildError, match="not a number"):
        parse_food_access(header + "01367,973,-,467\n")
