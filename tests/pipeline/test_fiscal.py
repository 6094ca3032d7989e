"""主要財政指標 FY2005–2021: every file parsed, columns found by header, markers kept, prefecture tables."""

from __future__ import annotations

import fastexcel
import pytest

from sousei.pipeline.sources.fiscal import check_digit_ok, fiscal_year_of, parse_cell


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
    assert check_digit_ok("011002") and not check_digit_ok("011003")


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
