"""Census population tables: the CATALOG.yaml check figures, the invariants, the pinned anomalies, failure modes."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import duckdb
import polars as pl
import pytest
from tests.helpers import num, one

from sousei.pipeline.context import StepContext
from sousei.pipeline.errors import BuildError
from sousei.pipeline.sources import census_1980_2015, census_2015_table00100, census_2020, census_population

RAW20 = census_2020.POPULATION.name
TOT20 = census_2020.TOTAL.name
RAW80 = census_1980_2015.POPULATION.name
TOT80 = census_1980_2015.TOTAL.name
CORE = census_population.POPULATION.name
UNKNOWN = census_population.UNKNOWN.name
SUMMARY = census_2015_table00100.TABLE.name


# --- census 2020 (table 2-7-1) -------------------------------------------------------------------------------------


def test_2020_catalog_figures(wh: duckdb.DuckDBPyConnection, catalog: dict) -> None:
    checks = catalog["census_2020_sex_age5"]["checks"]
    assert "Japan 126,146,099 (男 61,349,581 / 女 64,796,518)" in checks
    expected = {
        ("00000", "total"): num("126,146,099"),
        ("00000", "male"): num("61,349,581"),
        ("00000", "female"): num("64,796,518"),
        ("01100", "total"): num("1,973,395"),
        ("13100", "total"): num("9,733,276"),
        ("14100", "total"): num("3,777,491"),
        ("13000", "total"): num("14,047,594"),
    }
    for (code, sex), persons in expected.items():
        assert one(wh, f"SELECT persons FROM {TOT20} WHERE area_code = ? AND sex = ?", code, sex) == persons


def test_2020_sapporo_is_its_ten_wards_and_13100_its_23_wards(wh: duckdb.DuckDBPyConnection) -> None:
    wards = wh.execute(
        f"SELECT count(*), sum(persons) FROM {TOT20} WHERE level = 'ward' AND parent_code = '01100' AND sex = 'total'"
    ).fetchone()
    assert wards == (10, 1973395)
    special = wh.execute(
        f"SELECT count(*), sum(persons) FROM {TOT20} WHERE area_code BETWEEN '13101' AND '13123' AND sex = 'total'"
        " AND level = 'municipality'"
    ).fetchone()
    assert special == (23, 9733276)


def test_2020_municipalities_sum_to_japan(wh: duckdb.DuckDBPyConnection) -> None:
    rows = wh.execute(
        f"""SELECT sex, count(*), sum(persons) FROM {TOT20} WHERE level = 'municipality' GROUP BY sex ORDER BY sex"""
    ).fetchall()
    assert rows == [("female", 1741, 64796518), ("male", 1741, 61349581), ("total", 1741, 126146099)]
    by_age = wh.execute(
        f"""SELECT p.age_group, p.sex, sum(p.persons) FILTER (a.level = 'municipality') = any_value(p.persons)
                   FILTER (p.area_code = '00000')
            FROM {RAW20} p JOIN {TOT20} a USING (area_code, sex) GROUP BY ALL"""
    ).fetchall()
    assert len(by_age) == 3 * 22 and all(ok for _, _, ok in by_age)


def test_2020_ages_sum_to_total_and_male_plus_female(wh: duckdb.DuckDBPyConnection) -> None:
    off = one(
        wh,
        f"""SELECT count(*) FROM (SELECT t.area_code, t.sex FROM {TOT20} t JOIN {RAW20} p USING (area_code, sex)
            GROUP BY ALL HAVING coalesce(any_value(t.persons), 0) <> coalesce(sum(p.persons), 0))""",
    )
    assert off == 0
    mf = one(
        wh,
        f"""SELECT count(*) FROM (SELECT area_code, age_group FROM {RAW20} GROUP BY ALL
            HAVING coalesce(sum(persons) FILTER (sex = 'total'), 0)
                   <> coalesce(sum(persons) FILTER (sex <> 'total'), 0))""",
    )
    assert mf == 0
    # Every area has 3 sexes × 22 age groups, and the area counts are those the CATALOG lists.
    levels = dict(wh.execute(f"SELECT level, count(DISTINCT area_code) FROM {TOT20} GROUP BY level").fetchall())
    assert levels == {"country": 1, "prefecture": 47, "municipality": 1741, "ward": 175, "special_wards": 1}
    assert one(wh, f"SELECT count(*) FROM {RAW20}") == 1965 * 3 * 22


def test_2020_unknown_age_and_futaba(wh: duckdb.DuckDBPyConnection, catalog: dict) -> None:
    assert "2,931,838 people (2.3%) have age 不詳" in catalog["census_2020_sex_age5"]["caveat"]
    unknown = f"SELECT persons FROM {RAW20} WHERE area_code = '00000' AND sex = 'total' AND age_group = 'unknown'"
    assert one(wh, unknown) == 2931838
    # 2020: 07546 双葉町 has no residents (evacuation order); the table prints '-' in all its cells.
    futaba = wh.execute(f"SELECT count(*), count(persons), min(persons_status) FROM {TOT20} WHERE area_code = '07546'")
    assert futaba.fetchone() == (3, 0, "-")
    assert one(wh, f"SELECT count(*) FROM {TOT20} WHERE persons IS NULL") == 3


def test_2020_drops_the_2121_areas_of_2000(data_dir: Path) -> None:
    ctx = StepContext(census_2020.STEP, data_dir, lambda name: pl.DataFrame())
    raw = census_2020.read_table_2_7_1(ctx)
    old = raw.filter(pl.col("c9").str.starts_with("（旧："))
    assert old["c8"].n_unique() == 2121 and old.height == 6363
    assert census_2020.OLD_AREAS == 2121


# --- census 1980–2015 (zip of JSON) ---------------------------------------------------------------------------------


def test_1980_2015_catalog_figures(wh: duckdb.DuckDBPyConnection, catalog: dict) -> None:
    checks = catalog["census_1980_2015_sex_age5"]["checks"]
    expected = {1985: "121,048,923", 1990: "123,611,167", 1995: "125,570,246", 2000: "126,925,843",
                2005: "127,767,994", 2010: "128,057,352", 2015: "127,094,745", 1980: "117,060,359"}  # fmt: skip
    for year, figure in expected.items():
        assert f"{year} {figure}" in checks
        total = one(wh, f"SELECT sum(persons) FROM {TOT80} WHERE census_year = ? AND sex = 'total'", year)
        assert total == num(figure)
        assert one(wh, f"SELECT count(*) FROM {TOT80} WHERE census_year = ? AND sex = 'total'", year) == 1741
    assert "男 61,841,738 / 女 65,253,007" in checks
    by_sex = dict(wh.execute(f"SELECT sex, sum(persons) FROM {TOT80} WHERE census_year = 2015 GROUP BY sex").fetchall())
    assert by_sex == {"total": 127094745, "male": 61841738, "female": 65253007}


def test_1980_2015_ages_sum_and_pinned_anomalies(wh: duckdb.DuckDBPyConnection) -> None:
    off = one(
        wh,
        f"""SELECT count(*) FROM (SELECT muni_code_2015, census_year, sex FROM {RAW80} p JOIN {TOT80} t
            USING (muni_code_2015, census_year, sex) GROUP BY ALL HAVING any_value(t.persons) <> sum(p.persons))""",
    )
    assert off == 0
    # M+F ≠ 総数 by ±1 in 60 cells (CATALOG caveat): age groups and the all-ages series together.
    diffs = wh.execute(
        f"""WITH cells AS (SELECT muni_code_2015, census_year, age_group, sex, persons FROM {RAW80}
                           UNION ALL SELECT muni_code_2015, census_year, 'all', sex, persons FROM {TOT80})
            SELECT sum(persons) FILTER (sex <> 'total') - sum(persons) FILTER (sex = 'total') AS d
            FROM cells GROUP BY muni_code_2015, census_year, age_group HAVING d <> 0"""
    ).fetchall()
    assert len(diffs) == 60 and {abs(d) for (d,) in diffs} == {1}
    zero = wh.execute(
        f"SELECT muni_code_2015 FROM {TOT80} WHERE census_year = 2015 AND sex = 'total' AND persons = 0 ORDER BY 1"
    ).fetchall()
    assert [c for (c,) in zero] == ["07543", "07545", "07546", "07547"]
    # 2000: 13381 三宅村 was evacuated (eruption of 三宅島); no other round has a municipality at 0.
    zeros = f"SELECT DISTINCT muni_code_2015, census_year FROM {TOT80} WHERE persons = 0 ORDER BY 1, 2"
    assert wh.execute(zeros).fetchall() == [("07543", 2015), ("07545", 2015), ("07546", 2015), ("07547", 2015),
                                           ("13381", 2000)]  # fmt: skip


# --- table 00100 (2015) ---------------------------------------------------------------------------------------------


def test_2015_table00100(wh: duckdb.DuckDBPyConnection, catalog: dict) -> None:
    assert catalog["census_2015_table00100"]["checks"] == "Japan 127,094,745"
    assert one(wh, f"SELECT population_2015_persons FROM {SUMMARY} WHERE area_code = '00000'") == 127094745
    assert one(wh, f"SELECT sum(population_2015_persons) FROM {SUMMARY} WHERE level = 'municipality'") == 127094745
    levels = dict(wh.execute(f"SELECT level, count(*) FROM {SUMMARY} GROUP BY level").fetchall())
    assert levels == {"country": 1, "prefecture": 47, "municipality": 1741, "ward": 175}
    recoded = wh.execute(
        f"SELECT area_code_2015, area_code FROM {SUMMARY} WHERE area_code <> area_code_2015 ORDER BY 1"
    )
    assert recoded.fetchall() == [("04423", "04216"), ("40305", "40231")]
    # Every municipality of 2015 on 2020 codes is a municipality of the 2020 census.
    assert (
        one(
            wh,
            f"""SELECT count(*) FROM {SUMMARY} s JOIN {TOT20} t ON t.area_code = s.area_code
                       AND t.sex = 'total' AND t.level = 'municipality' WHERE s.level = 'municipality'""",
        )
        == 1741
    )


# --- core: 1980–2020 on 2020 municipalities, 不詳 allocated -----------------------------------------------------------


def test_core_national_totals_reproduce_the_catalog(wh: duckdb.DuckDBPyConnection) -> None:
    rows = dict(
        wh.execute(
            f"SELECT census_year, round(sum(persons)) FROM {CORE} GROUP BY census_year ORDER BY census_year"
        ).fetchall()
    )
    assert rows == {1980: 117060359, 1985: 121048923, 1990: 123611167, 1995: 125570246, 2000: 126925843,
                    2005: 127767994, 2010: 128057352, 2015: 127094745, 2020: 126146099}  # fmt: skip
    by_sex = dict(
        wh.execute(f"SELECT sex, round(sum(persons)) FROM {CORE} WHERE census_year = 2020 GROUP BY sex").fetchall()
    )
    assert by_sex == {"male": 61349581, "female": 64796518}


def test_core_shape_and_coverage(wh: duckdb.DuckDBPyConnection) -> None:
    groups = [
        g
        for (g,) in wh.execute(
            f"SELECT DISTINCT age_group FROM {CORE} ORDER BY min(age_start) OVER (PARTITION BY age_group)"
        ).fetchall()
    ]  # noqa: E501
    assert groups == [f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"]
    assert "unknown" not in groups
    per_year = wh.execute(
        f"SELECT census_year, count(DISTINCT muni_code), count(*) FROM {CORE} GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert per_year == [(y, 1741, 1741 * 2 * 19) for y in range(1980, 2021, 5)]
    muni_2020 = f"SELECT area_code FROM {TOT20} WHERE level = 'municipality'"
    assert one(wh, f"SELECT count(*) FROM {CORE} WHERE muni_code NOT IN ({muni_2020})") == 0
    assert one(wh, f"SELECT count(*) FROM {CORE} WHERE muni_code IN ('04423', '40305')") == 0
    assert one(wh, f"SELECT count(*) FROM {CORE} WHERE muni_code IN ('04216', '40231') AND census_year = 1980") == 76


def test_core_allocation_preserves_totals(wh: duckdb.DuckDBPyConnection) -> None:
    worst = one(
        wh,
        f"""SELECT max(abs(allocated - published)) FROM (
              SELECT sum(p.persons) AS allocated,
                     sum(coalesce(p.persons_original, 0)) + coalesce(any_value(u.persons), 0) AS published
              FROM {CORE} p JOIN {UNKNOWN} u USING (muni_code, census_year, sex) GROUP BY p.muni_code, p.census_year,
              p.sex)""",
    )
    assert worst < 1e-6
    # The allocation scales every known age of a group by the same factor (proportional), never below the original.
    spread = one(
        wh,
        f"""SELECT max(hi - lo) FROM (SELECT max(persons / persons_original) AS hi, min(persons / persons_original)
            AS lo FROM {CORE} WHERE persons_original > 0 GROUP BY muni_code, census_year, sex)""",
    )
    assert spread < 1e-9
    assert one(wh, f"SELECT count(*) FROM {CORE} WHERE persons < coalesce(persons_original, 0) - 1e-9") == 0
    assert one(wh, f"SELECT sum(persons) FROM {UNKNOWN} WHERE census_year = 2020") == 2931838


def test_core_2020_90_plus_is_the_three_top_groups(wh: duckdb.DuckDBPyConnection) -> None:
    off = one(
        wh,
        f"""SELECT count(*) FROM {CORE} c JOIN (
              SELECT area_code, sex, sum(persons) AS top FROM {RAW20}
              WHERE age_group IN ('90-94', '95-99', '100+') GROUP BY ALL) r
              ON r.area_code = c.muni_code AND r.sex = c.sex
            WHERE c.census_year = 2020 AND c.age_group = '90+' AND c.persons_original IS DISTINCT FROM r.top""",
    )
    assert off == 0


# --- units: allocation and failure modes ----------------------------------------------------------------------------


def test_allocate_unknown_age_unit() -> None:
    df = pl.DataFrame(
        {
            "muni_code": ["01100"] * 3 + ["07546"] * 2,
            "census_year": [2020] * 5,
            "sex": ["male"] * 5,
            "age_group": ["0-4", "5-9", "unknown", "0-4", "unknown"],
            "persons": [30, 10, 8, None, None],
        }
    )
    by_age, unknown = census_population.allocate_unknown_age(df)
    got = dict(zip(by_age["age_group"] + by_age["muni_code"], by_age["persons"], strict=True))
    assert got == {"0-401100": 36.0, "5-901100": 12.0, "0-407546": 0.0}
    assert unknown.height == 2
    assert census_population.unallocatable(df).height == 0
    stuck = df.with_columns(pl.when(pl.col("muni_code") == "07546").then(5).otherwise("persons").alias("persons"))
    stuck = stuck.with_columns(
        pl.when((pl.col("muni_code") == "07546") & (pl.col("age_group") == "0-4")).then(0).otherwise("persons")
        .alias("persons")
    )  # fmt: skip
    assert census_population.unallocatable(stuck)["muni_code"].to_list() == ["07546"]


def _bundle_copy(data_dir: Path, tmp_path: Path, rel: str, edit) -> Path:  # type: ignore[no-untyped-def]
    """A temporary bundle holding one edited file (the repository never holds bundle data)."""
    target = tmp_path / rel
    target.parent.mkdir(parents=True)
    if edit is None:
        shutil.copy(data_dir / rel, target)
    else:
        raw = (data_dir / rel).read_bytes()
        target.write_bytes(edit(raw))
    return tmp_path


def test_2020_changed_header_stops(data_dir: Path, tmp_path: Path) -> None:
    bundle = _bundle_copy(
        data_dir, tmp_path, census_2020.FILE, lambda b: b.replace("85～89歳".encode(), "85歳以上".encode(), 1)
    )
    ctx = StepContext(census_2020.STEP, bundle, lambda name: pl.DataFrame())
    with pytest.raises(BuildError, match=r"\[header\].*population_census_2020.csv"):
        census_2020.parse_census_2020(ctx)


def test_2020_bad_number_names_line_and_column(data_dir: Path, tmp_path: Path) -> None:
    bundle = _bundle_copy(
        data_dir, tmp_path, census_2020.FILE,
        lambda b: b.replace('"札幌市","","1,973,395","65,592"'.encode(), '"札幌市","","1,973,395","6S,592"'.encode()),
    )  # fmt: skip
    ctx = StepContext(census_2020.STEP, bundle, lambda name: pl.DataFrame())
    with pytest.raises(BuildError, match=r"\[number\].*line 14, column 0～4歳.*'6S,592'"):
        census_2020.parse_census_2020(ctx)


def test_2020_ages_not_summing_stops(data_dir: Path, tmp_path: Path) -> None:
    bundle = _bundle_copy(
        data_dir, tmp_path, census_2020.FILE,
        lambda b: b.replace('"札幌市","","1,973,395","65,592"'.encode(), '"札幌市","","1,973,395","65,593"'.encode()),
    )  # fmt: skip
    ctx = StepContext(census_2020.STEP, bundle, lambda name: pl.DataFrame())
    with pytest.raises(BuildError, match=r"\[ages-sum-to-total\].*line 14 \(01100\)"):
        census_2020.parse_census_2020(ctx)


def test_1980_2015_renamed_series_names_the_file(data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / census_1980_2015.FILE
    target.parent.mkdir(parents=True)
    with zipfile.ZipFile(data_dir / census_1980_2015.FILE) as src, zipfile.ZipFile(target, "w") as dst:
        for name in src.namelist():
            body = src.read(name)
            if name == "CityF/pd01100.json":
                body = body.replace("85～89歳以上".encode(), "85歳以上".encode())
            dst.writestr(name, body)
    ctx = StepContext(census_1980_2015.STEP, tmp_path, lambda name: pl.DataFrame())
    with pytest.raises(BuildError, match=r"\[series\].*at CityF/pd01100.json"):
        census_1980_2015.parse_census_1980_2015(ctx)
