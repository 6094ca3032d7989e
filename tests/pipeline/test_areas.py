"""Areas master and crosswalks on the built warehouse: CATALOG header counts, readings, known code changes."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest

from sousei.pipeline.crosswalk import attach_muni_2020, map_to_2020


def test_municipality_counts(wh: duckdb.DuckDBPyConnection) -> None:
    # CATALOG.yaml header: 1,741 municipalities = 1,718 市町村 (20 政令指定都市 as whole cities) + 23 特別区.
    rows = dict(wh.execute("SELECT kind, count(*) FROM core_areas__municipalities GROUP BY kind").fetchall())
    assert sum(rows.values()) == 1741
    assert rows["特別区"] == 23
    assert rows["政令指定都市"] == 20
    assert sum(rows.values()) - rows["特別区"] == 1718
    assert rows["政令指定都市"] + rows["中核市"] + rows["市"] == 792
    assert (rows["町"], rows["村"]) == (743, 183)
    assert wh.execute("SELECT count(DISTINCT muni_code) FROM core_areas__municipalities").fetchall()[0] == (1741,)


def test_area_levels(wh: duckdb.DuckDBPyConnection) -> None:
    levels = dict(wh.execute("SELECT level, count(*) FROM core_areas__areas GROUP BY level").fetchall())
    assert levels == {"country": 1, "prefecture": 47, "municipality": 1741, "ward": 175}
    # 浜松市 in 2020 still had its 7 old wards (the 2024-01-01 reorganisation made 3).
    hamamatsu = wh.execute("SELECT count(*) FROM core_areas__areas WHERE parent_code = '22130'").fetchall()[0]
    assert hamamatsu == (7,)


def test_sapporo(wh: duckdb.DuckDBPyConnection) -> None:
    row = wh.execute(
        "SELECT code6, pref_code, pref_name, name, name_kana, name_en, kind, peer_group "
        "FROM core_areas__municipalities WHERE muni_code = '01100'"
    ).fetchall()[0]
    assert row == ("011002", "01", "北海道", "札幌市", "さっぽろし", "Sapporo-shi", "政令指定都市", "政令指定都市")
    wards = wh.execute("SELECT count(*) FROM core_areas__areas WHERE parent_code = '01100'").fetchall()[0]
    assert wards == (10,)


def _code_to_2020(wh: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return wh.cursor().sql("SELECT * FROM core_areas__code_to_2020").pl()


def test_map_known_changes(wh: duckdb.DuckDBPyConnection) -> None:
    t = _code_to_2020(wh)
    # CATALOG caveat: 04423 富谷町 → 04216 富谷市 (2016-10-10), 40305 那珂川町 → 40231 那珂川市 (2018-10-01).
    assert map_to_2020(t, "04423", dt.date(2015, 10, 1)) == [("04216", 1.0)]
    assert map_to_2020(t, "40305", dt.date(2018, 9, 30)) == [("40231", 1.0)]
    with pytest.raises(KeyError):
        map_to_2020(t, "40305", dt.date(2018, 10, 1))
    # 浜松市 (22202) absorbed 細江町 22521 and others on 2005-07-01, became designated city 22130 on 2007-04-01.
    assert map_to_2020(t, "22521", dt.date(2000, 10, 1)) == [("22130", 1.0)]
    assert map_to_2020(t, "22202", dt.date(2006, 1, 1)) == [("22130", 1.0)]
    # 浦和市 merged into さいたま市 (2001), the city later designated (11100).
    assert map_to_2020(t, "11204", dt.date(1995, 10, 1)) == [("11100", 1.0)]
    # 2005 new merger: 鷹巣町 05321 → 北秋田市 05213 (2005-03-22).
    assert map_to_2020(t, "05321", dt.date(2005, 3, 21)) == [("05213", 1.0)]
    # Wards map to their city, also those of 2024 (浜松市中央区 22138).
    assert map_to_2020(t, "22131", dt.date(2020, 10, 1)) == [("22130", 1.0)]
    assert map_to_2020(t, "22138", dt.date(2024, 1, 1)) == [("22130", 1.0)]
    # 上九一色村 was divided between 甲府市 and 富士河口湖町 (2006-03-01): by the census 2020 population of the parts
    # (「（旧：上九一色村［北部］）」 208 persons under 甲府市, 「［南部］」 894 under 富士河口湖町), not 0.5/0.5.
    assert map_to_2020(t, "19341", dt.date(2005, 10, 1)) == [("19201", 208 / 1102), ("19430", 894 / 1102)]


def test_converter_agrees_with_code_list(wh: duckdb.DuckDBPyConnection) -> None:
    conv = wh.cursor().sql("SELECT census_year, code, muni_code FROM core_areas__converter WHERE NOT is_split").pl()
    conv = conv.with_columns(pl.date(pl.col("census_year"), 10, 1).alias("ref_date"))
    out = attach_muni_2020(conv.rename({"muni_code": "converter"}), "code", "ref_date", _code_to_2020(wh))
    assert out.height == conv.height
    assert out.filter(pl.col("muni_code") != pl.col("converter")).height == 0
    # The converter gives 上九一色村 wholly to 甲府市 (its note says how it was divided); the code list splits it.
    split = wh.execute("SELECT DISTINCT muni_code, share FROM core_areas__converter WHERE is_split").fetchall()
    assert split == [("19201", 1.0)]


def test_every_2024_code_maps(wh: duckdb.DuckDBPyConnection) -> None:
    # 1,965 codes of 2024-01-01 less 47 prefectures and the 6 北方領土 villages = 1,912 (1,741 + 171 wards).
    n = wh.execute("SELECT count(DISTINCT code) FROM core_areas__code_to_2020 WHERE valid_to IS NULL").fetchall()[0]
    assert n == (1741 + 171,)
    changes = wh.execute("SELECT count(*), min(change_date), max(change_date) FROM core_areas__changes").fetchall()[0]
    assert changes == (2248, dt.date(1970, 7, 1), dt.date(2024, 1, 1))
