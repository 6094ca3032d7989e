"""主要財政指標 FY2005–2021: every file parsed, columns found by header, markers kept, prefecture tables."""

from __future__ import annotations

import fastexcel
import pytest

from sousei.pipeline.sources.fiscal_sheets import fiscal_year_of, parse_cell


def test_file_names_to_fiscal_years():
    assert fiscal_year_of("fiscal/city/H17.xls") == 2005
    assert fiscal_year_of("fiscal/city/H30.xlsx") == 2018
    assert fiscal_year_of("fiscal/city/R1.xlsx") == 2019
    assert fiscal_year_of("fiscal/city/R3.xlsx") == 2021


def test_cells():
    assert parse_cell("-0.5") == (-0.5, None)  # a negative 実質公債費比率 is a value, not a marker
    assert parse_cell("－") == (None, "dash")
    assert parse_cell("(0.80)") == (0.80, "parenthesised")
    assert parse_cell(None) == (None, "blank")
    with pytest.raises(ValueError):
        parse_cell("0.5*")


def test_every_group_and_year(wh):
    n = wh.execute('SELECT count(DISTINCT ("group", fiscal_year)) FROM raw_fiscal__indices').fetchone()[0]
    assert n == 5 * 17


def test_city_rows_match_the_files(wh, data_dir):
    # Each 全市町村 file: the municipalities it lists = its data rows minus the one 全国市町村平均 row.
    for fy, name in ((2005, "H17.xls"), (2011, "H23.xls"), (2021, "R3.xlsx")):
        rows = fastexcel.read_excel(data_dir / "fiscal/city" / name).load_sheet(0, header_row=None, dtypes="string")
        df = rows.to_polars()
        pref_col = 1 if fy >= 2011 else 0
        listed = sum(1 for r in df.rows()[2:] if r[pref_col] and r[pref_col].endswith(("都", "道", "府", "県")))
        got = wh.execute(
            "SELECT count(*) FROM raw_fiscal__indices WHERE \"group\" = 'city' AND fiscal_year = ? AND NOT is_average",
            [fy],
        ).fetchone()[0]
        assert got == listed


def test_columns_found_by_header_text(wh):
    # FY2005 lists 経常収支比率 first and 財政力指数 fourth; FY2008 財政力指数 first: both must land in the same column.
    sapporo = wh.execute(
        "SELECT fiscal_year, fiscal_strength_index, current_balance_ratio_pct, real_debt_service_ratio_pct, "
        "future_burden_ratio_pct, future_burden_ratio_status, laspeyres_index FROM raw_fiscal__indices "
        "WHERE \"group\" = 'city' AND name = '札幌市' AND fiscal_year IN (2005, 2008, 2021) ORDER BY 1"
    ).fetchall()
    assert sapporo == [
        (2005, 0.67, 96.5, 14.0, None, "not_in_file", 98.6),
        (2008, 0.69, 99.0, 10.8, 147.2, None, 100.1),
        (2021, 0.72, 93.0, 2.7, 29.3, None, 99.6),
    ]


def test_codes_from_fy2011(wh):
    row = wh.execute(
        "SELECT code6, code FROM raw_fiscal__indices "
        "WHERE \"group\" = 'city' AND fiscal_year = 2021 AND name = '与那国町'"
    ).fetchone()
    assert row == ("473821", "47382")
    coded = wh.execute(
        "SELECT count(*) FROM raw_fiscal__indices WHERE \"group\" = 'city' AND fiscal_year = 2021 AND code IS NOT NULL"
    ).fetchone()[0]
    assert coded == 1741


def test_markers_are_null_with_status(wh):
    dashes = wh.execute(
        "SELECT count(*) FROM raw_fiscal__indices WHERE future_burden_ratio_status = 'dash' "
        "AND future_burden_ratio_pct IS NOT NULL"
    ).fetchone()[0]
    assert dashes == 0
    # FY2008: the 23 special wards' 財政力指数 and 経常収支比率 are printed in parentheses.
    wards = wh.execute(
        "SELECT count(*) FROM raw_fiscal__indices WHERE \"group\" = 'city' AND fiscal_year = 2008 "
        "AND fiscal_strength_index_status = 'parenthesised' AND current_balance_ratio_status = 'parenthesised'"
    ).fetchone()[0]
    assert wards == 23


