"""こども家庭庁 保育所等関連状況取りまとめ 2025 (childcare_waiting_2025): CATALOG figures and the parser's refusals."""

from __future__ import annotations

from pathlib import Path

import duckdb
import fastexcel
import pytest
from tests.helpers import one

from sousei.pipeline.errors import BuildError
from sousei.pipeline.sources import childcare


def test_childcare_catalog_figures(wh: duckdb.DuckDBPyConnection) -> None:
    # CATALOG: Σ 待機児童 = 2,254; Σ 申込者数 = 2,765,235; Σ 定員 合計 (保育所 column) = 2,072,235;
    # 大津市 132 待機児童 (the most); 札幌市 申込者数 34,262.
    totals = "FROM core_childcare__applicants_2025 WHERE age_group = '合計'"
    assert one(wh, f"SELECT sum(waiting) {totals}") == 2_254
    assert one(wh, f"SELECT sum(applicants) {totals}") == 2_765_235
    capacity = "SELECT sum(capacity) FROM core_childcare__capacity_2025 WHERE age_group = '合計' AND facility = ?"
    assert one(wh, capacity, "保育所") == 2_072_235
    most = wh.execute(f"SELECT muni_code, waiting {totals} ORDER BY waiting DESC LIMIT 2").fetchall()
    assert most[0] == ("25201", 132) and most[1][1] < 132
    assert one(wh, "SELECT name FROM core_areas__municipalities WHERE muni_code = '25201'") == "大津市"
    assert one(wh, f"SELECT applicants {totals} AND muni_code = '01100'") == 34_262


def test_every_municipality_once_per_group(wh: duckdb.DuckDBPyConnection) -> None:
    per_group = wh.execute(
        "SELECT age_group, count(DISTINCT muni_code), count(*) FROM core_childcare__applicants_2025 GROUP BY 1"
    ).fetchall()
    assert sorted(g for g, _, _ in per_group) == sorted(childcare.APPLICANT_AGE_GROUPS)
    assert all(n == rows == 1741 for _, n, rows in per_group)
    cells = one(wh, "SELECT count(*) FROM core_childcare__capacity_2025")
    assert cells == 1741 * len(childcare.CAPACITY_AGE_GROUPS) * len(childcare.FACILITIES)
    # 檮原町 is printed 梼原町 in the workbook, as in the MIC list.
    assert one(wh, "SELECT count(*) FROM core_childcare__applicants_2025 WHERE muni_code = '39405'") == 5


def test_every_applicant_is_placed_or_in_one_group_not_placed(wh: duckdb.DuckDBPyConnection) -> None:
    # The workbook closes exactly: 申込者数 = the 7 facility types + 育児休業中 + 特定の保育園等のみ希望
    # + 求職活動を休止 + 待機児童 in every row (the build checks it too), so the 「隠れ待機」 groups are separable.
    rows = wh.execute(
        """SELECT applicants, using_nursery + using_integrated_center + using_kindergarten_center
                  + using_community_care + using_special_care + using_company_led + using_local_program AS placed,
                  on_parental_leave + specific_facility_only + job_search_suspended + waiting AS not_placed
           FROM core_childcare__applicants_2025"""
    ).fetchall()
    assert len(rows) == 1741 * len(childcare.APPLICANT_AGE_GROUPS)
    assert all(a == p + n for a, p, n in rows)


@pytest.fixture(scope="module")
def sheets(data_dir: Path) -> dict[str, list[tuple]]:
    reader = fastexcel.read_excel(data_dir / childcare.FILE)
    return {
        name: reader.load_sheet(name, header_row=None, dtypes="string").to_polars().rows()
        for name in (childcare.CAPACITY_SHEET, childcare.APPLICANTS_SHEET)
    }


@pytest.fixture(scope="module")
def codes(wh_connection: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    with wh_connection.cursor() as cursor:
        return childcare.name_to_code(
            cursor.sql("SELECT muni_code, pref_name, name FROM core_areas__municipalities").pl()
        )


def test_an_unknown_name_is_named(sheets: dict[str, list[tuple]], codes: dict) -> None:
    rows = list(sheets[childcare.APPLICANTS_SHEET])
    first = list(rows[childcare.FIRST_DATA_ROW])
    first[3] = "架空市"
    rows[childcare.FIRST_DATA_ROW] = tuple(first)
    with pytest.raises(BuildError, match="北海道 架空市 is not a 2020 municipality") as err:
        childcare.parse_applicants(rows, codes)
    assert "row 8" in str(err.value)


def test_a_total_row_that_disagrees_is_named(sheets: dict[str, list[tuple]], codes: dict) -> None:
    rows = list(sheets[childcare.CAPACITY_SHEET])
    last = next(i for i, r in enumerate(rows) if r[2] == "計")
    total = list(rows[last])
    total[4] = str(int(total[4]) + 1)
    rows[last] = tuple(total)
    with pytest.raises(BuildError, match="保育所: municipalities add up to 2,072,235, the 計 row says 2,072,236"):
        childcare.parse_capacity(rows, codes)


def test_a_moved_header_is_named(sheets: dict[str, list[tuple]], codes: dict) -> None:
    rows = list(sheets[childcare.APPLICANTS_SHEET])
    header = list(rows[childcare.HEADER_ROW])
    header[15] = "待機児童数"
    rows[childcare.HEADER_ROW] = tuple(header)
    with pytest.raises(BuildError, match="column '待機児童数', expected '待機児童'"):
        childcare.parse_applicants(rows, codes)
