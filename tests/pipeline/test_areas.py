"""The areas master and crosswalks on the built warehouse: counts of the CATALOG header, readings, known code changes."""

from __future__ import annotations

import duckdb


def test_municipality_counts(wh: duckdb.DuckDBPyConnection) -> None:
    # CATALOG.yaml header: 1,741 municipalities = 1,718 市町村 (20 政令指定都市 as whole cities) + 23 特別区.
    rows = dict(wh.execute("SELECT kind, count(*) FROM core_areas__municipalities GROUP BY kind").fetchall())
    assert sum(rows.values()) == 1741
    assert rows["特別区"] == 23
    assert rows["政令指定都市"] == 20
    assert sum(rows.values()) - rows["特別区"] == 1718
    assert rows["政令指定都市"] + rows["中核市"] + rows["市"] == 792
    assert (rows["町"], rows["村"]) == (743, 183)
    assert wh.execute("SELECT count(DISTINCT muni_code) FROM core_areas__municipalities").fetchone() == (1741,)


def test_area_levels(wh: duckdb.DuckDBPyConnection) -> None:
    levels = dict(wh.execute("SELECT level, count(*) FROM core_areas__areas GROUP BY level").fetchall())
    assert levels == {"country": 1, "prefecture": 47, "municipality": 1741, "ward": 175}
    # 浜松市 in 2020 still had its 7 old wards (the 2024-01-01 reorganisation made 3).
    hamamatsu = wh.execute("SELECT count(*) FROM core_areas__areas WHERE parent_code = '22130'").fetchone()
    assert hamamatsu == (7,)


def test_sapporo(wh: duckdb.DuckDBPyConnection) -> None:
    row = wh.execute(
        "SELECT code6, pref_code, pref_name, name, name_kana, name_en, kind, peer_group "
        "FROM core_areas__municipalities WHERE muni_code = '01100'"
    ).fetchone()
    assert row == ("011002", "01", "北海道", "札幌市", "さっぽろし", "Sapporo-shi", "政令指定都市", "政令指定都市")
    wards = wh.execute("SELECT count(*) FROM core_areas__areas WHERE parent_code = '01100'").fetchone()
    assert wards == (10,)