def test_prefecture_indices(wh):
    counts = wh.execute(
        "SELECT entity, count(*), count(DISTINCT fiscal_year) "
        "FROM core_fiscal__prefecture_indices GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert counts == [("municipal_mean", 47 * 17, 17), ("prefecture", 47 * 17, 17)]
    hokkaido = wh.execute(
        "SELECT fiscal_strength_index FROM core_fiscal__prefecture_indices "
        "WHERE pref_code = '01' AND entity = 'prefecture' AND fiscal_year = 2021"
    ).fetchone()[0]
    assert hokkaido == 0.44595  # 北海道 R3 as printed (5 decimals in the prefecture files)


def test_core_from_fy2011_by_code(wh):
    counts = wh.execute(
        "SELECT fiscal_year, count(*) FILTER (match_status = 'code'), count(*) FROM core_fiscal__indices "
        "WHERE fiscal_year >= 2011 GROUP BY 1 ORDER BY 1"
    ).fetchall()
    # 09367 岩舟町 joined 09203 栃木市 on 2014-04-05: FY2011–2013 list both, so 栃木市 has no single value then.
    assert counts == [(y, 1740 if y <= 2013 else 1741, 1741) for y in range(2011, 2022)]
    tochigi = wh.execute(
        "SELECT fiscal_year, match_status, fiscal_strength_index FROM core_fiscal__indices "
        "WHERE muni_code = '09203' AND fiscal_year IN (2013, 2014) ORDER BY 1"
    ).fetchall()
    assert tochigi[0] == (2013, "several_predecessors", None)
    assert tochigi[1][:2] == (2014, "code") and tochigi[1][2] is not None
    preds = wh.execute(
        "SELECT list(name ORDER BY name) FROM core_fiscal__unmatched WHERE fiscal_year = 2013 AND muni_code = '09203'"
    ).fetchone()[0]
    assert preds == ["岩舟町", "栃木市"]


def test_core_values_are_the_file_values(wh):
    # Every matched row carries exactly the published figures of its source row.
    differing = wh.execute(
        """SELECT count(*) FROM core_fiscal__indices c JOIN raw_fiscal__indices r
             ON r."group" = 'city' AND r.fiscal_year = c.fiscal_year AND r.row_number = c.source_row
            AND r.name = c.source_name AND (c.fiscal_year < 2011 OR r.code = c.source_code)
           WHERE c.match_status IN ('code', 'name') AND NOT r.is_average
             AND (c.fiscal_strength_index IS DISTINCT FROM r.fiscal_strength_index
               OR c.current_balance_ratio_pct IS DISTINCT FROM r.current_balance_ratio_pct
               OR c.future_burden_ratio_pct IS DISTINCT FROM r.future_burden_ratio_pct
               OR c.laspeyres_index IS DISTINCT FROM r.laspeyres_index)"""
    ).fetchone()[0]
    assert differing == 0
    joined = wh.execute(
        """SELECT count(*) FROM core_fiscal__indices c JOIN raw_fiscal__indices r
             ON r."group" = 'city' AND r.fiscal_year = c.fiscal_year AND r.row_number = c.source_row
            AND r.name = c.source_name"""
    ).fetchone()[0]
    assert (
        joined
        == wh.execute("SELECT count(*) FROM core_fiscal__indices WHERE match_status IN ('code', 'name')").fetchone()[0]
    )


def test_every_file_row_is_used_or_listed(wh):
    # Each municipal row of a 全市町村 file gives one core value or appears in core_fiscal__unmatched.
    rows = wh.execute(
        """SELECT r.fiscal_year, count(*) AS file_rows,
                  (SELECT count(*) FROM core_fiscal__indices c
                    WHERE c.fiscal_year = r.fiscal_year AND c.match_status IN ('code', 'name')) AS used,
                  (SELECT count(*) FROM core_fiscal__unmatched u WHERE u.fiscal_year = r.fiscal_year) AS listed
           FROM raw_fiscal__indices r WHERE r."group" = 'city' AND NOT r.is_average GROUP BY 1 ORDER BY 1"""
    ).fetchall()
    assert len(rows) == 17
    for fiscal_year, file_rows, used, listed in rows:
        assert used + listed == file_rows, fiscal_year
    # before FY2011 merged-later municipalities leave several predecessors per 2020 municipality
    fy2005 = wh.execute(
        "SELECT count(*) FROM core_fiscal__indices WHERE fiscal_year = 2005 AND match_status = 'several_predecessors'"
    ).fetchone()[0]
    assert fy2005 > 0
