"""out_dashboard__*: the numbers the dashboard's charts draw, recomputed here from the tables they come from."""

from __future__ import annotations

import duckdb
import pytest


def one(wh: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    row = wh.execute(sql, params or []).fetchone()
    assert row is not None, sql
    return row[0] if len(row) == 1 else row


def test_births_index_starts_at_100_and_follows_the_births(wh: duckdb.DuckDBPyConnection) -> None:
    rows = wh.execute(
        "SELECT year, births_index FROM out_dashboard__births_index WHERE area_code = '01100' ORDER BY year"
    ).fetchall()
    first_year = one(wh, "SELECT min(data_year) FROM core_ssdse__values WHERE item_code = 'A4101'")
    births = dict(
        wh.execute(
            "SELECT data_year, value FROM core_ssdse__values WHERE item_code = 'A4101' AND muni_code = '01100'"
        ).fetchall()
    )
    assert rows[0] == (first_year, 100.0)
    for year, index in rows:
        assert index == pytest.approx(births[year] / births[first_year] * 100, rel=1e-12)


def test_japans_births_are_the_sum_of_the_municipalities(wh: duckdb.DuckDBPyConnection) -> None:
    japan = one(wh, "SELECT births FROM out_dashboard__births_index WHERE area_code = '00000' AND year = 2020")
    summed = one(wh, "SELECT sum(value) FROM core_ssdse__values WHERE item_code = 'A4101' AND data_year = 2020")
    assert japan == summed and japan > 800_000  # Japan's births in 2020: 840,835 (人口動態統計)


def test_tfr_means_are_simple_means_of_the_estimates(wh: duckdb.DuckDBPyConnection) -> None:
    for level, key, where in (
        ("japan", "00000", "TRUE"),
        ("prefecture", "41", "m.pref_code = '41'"),
        ("peer_group", "特別区", "m.peer_group = '特別区'"),
    ):
        mean, n = one(
            wh,
            "SELECT mean_tfr, municipalities FROM out_dashboard__tfr_means "
            "WHERE period = '2018-2022' AND area_level = ? AND area_key = ?",
            [level, key],
        )
        expected, count = one(
            wh,
            f"SELECT avg(t.tfr), count(*) FROM core_tfr__tfr t JOIN core_areas__municipalities m USING (muni_code) "
            f"WHERE t.period = '2018-2022' AND {where}",
        )
        assert (mean, n) == (pytest.approx(expected, rel=1e-12), count)
    assert one(wh, "SELECT municipalities FROM out_dashboard__tfr_means WHERE area_key = '特別区' LIMIT 1") == 23


def test_labour_force_rate_by_sex(wh: duckdb.DuckDBPyConnection) -> None:
    """Men's from the census items; women's are the indicator registry's own values."""
    items = dict(
        wh.execute(
            "SELECT item_code, value FROM core_ssdse__values WHERE muni_code = '13101' AND data_year = 2020 "
            "AND item_code IN ('F110201', 'F110701', 'F110801')"
        ).fetchall()
    )
    men = one(
        wh,
        "SELECT labour_force_rate_pct FROM out_dashboard__labour_force_by_sex "
        "WHERE muni_code = '13101' AND year = 2020 AND sex = 'male'",
    )
    employed, unemployed, inactive = items["F110201"], items["F110701"], items["F110801"]
    assert men == pytest.approx((employed + unemployed) / (employed + unemployed + inactive) * 100, rel=1e-12)
    women = one(
        wh,
        "SELECT labour_force_rate_pct FROM out_dashboard__labour_force_by_sex "
        "WHERE muni_code = '13101' AND year = 2020 AND sex = 'female'",
    )
    registry = one(
        wh,
        "SELECT value FROM out_indicators__values WHERE indicator_id = 'women_labour_force_rate_pct' "
        "AND muni_code = '13101' AND year = 2020",
    )
    assert women == registry and 30 < women < men < 100


def test_industry_shares_add_up_and_match_the_employees(wh: duckdb.DuckDBPyConnection) -> None:
    rows = wh.execute(
        "SELECT industry, employees, share_pct FROM out_dashboard__industry_employment_share "
        "WHERE muni_code = '46303' AND year = 2021"
    ).fetchall()
    total = sum(e for _, e, _ in rows)
    assert sum(s for _, _, s in rows) == pytest.approx(100, abs=1e-9)
    assert all(s == pytest.approx(e / total * 100, rel=1e-12) for _, e, s in rows)
    assert "建設業" in {i for i, _, _ in rows} and not any(i.startswith("従業者数") for i, _, _ in rows)
