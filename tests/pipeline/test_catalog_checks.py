"""Audit of issue 2, item 6: every CATALOG.yaml check figure has a test; structural checks of the municipal tables.

1. `FIGURES` maps every figure printed under `checks:` in CATALOG.yaml to the test that reproduces it exactly (or to
   the reason it cannot be reproduced from the bundle). A test reads the CATALOG and fails when a figure is added
   there without a test here, or when a named test disappears.
2. The figures no other test reproduced are reproduced below, from the warehouse (or the bundle file where the
   warehouse keeps only a derived form).
3. Structural checks: every core_/raw_ table declares Coverage of the 1,741 or is listed with the reason it has none;
   no negative counts; shares within bounds — including the columns whose schema declares no bounds (pinned here).
4. Metadata: every table and column is described; every declared source is loaded with rows.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl
from tests.helpers import checks_text, num, one

from sousei.pipeline.declarations import declared_sources
from sousei.pipeline.registry import steps

TESTS = Path(__file__).parent
ME = "test_catalog_checks.py"
NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+\.\d+)(?![\d,]*\d)")

# Where each figure of CATALOG `checks` is reproduced: "file::test", or "external: why" for figures the CATALOG quotes
# from outside the bundle (official totals the files cannot contain).
FIGURES: dict[str, dict[str, str]] = {
    "census_2020_sex_age5": {
        "126,146,099": "test_census.py::test_2020_catalog_figures",
        "61,349,581": "test_census.py::test_2020_catalog_figures",
        "64,796,518": "test_census.py::test_2020_catalog_figures",
        "1,973,395": "test_census.py::test_2020_sapporo_is_its_ten_wards_and_13100_its_23_wards",
        "9,733,276": "test_census.py::test_2020_sapporo_is_its_ten_wards_and_13100_its_23_wards",
        "3,777,491": "test_census.py::test_2020_catalog_figures",
        "14,047,594": "test_census.py::test_2020_catalog_figures",
        "1,741": "test_census.py::test_2020_municipalities_sum_to_japan",
    },
    "census_1980_2015_sex_age5": {
        **dict.fromkeys(
            [
                "121,048,923",
                "123,611,167",
                "125,570,246",
                "126,925,843",
                "127,767,994",
                "128,057,352",
                "127,094,745",
                "61,841,738",
                "65,253,007",
                "117,060,359",
            ],
            "test_census.py::test_1980_2015_catalog_figures",
        ),  # fmt: skip
        "117,060,396": f"{ME}::test_census_1980_official_total",
    },
    "census_2015_table00100": {"127,094,745": "test_census.py::test_2015_table00100"},
    "ipss_2018_regional": {
        "127,094,745": "test_ipss.py::test_2018_japan_total",
        "106,421,185": "test_ipss.py::test_2018_japan_total",
    },
    "tfr_2018_2022": {
        "0.76": "test_tfr.py::test_published_extremes_2018_2022",
        "2.25": "test_tfr.py::test_published_extremes_2018_2022",
    },
    "ssdse_a": {
        "126,146,099": "test_ssdse_a.py::test_catalog_sums",
        "127,094,745": "test_ssdse_a.py::test_catalog_sums",
        "840,808": "test_ssdse_a.py::test_catalog_sums",
        "727,269": "test_ssdse_a.py::test_catalog_sums",
        "343,275": "test_ssdse_a.py::test_catalog_sums",
        "57,643,225": "test_ssdse_a.py::test_catalog_sums",
        "840,835": "external: 人口動態統計 births 2020 incl. unknown residence; SSDSE-A holds only municipal births",
        "727,288": "external: 人口動態統計 births 2023 incl. unknown residence; SSDSE-A holds only municipal births",
    },
    "juki_population_dynamics": {
        "127,138,033": "test_juki.py::test_2020_sjin_japan_figures",
        "62,036,028": "test_juki.py::test_2020_sjin_japan_figures",
        "65,102,005": "test_juki.py::test_2020_sjin_japan_figures",
        "884,767": "test_juki.py::test_2020_sjin_japan_figures",
        "4,783,530": "test_juki.py::test_2020_snen_japan_figures",
        "125,927,902": "test_juki.py::test_2022_japan_figure",
    },
    "ipss_2023_regional_totals": {
        "126,146,099": "test_ipss.py::test_2023_figures",
        "104,686,386": "test_ipss.py::test_2023_figures",
        "14,399,144": "test_ipss.py::test_2023_figures",
        "560,429": "test_ipss.py::test_2023_figures",
    },
    "food_access_2020": {
        "9,042,736": "test_small_sources.py::test_food_access_sums",
        "35,314,481": "test_small_sources.py::test_food_access_sums",
        "25.6": f"{ME}::test_food_access_maff_headline",
    },
    "national_series": {
        "1.26": "test_national.py::test_tfr",
        "4.54": "test_national.py::test_tfr",
        "126,146,099": "test_national.py::test_census_2020_total",
        "123,214,261": "test_national.py::test_jpopl_2020_sum",
        "101,923": "test_national.py::test_ipss2017_medium",
        "88,077": "test_national.py::test_ipss2017_medium",
    },
    "unmarried_rates_2025": dict.fromkeys(
        ["77.08", "53.80", "41.74", "68.93", "41.92", "29.75"], "test_small_sources.py::test_unmarried_japan"
    ),
    "resas_municipal_2016": {
        "288.2": "test_resas.py::test_value_added_sum_and_chiyoda",
        "30.1": "test_resas.py::test_value_added_sum_and_chiyoda",
        "1,503,972": "test_resas.py::test_hospital_beds",
        "36,720": "test_resas.py::test_hospital_beds",
        "289.5": "external: national 付加価値額 2016 (経済センサス), incl. the 246 municipalities RESAS did not serve",
        "1,507,526": "external: national 病床数 2020 (医療施設調査), incl. the 246 municipalities RESAS did not serve",
    },
    "income_per_taxpayer": {"3.15": "test_small_sources.py::test_income_median"},
    "childcare_waiting_2025": dict.fromkeys(
        ["2,254", "2,765,235", "2,072,235", "34,262"], "test_childcare.py::test_childcare_catalog_figures"
    ),
    "tokyo_area_net_migration": {
        "119,337": f"{ME}::test_tokyo_area_net_migration",
        "145,576": f"{ME}::test_tokyo_area_net_migration",
    },
}
# Figures the number pattern above does not pick up (no thousands separator, or masked digits).
OTHER_FIGURES = {
    ("food_access_2020", "904万人"): f"{ME}::test_food_access_maff_headline",
    ("income_per_taxpayer", "11,69x,xxx"): "test_small_sources.py::test_income_highest_is_minato",
    ("childcare_waiting_2025", "132"): "test_childcare.py::test_childcare_catalog_figures",
}
# The invariants the CATALOG states in words, and where they are tested.
CENSUS = "test_census.py::test_2020_"
STATEMENTS = {
    ("census_2020_sex_age5", "the 1,741 municipalities sum to Japan"): CENSUS + "municipalities_sum_to_japan",
    ("census_2020_sex_age5", "ages sum to 総数 and 男+女 = 総数 in every row"): (
        CENSUS + "ages_sum_to_total_and_male_plus_female"
    ),
    ("ipss_2018_regional", "male + female = total; ages sum to total"): f"{ME}::test_ipss2018_file_sexes_and_ages_sum",
    ("ipss_2023_regional_totals", "0–14 + 15–64 + 65+ = total in every row"): "test_ipss.py::test_2023_invariants",
    ("ipss_2023_regional_totals", "prefectures = Σ their municipalities; designated cities = Σ wards"): (
        "test_ipss.py::test_2023_invariants"
    ),
}


def _test_exists(ref: str) -> bool:
    file, name = ref.split("::")
    return re.search(rf"^def {re.escape(name)}\(", (TESTS / file).read_text(encoding="utf-8"), re.M) is not None


# --- 1. every figure has its test -----------------------------------------------------------------------------------


def test_every_catalog_figure_has_a_test(catalog: dict) -> None:
    with_checks = {sid for sid, entry in catalog.items() if entry.get("checks")}
    assert with_checks == set(FIGURES), "a source gained or lost its `checks` field: update FIGURES"
    for sid, figures in FIGURES.items():
        printed = set(NUMBER.findall(checks_text(catalog, sid)))
        assert printed == set(figures), f"{sid}: CATALOG prints {sorted(printed)}, FIGURES lists {sorted(figures)}"
    refs = [*(r for f in FIGURES.values() for r in f.values()), *OTHER_FIGURES.values(), *STATEMENTS.values()]
    for sid, text in [*OTHER_FIGURES, *STATEMENTS]:
        assert text in checks_text(catalog, sid), f"{sid}: CATALOG no longer says {text!r}"
    for ref in refs:
        if ref.startswith("external: "):
            continue
        assert _test_exists(ref), f"{ref} does not exist"


# --- 2. the figures no other test reproduced ------------------------------------------------------------------------


def test_census_1980_official_total(wh: duckdb.DuckDBPyConnection, catalog: dict) -> None:
    # "1980 117,060,359 (official 117,060,396: re-aggregation)": the official total is in the national census series.
    assert "1980 117,060,359 (official 117,060,396: re-aggregation)" in checks_text(
        catalog, "census_1980_2015_sex_age5"
    )
    official = "SELECT persons FROM core_national__census_population_total WHERE census_year = 1980 AND area_code = ?"
    assert one(wh, official, "00000") == num("117,060,396")
    summed = one(
        wh, "SELECT sum(persons) FROM raw_census__population_1980_2015_total WHERE census_year = 1980 AND sex = 'total'"
    )
    assert summed == num("117,060,359")
    # the 2015 round needs no re-aggregation: both sources agree exactly
    assert one(wh, official.replace("1980", "2015"), "00000") == num("127,094,745")


def test_food_access_maff_headline(wh: duckdb.DuckDBPyConnection, catalog: dict) -> None:
    # "(MAFF: 904万人, 25.6% of people 65+)": Σ difficulty = 9,042,736 = 904.27万 → 904万 rounding to 万 (10^4);
    # 9,042,736 / 35,314,481 = 0.256063… → 25.6% rounding to one decimal of a per cent.
    assert "MAFF: 904万人, 25.6% of people 65+" in checks_text(catalog, "food_access_2020")
    difficulty, pop65 = wh.execute(
        "SELECT sum(difficulty_persons), sum(pop65_persons) FROM core_food_access__difficulty_2020"
    ).fetchone()
    assert round(difficulty / 10_000) == 904
    assert round(100 * difficulty / pop65, 1) == 25.6


def test_tokyo_area_net_migration(wh: duckdb.DuckDBPyConnection, catalog: dict) -> None:
    text = checks_text(catalog, "tokyo_area_net_migration")
    assert text == "2024 tokyo_area_net 119,337; 2019 145,576"
    net = dict(wh.execute("SELECT year, net_migration_persons FROM core_national__tokyo_area_net_migration").fetchall())
    summed = dict(
        wh.execute("SELECT year, sum(net_migration_persons) FROM core_national__tokyo_area_migration GROUP BY year")
        .fetchall()
    )  # fmt: skip
    for year, figure in ((2024, "119,337"), (2019, "145,576")):
        assert net[year] == num(figure)
        assert summed[year] == num(figure)  # the four prefectures add up to the printed Tokyo-area figure


def test_ipss2018_file_sexes_and_ages_sum(data_dir: Path, wh: duckdb.DuckDBPyConnection) -> None:
    # The warehouse keeps male and female only: the file's both-sexes columns are checked here, on the file itself.
    df = pl.read_csv(data_dir / "ipss/2018/ipss2018_suikei_kekka.csv", infer_schema_length=0)
    ages = [c[:-2] for c in df.columns if c.endswith("/a")]
    assert len(ages) == 19 and df.columns[5] == "総数"
    num_df = df.select(pl.col("総数"), *(pl.col(f"{a}/{s}") for a in ages for s in "amf")).cast(pl.Int64)
    for a in ages:
        off = num_df.filter(pl.col(f"{a}/a") != pl.col(f"{a}/m") + pl.col(f"{a}/f"))
        assert off.height == 0, f"{a}: male + female ≠ total in {off.height} rows"
    off = num_df.filter(pl.col("総数") != pl.sum_horizontal(*(pl.col(f"{a}/a") for a in ages)))
    assert off.height == 0
    # and the warehouse holds the same totals: Σ prefecture 総数 per year = Σ its sex × age cells
    file_total = df.filter(pl.col("市などの別") == "a").group_by("年").agg(pl.col("総数").cast(pl.Int64).sum())
    got = dict(
        wh.execute(
            "SELECT year, sum(persons) FROM core_ipss2018__population WHERE area_level = 'prefecture' GROUP BY year"
        ).fetchall()
    )
    assert {int(y.rstrip("年")): t for y, t in file_total.iter_rows()} == got


# --- 3. structural checks -------------------------------------------------------------------------------------------

# core_/raw_ tables without a schema Coverage, and why.
NO_COVERAGE = {
    "core_areas__municipalities": "the 1,741 themselves (SqlCheck municipality-count)",
    "core_areas__areas": "all areas; SqlCheck area-municipalities",
    "core_areas__changes": "dated change list, not municipal figures",
    "core_geo__prefectures": "prefectures",
    "raw_census__population_1980_2015_total": "raw, 2015 codes; 1,741 per year in test_census",
    "raw_census__population_1980_2015": "raw, 2015 codes; ages sum to the total table",
    "raw_census__population_2020_total": "raw, all levels; 1,741 municipalities in test_census",
    "raw_census__population_2020": "raw, all levels",
    "core_census__population_2015_summary": "all levels; its 1,741 municipalities joined to 2020 in test_census",
    "raw_estat__tables": "e-Stat API tables, not bundle municipal figures",
    "raw_estat__classes": "e-Stat API metadata",
    "raw_estat__values": "e-Stat API cells (any area level)",
    "raw_fiscal__indices": "raw, original units and years",
    "core_fiscal__prefecture_indices": "prefectures",
    "core_fiscal__unmatched": "report of unmatched rows",
    "raw_income__income_per_taxpayer": "raw incl. wards",
    "core_ipss2023__hamadori_members": "list of the 13 浜通り members",
    "core_ipss2018__population_total": "Coverage on core_ipss2018__population; see test_ipss2018_total_coverage",
    "raw_juki__population_dynamics": "raw, original codes of each year",
    "raw_juki__population_by_sex_age": "raw, original codes of each year",
    "core_national__vital_rates": "national",
    "core_national__population_by_age_sex": "national",
    "core_national__population_by_age_sex_85plus": "national",
    "core_national__asfr": "national",
    "core_national__life_table": "national",
    "core_national__survival_ratio_5y": "national",
    "core_national__census_population_total": "national and prefectures",
    "core_national__census_population_by_age_sex": "national",
    "core_national__ipss2017_projection_total": "national",
    "core_national__ipss2017_projection_by_age_sex": "national",
    "core_national__ipss2018_prefecture_projection_total": "prefectures",
    "core_national__tokyo_area_migration": "prefectures",
    "core_national__tokyo_area_net_migration": "Tokyo area",
    "core_resas__municipal_2016": "1,495 of 1,741: SqlChecks resas-codes-2020 and resas-missing-count (246 pinned)",
    "core_resas__specialization": "long form of core_resas__municipal_2016; see test_resas_specialization_codes",
    "core_resas__prefecture_level_columns": "column list",
    "core_resas__prefecture_values": "prefectures",
    "core_ssdse__items": "item list",
    "raw_tfr__tfr": "raw, areas of the time",
    "core_tfr__tfr": "step SqlCheck every-municipality-once (rated or listed missing, exactly once)",
    "core_tfr__missing": "step SqlCheck every-municipality-once",
}

# Numeric columns of core_/raw_ tables whose schema declares no bounds, and why (signed, or a mix of units).
UNBOUNDED = {
    ("core_areas__changes", "seq"): "sequence number",
    ("core_census__population_2015_summary", "population_change_persons"): "signed change",
    ("core_census__population_2015_summary", "households_change"): "signed change",
    ("raw_estat__values", "value"): "any statistic",
    ("core_fiscal__indices", "source_row"): "row number",
    ("core_fiscal__unmatched", "row_number"): "row number",
    ("raw_juki__population_dynamics", "change_persons"): "signed change",
    ("raw_juki__population_dynamics", "natural_change_persons"): "signed change",
    ("raw_juki__population_dynamics", "social_change_persons"): "signed change",
    ("raw_juki__population_dynamics", "source_row"): "row number",
    ("raw_juki__population_by_sex_age", "source_row"): "row number",
    ("core_juki__population_dynamics", "change_persons"): "signed change",
    ("core_juki__population_dynamics", "natural_change_persons"): "signed change",
    ("core_juki__population_dynamics", "social_change_persons"): "signed change",
    ("core_national__vital_rates", "nir_per_1000"): "signed natural increase rate",
    ("core_national__tokyo_area_migration", "net_migration_persons"): "signed net",
    ("core_national__tokyo_area_net_migration", "net_migration_persons"): "signed net",
    ("core_resas__prefecture_values", "value"): "mixed units",
    ("core_ssdse__values", "value"): "mixed items; checked here: test_ssdse_values_signs",
    ("core_resas__specialization", "coefficient"): "value added may be negative; checked here",
}
# core_resas__municipal_2016 declares no bounds at all (columns generated from resas.MUNICIPAL): checked on the data
# here, by name — counts ≥ 0, shares in [0, 100], ratios ≥ 0; value added and productivity may be negative.
RESAS = "core_resas__municipal_2016"
RESAS_SIGNED = {"value_added_enterprise_million_yen", "value_added_enterprise_yen",
                "labour_productivity_enterprise_thousand_yen"}  # fmt: skip
RESAS_SIGNED_PCT = {"population_change_pct", "population_0_14_change_pct", "population_15_64_change_pct",
                    "population_65plus_change_pct"}  # fmt: skip


def _core_raw_tables():  # type: ignore[no-untyped-def]
    return [t for s in steps().values() for t in s.tables if t.name.startswith(("core_", "raw_"))]


def _numeric(col) -> bool:  # type: ignore[no-untyped-def]
    return col.type.upper() in ("INTEGER", "BIGINT", "DOUBLE", "SMALLINT", "HUGEINT", "FLOAT", "REAL")


def test_municipal_tables_declare_coverage_or_a_reason() -> None:
    tables = {t.name: t for t in _core_raw_tables()}
    uncovered = {name for name, t in tables.items() if t.coverage is None}
    assert uncovered - set(NO_COVERAGE) == set(), "a new table without Coverage: add Coverage or a reason here"
    assert set(NO_COVERAGE) - set(tables) == set(), "NO_COVERAGE names a table that no longer exists"
    # every Coverage names a municipal column; pinned gaps are real 5-character codes
    for t in tables.values():
        if t.coverage is not None:
            assert t.coverage.column in t.column_names, t.name
            assert all(len(c) == 5 for c in t.coverage.missing), t.name


def test_count_and_share_columns_are_bounded_in_the_schema() -> None:
    unbounded = set()
    for t in _core_raw_tables():
        for c in t.columns:
            if _numeric(c) and c.min is None and c.max is None:
                unbounded.add((t.name, c.name))
            if _numeric(c) and c.name.endswith("_persons") and c.min is not None:
                assert c.min == 0, (t.name, c.name)
            if _numeric(c) and c.name.endswith("_pct") and "change" not in c.name and "ratio" not in c.name:
                assert c.min is None or c.min >= 0, (t.name, c.name)  # shares; fiscal ratios have their own ranges
    # every numeric column of the RESAS table is checked on the data by test_resas_bounds
    resas = {(RESAS, c) for (tn, c) in unbounded if tn == RESAS}
    assert unbounded - resas - set(UNBOUNDED) == set(), "new numeric columns without bounds"


def test_no_negative_counts_anywhere(wh: duckdb.DuckDBPyConnection) -> None:
    # On the data, for every count column of every core_/raw_ table (schema bounds or not): *_persons, households,
    # facility and enterprise counts. Signed columns (changes, nets) are excluded by name.
    signed = re.compile(r"change|net_|natural_|social_|_ratio|_pct|_yen|source_row|row_number|seq")
    counts = re.compile(r"_persons$|^households|^hospitals$|clinics$|^hospital_beds$|^enterprises$|^establishments$"
                        r"|^count$|^persons$")  # fmt: skip
    checked = 0
    for t in _core_raw_tables():
        cols = [c.name for c in t.columns if _numeric(c) and counts.search(c.name) and not signed.search(c.name)]
        if not cols:
            continue
        cond = " OR ".join(f'"{c}" < 0' for c in cols)
        assert one(wh, f'SELECT count(*) FROM "{t.name}" WHERE {cond}') == 0, t.name
        checked += len(cols)
    assert checked > 80  # the audit covered the count columns (census, juki, ipss, resas, food, furusato …)


def test_resas_bounds(wh: duckdb.DuckDBPyConnection) -> None:
    cols = [c for c in steps()["resas"].table(RESAS).columns if _numeric(c)]
    for c in cols:
        if c.name in RESAS_SIGNED or c.name in RESAS_SIGNED_PCT:
            continue
        if c.name.endswith("_pct"):
            sql = f'SELECT count(*) FROM {RESAS} WHERE "{c.name}" < 0 OR "{c.name}" > 100'
        else:  # counts, ratios to 2015, per-capita taxes
            sql = f'SELECT count(*) FROM {RESAS} WHERE "{c.name}" < 0'
        assert one(wh, sql) == 0, c.name
    for name in RESAS_SIGNED_PCT:
        assert one(wh, f'SELECT count(*) FROM {RESAS} WHERE "{name}" < -100') == 0, name
    # shares of 歳出 by purpose add up to 100 (to rounding of the published 2 decimals)
    exp = [c.name for c in cols if c.name.startswith("expenditure_")]
    worst = one(wh, f"SELECT max(abs({' + '.join(exp)} - 100)) FROM {RESAS}")
    assert worst < 0.1
    # profitable + loss-making = 100
    assert (
        one(wh, f"SELECT max(abs(profitable_enterprises_pct + loss_making_enterprises_pct - 100)) FROM {RESAS}") < 0.11
    )


def test_resas_specialization_codes(wh: duckdb.DuckDBPyConnection) -> None:
    outside = one(
        wh,
        f"SELECT count(*) FROM core_resas__specialization WHERE muni_code NOT IN (SELECT muni_code FROM {RESAS})",
    )
    assert outside == 0
    assert one(wh, "SELECT count(DISTINCT muni_code) FROM core_resas__specialization") == 1495
    # employee-based coefficients are ratios of shares: never negative (value added may be)
    assert one(wh, "SELECT min(coefficient) FROM core_resas__specialization WHERE measure = 'employees'") >= 0


def test_ipss2018_total_coverage(wh: duckdb.DuckDBPyConnection) -> None:
    # Same municipalities as core_ipss2018__population (1,741 − the 59 of 福島県) in every year.
    rows = wh.execute(
        """SELECT year, count(*) FROM core_ipss2018__population_total t
           JOIN core_areas__municipalities m ON m.muni_code = t.area_code
           WHERE t.area_level = 'municipality' GROUP BY year"""
    ).fetchall()
    assert sorted(rows) == [(y, 1741 - 59) for y in range(2015, 2050, 5)]
    assert (
        one(
            wh,
            "SELECT count(*) FROM core_ipss2018__population_total WHERE area_level = 'municipality' "
            "AND area_code NOT IN (SELECT muni_code FROM core_areas__municipalities)",
        )
        == 0
    )


def test_ssdse_values_signs(wh: duckdb.DuckDBPyConnection) -> None:
    # Every SSDSE-A item is a count, an amount, an area or a ratio; only 実質公債費比率 (D2211) can be negative.
    negative = wh.execute("SELECT DISTINCT item_code FROM core_ssdse__values WHERE value < 0").fetchall()
    assert negative in ([], [("D2211",)])
    pct = wh.execute(
        "SELECT v.item_code, min(v.value), max(v.value) FROM core_ssdse__values v JOIN core_ssdse__items i "
        "USING (item_code) WHERE i.unit = 'pct' GROUP BY ALL"
    ).fetchall()
    for item, lo, hi in pct:
        assert lo >= -100 and hi <= 200, (item, lo, hi)  # 経常収支比率 (D2203) may exceed 100


# --- 4. metadata ----------------------------------------------------------------------------------------------------


def test_every_table_and_column_is_described(wh: duckdb.DuckDBPyConnection) -> None:
    meta = wh.execute("SELECT table_name, description, rows FROM meta__tables").fetchall()
    assert meta
    empty = [name for name, desc, _ in meta if desc is None or not desc.strip()]
    assert empty == []
    user = {name for (name,) in wh.execute("SELECT table_name FROM duckdb_tables() WHERE NOT internal").fetchall()}
    described = {name for name, _, _ in meta}
    assert user - described == {"meta__sources", "meta__files", "meta__tables", "meta__build"}
    assert described <= user
    for name, _, rows in meta:
        assert one(wh, f'SELECT count(*) FROM "{name}"') == rows, name
    assert one(wh, "SELECT count(*) FROM duckdb_tables() WHERE NOT internal AND coalesce(comment, '') = ''") == 0
    assert one(wh, "SELECT count(*) FROM duckdb_columns() WHERE NOT internal AND coalesce(comment, '') = ''") == 0


def test_every_declared_source_is_loaded(wh: duckdb.DuckDBPyConnection) -> None:
    loaded = dict(wh.execute("SELECT source_id, rows FROM meta__sources").fetchall())
    declared = set(declared_sources())
    assert declared <= set(loaded), f"declared but not loaded: {sorted(declared - set(loaded))}"
    empty = sorted(sid for sid in declared if not loaded[sid])
    assert empty == []
