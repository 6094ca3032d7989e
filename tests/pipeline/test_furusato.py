"""ふるさと納税: donations agree with the survey's multi-year summary file; deductions with each file's national row."""

from __future__ import annotations

import fastexcel
import pytest

YEAR_COLUMNS = {2016: 18, 2017: 20, 2018: 22, 2019: 24, 2020: 26}  # 金額 column of 平成28年度 … 令和２年度


@pytest.fixture(scope="module")
def summary_rows(data_dir):
    """donations-rough/total_gain.xlsx (各団体一覧, thousand yen): the step does not read it, an independent check."""
    path = data_dir / "furusato/donations-rough/total_gain.xlsx"
    rows = fastexcel.read_excel(path).load_sheet(0, header_row=None, dtypes="string").to_polars().rows()
    assert rows[1][18] == "平成28年度" and rows[1][26] == "令和２年度" and rows[3][26] == "金額"
    return rows


@pytest.mark.parametrize("fiscal_year", sorted(YEAR_COLUMNS))
def test_donations_sum_to_the_summary_file(wh, summary_rows, fiscal_year):
    col = YEAR_COLUMNS[fiscal_year]
    # municipal rows have a 市区町村 name; prefectural governments and the 全国合計 row have none
    expected_thousand = sum(float(r[col]) for r in summary_rows[4:] if r[1] is not None and r[col] is not None)
    if fiscal_year == 2018:
        # the summary prints FY2018 (平成30年度) in whole thousand yen, each municipality rounded half up
        sql = "SELECT sum(round(amount_yen / 1000)) * 1000 FROM core_furusato__donations WHERE fiscal_year = ?"
    else:
        sql = "SELECT sum(amount_yen) FROM core_furusato__donations WHERE fiscal_year = ?"
    assert wh.execute(sql, [fiscal_year]).fetchone()[0] == round(expected_thousand * 1000)


def test_donations_of_two_municipalities(wh, summary_rows):
    expected = {(r[0], r[1]): (round(float(r[26]) * 1000), int(r[27])) for r in summary_rows[4:] if r[1]}
    got = wh.execute(
        "SELECT muni_code, amount_yen, count FROM core_furusato__donations "
        "WHERE fiscal_year = 2020 AND muni_code IN ('27213', '45202') ORDER BY 1"
    ).fetchall()
    assert got == [
        ("27213", *expected[("大阪府", "泉佐野市")]),
        ("45202", *expected[("宮崎県", "都城市")]),
    ]


def test_every_municipality_every_year(wh):
    for table, year in (("core_furusato__donations", "fiscal_year"), ("core_furusato__deductions", "year")):
        counts = wh.execute(f"SELECT {year}, count(*) FROM {table} GROUP BY 1 ORDER BY 1").fetchall()
        first = 2016
        last = 2020 if table.endswith("donations") else 2021
        assert counts == [(y, 1741) for y in range(first, last + 1)]


def test_renamed_municipality_maps_to_its_2020_code(wh):
    # 40305 那珂川町 became 40231 那珂川市 on 2018-10-01: one series under the 2020 code.
    years = wh.execute(
        "SELECT list(fiscal_year ORDER BY fiscal_year) FROM core_furusato__donations WHERE muni_code = '40231'"
    ).fetchone()[0]
    assert years == [2016, 2017, 2018, 2019, 2020]


def test_deductions_sum_to_the_national_row(wh, data_dir):
    # R3_loss.xlsx 集計表: the 総計 row; 市町村民税 and 道府県民税 控除額 of the ふるさと納税 block (columns 56 and 59).
    rows = (
        fastexcel.read_excel(data_dir / "furusato/deductions/R3_loss.xlsx")
        .load_sheet("集計表", header_row=None, dtypes="string")
        .to_polars()
        .rows()
    )
    assert rows[14][55].startswith("控除額") and rows[14][58].startswith("控除額")
    total = next(r for r in rows if r[0] == "総計")
    got = wh.execute(
        "SELECT sum(municipal_tax_yen), sum(prefectural_tax_yen), sum(amount_yen) FROM core_furusato__deductions "
        "WHERE year = 2021"
    ).fetchone()
    assert got[0] == pytest.approx(float(total[55]), abs=1.0)
    assert got[1] == pytest.approx(float(total[58]), abs=1.0)
    assert got[2] == pytest.approx(float(total[55]) + float(total[58]), abs=2.0)
