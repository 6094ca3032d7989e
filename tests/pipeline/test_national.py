"""National series: the CATALOG.yaml check figures, cross-checks between files, life-table derivation."""

from __future__ import annotations

import pytest
from tests.helpers import assert_checks_pass, checks_text, one

from sousei.pipeline.sources import ipss_2018, national, national_jlstat


@pytest.fixture(scope="module")
def national_checks(catalog: dict) -> str:
    return checks_text(catalog, "national_series")


@pytest.mark.parametrize(("year", "figure"), [(2022, "1.26"), (2005, "1.26"), (1947, "4.54")])
def test_tfr(wh, national_checks, year, figure):
    assert f"{year} = {figure}" in national_checks
    assert one(wh, f"SELECT tfr FROM {national.VITAL.name} WHERE year = ?", year) == float(figure)


def test_vital_years(wh):
    years = {r[0] for r in wh.execute(f"SELECT year FROM {national.VITAL.name}").fetchall()}
    assert min(years) == 1899 and max(years) == 2022
    assert set(range(1899, 2023)) - years == {1944, 1945, 1946}


def test_census_2020_total(wh, national_checks):
    assert "census 2020 total 126,146,099" in national_checks
    table = national_jlstat.CENSUS_TOTAL.name
    assert one(wh, f"SELECT persons FROM {table} WHERE census_year = 2020 AND area_code = '00000'") == 126_146_099
    assert one(wh, f"SELECT sum(persons) FROM {table} WHERE census_year = 2020 AND pref_code IS NOT NULL") == (
        126_146_099
    )
    assert_checks_pass(wh, national_jlstat.CENSUS_TOTAL)  # Σ prefectures = Japan (1960 pinned)
    assert one(wh, f"SELECT persons_status FROM {table} WHERE census_year = 1945 AND pref_code = '47'") == "NA"


def test_jpopl_2020_sum(wh, national_checks):
    assert "fmsb_Jpopl 2020 sum 123,214,261" in national_checks
    sql = f"SELECT sum(persons) FROM {national.POPULATION.name} WHERE year = 2020 AND nationality = 'total'"
    assert one(wh, sql) == 123_214_261
    # the census pyramid excludes age 不詳 too and agrees
    sql = f"SELECT sum(persons) FROM {national_jlstat.CENSUS_PYRAMID.name} WHERE census_year = 2020"
    assert one(wh, sql) == 123_214_261


def test_population_tables_agree(wh):
    # Jpop (85+) = Jpopl summed to 85+, except the pinned cells; pyramid 85+ relabelled until 2000
    assert_checks_pass(wh, national.POPULATION_85)
    assert_checks_pass(wh, national_jlstat.CENSUS_PYRAMID)
    groups = {r[0] for r in wh.execute(f"SELECT age_group FROM {national_jlstat.CENSUS_PYRAMID.name} "
                                       "WHERE census_year = 2000").fetchall()}  # fmt: skip
    assert "85+" in groups and "85-89" not in groups
    top = wh.execute(f"SELECT age_group FROM {national.POPULATION.name} WHERE year = 1990 AND sex = 'male' "
                     "ORDER BY age_start DESC LIMIT 1").fetchone()[0]  # fmt: skip
    assert top == "100+"


@pytest.mark.parametrize(("year", "thousand"), [(2050, "101,923"), (2065, "88,077")])
def test_ipss2017_medium(wh, national_checks, year, thousand):
    assert f"{thousand} thousand" in national_checks or f"{year} {thousand}" in national_checks
    sql = (f"SELECT total_persons FROM {national_jlstat.PROJ_TOTAL.name} WHERE year = ? "
           "AND fertility_variant = 'medium' AND mortality_variant = 'medium'")  # fmt: skip
    assert round(one(wh, sql, year) / 1000) == int(thousand.replace(",", ""))
    assert one(wh, f"SELECT count(*) FROM {national_jlstat.PROJ_TOTAL.name} WHERE year = ?", year) == 9
    assert_checks_pass(wh, national_jlstat.PROJ_PYRAMID)


def test_ipss2018_prefecture_totals_agree(wh):
    rows = wh.execute(f"""
        SELECT j.pref_code, j.year, j.total_persons, t.total_persons
        FROM {national_jlstat.PREF_PROJ.name} j
        FULL JOIN (SELECT substr(area_code, 1, 2) AS pref_code, year, total_persons FROM {ipss_2018.TOTAL.name}
                   WHERE area_level = 'prefecture') t USING (pref_code, year)
        WHERE j.total_persons IS DISTINCT FROM t.total_persons""").fetchall()
    assert rows == []


def test_life_table_2020_matches_official_e0(wh):
    # 第23回完全生命表 (2020): e0 males 81.56, females 87.71 — the derived table reproduces them
    sql = f"SELECT ex FROM {national.LIFE.name} WHERE life_table_year = 2020 AND sex = ? AND age_start = 0"
    assert round(one(wh, sql, "male"), 2) == 81.56
    assert round(one(wh, sql, "female"), 2) == 87.71


def test_survival_ratios(wh):
    table = national.SURVIVAL.name
    assert one(wh, f"SELECT count(DISTINCT life_table_year) FROM {table}") == 22
    # open-group ratio equals the weighted ratios of its parts: T(90)/T(85) = (5L85·s(85-89) + T90·s(90+)) / T85
    row = wh.execute(f"""
        SELECT max(CASE WHEN from_age_group = '85+' THEN survival_ratio END),
               max(CASE WHEN from_age_group = '90+' THEN survival_ratio END)
        FROM {table} WHERE life_table_year = 2020 AND sex = 'female'""").fetchone()
    t = dict(wh.execute(f"SELECT age_start, tx FROM {national.LIFE.name} WHERE life_table_year = 2020 "
                        "AND sex = 'female'").fetchall())  # fmt: skip
    assert row[0] == pytest.approx(t[90] / t[85])
    assert row[1] == pytest.approx(t[95] / t[90])


def test_compute_life_table_constant_hazard():
    qx = [0.1, 0.2, 0.5]
    out = national.compute_life_table("female", qx)
    assert out["lx"] == pytest.approx([100_000, 90_000, 72_000])
    assert out["nlx"][1] == pytest.approx(81_000)  # (90,000 + 72,000) / 2
    assert out["nlx"][2] == pytest.approx(72_000 / 0.6931471805599453)  # l2 / −ln(0.5)
    assert out["ex"][0] == pytest.approx(out["tx"][0] / 100_000)
