"""RESAS 2016 extract: CATALOG check figures, prefecture-level column detection, specialization long table."""

from __future__ import annotations

import polars as pl

from sousei.pipeline.sources.resas import find_prefecture_level_columns


def test_value_added_sum_and_chiyoda(wh):
    # CATALOG: Σ 付加価値額（企業単位） ≈ 288.2 trillion yen; 千代田区 ≈ 30.1 trillion yen (published in million yen)
    total, total_yen = wh.execute(
        "SELECT sum(value_added_enterprise_million_yen), sum(value_added_enterprise_yen) "
        "FROM core_resas__municipal_2016"
    ).fetchone()
    assert total == 288_194_733
    assert total_yen == 288_194_733 * 10**6
    assert round(total / 1e6, 1) == 288.2
    chiyoda = wh.execute(
        "SELECT value_added_enterprise_million_yen FROM core_resas__municipal_2016 WHERE muni_code = '13101'"
    ).fetchone()[0]
    assert round(chiyoda / 1e6, 1) == 30.1


def test_hospital_beds(wh):
    # CATALOG: Σ 病床数 (2020) = 1,503,972; 札幌市 36,720 beds
    assert wh.execute("SELECT sum(hospital_beds) FROM core_resas__municipal_2016").fetchone()[0] == 1_503_972
    sapporo = wh.execute("SELECT name, hospital_beds FROM core_resas__municipal_2016 WHERE muni_code = '01100'")
    assert sapporo.fetchall() == [("札幌市", 36_720)]


def test_coverage_is_1495(wh):
    assert wh.execute("SELECT count(*) FROM core_resas__municipal_2016").fetchone()[0] == 1_495
    missing = wh.execute(
        "SELECT count(*) FROM core_areas__municipalities "
        "WHERE muni_code NOT IN (SELECT muni_code FROM core_resas__municipal_2016)"
    ).fetchone()[0]
    assert missing == 1_741 - 1_495


def test_prefecture_level_columns_are_detected_and_kept_out(wh):
    listed = {r[0] for r in wh.execute("SELECT column_name FROM core_resas__prefecture_level_columns").fetchall()}
    # The CATALOG caveat names these as prefecture values repeated for every municipality.
    for col in (
        "一人当たり賃金",
        "有効求人倍率",
        "地元進学男性",
        "地元就職女性",
        "医療需給_推移_看護師・准看護師（病院・診療所別）",
        "医療需給_推移_推計外来患者数（傷病分類別）",
    ):
        assert col in listed
    # Municipal medical figures are not among them.
    assert "医療需給_推移_病床数（病床種類別）" not in listed
    n_values = wh.execute("SELECT count(*), count(DISTINCT pref_code) FROM core_resas__prefecture_values").fetchone()
    assert n_values == (47 * len(listed), 47)
    # No municipal column carries one value per prefecture everywhere.
    muni = wh.cursor().sql("SELECT * FROM core_resas__municipal_2016").pl()
    values = [c for c in muni.columns if c not in ("muni_code", "pref_code", "name")]
    assert find_prefecture_level_columns(muni, values) == []


def test_detection_rule_on_a_small_frame():
    df = pl.DataFrame(
        {
            "pref_code": ["01", "01", "02", "02"],
            "repeated": [1.0, 1.0, 2.0, 2.0],
            "same_in_one_pref_only": [1.0, 1.0, 2.0, 3.0],
            "with_gap": [5.0, None, 6.0, 6.0],
        }
    )
    assert find_prefecture_level_columns(df, ["repeated", "same_in_one_pref_only", "with_gap"]) == [
        "repeated",
        "with_gap",
    ]


def test_specialization_long_table(wh, data_dir):
    measures = wh.execute("SELECT DISTINCT measure FROM core_resas__specialization ORDER BY 1").fetchall()
    assert measures == [("employees",), ("labour_productivity",), ("value_added",)]
    # 93 industries in the extract's column names
    assert wh.execute("SELECT count(DISTINCT industry) FROM core_resas__specialization").fetchone()[0] == 93
    # Sapporo 食料品製造業: the three cells of the bundle file, read here as published
    row = pl.read_csv(
        data_dir / "economy/resas_municipal_2016_output_cp932.csv", encoding="cp932", infer_schema_length=0
    ).filter(pl.col("cityCode") == "1100")
    expected = {
        key: float(row[f"産業別特化係数_食料品製造業_{label}"].item())
        for key, label in (
            ("value_added", "付加価値額"),
            ("employees", "従業者数"),
            ("labour_productivity", "労働生産性"),
        )
    }
    got = dict(
        wh.execute(
            "SELECT measure, coefficient FROM core_resas__specialization "
            "WHERE muni_code = '01100' AND industry = '食料品製造業'"
        ).fetchall()
    )
    assert got == expected
    assert len(got) == 3
