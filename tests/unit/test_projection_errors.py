"""The validation report's split of a projection's error into the prefectures' totals and the units within them."""

import polars as pl
import pytest

from sousei.validation.projection_errors import errors, excess_allocation, prefecture_errors, prefecture_split


def _units() -> pl.DataFrame:
    # prefecture 01: both units 10% high (its total is off, the split within it is right);
    # prefecture 02: the total is right, one unit 20% high and the other 20% low
    ours = pl.DataFrame({"muni_code": ["01100", "01202", "02201", "02202"], "projected": [110.0, 330.0, 120.0, 80.0]})
    ipss = pl.DataFrame({"muni_code": ["01100", "01202", "02201", "02202"], "ipss": [100.0, 300.0, 100.0, 100.0]})
    return errors(ours, ipss)


def test_prefecture_errors_sum_the_units_of_each_prefecture():
    pref = prefecture_errors(_units(), pl.DataFrame({"pref_code": ["01", "02"], "ipss": [400.0, 200.0]}))
    got = dict(zip(pref["pref_code"].to_list(), pref["err_pct"].to_list(), strict=True))
    assert got == pytest.approx({"01": 10.0, "02": 0.0})


def test_prefecture_split_separates_the_totals_from_the_share_within():
    lines = prefecture_split(_units(), pl.DataFrame({"pref_code": ["01", "02"], "ipss": [400.0, 200.0]}))
    rows = {
        c[0]: c[2:4]
        for c in ([x.strip() for x in line.strip("|").split("|")] for line in lines if line.startswith("| "))
    }
    assert rows["prefecture totals (Σ of the units)"] == ["5.00", "9.00"]  # |10%| and |0%|
    assert rows["units as projected"] == ["15.00", "20.00"]  # 10, 10, 20, 20
    # rescaled to the published prefecture total, 01's units are exact and 02's keep their ±20%
    assert rows["units rescaled to their prefecture's published total"] == ["10.00", "20.00"]
    assert "furthest above: 01 +10.0%" in lines[-1]


def test_excess_allocation_names_where_the_added_persons_land():
    without = pl.DataFrame({"pref_code": ["13", "31"], "projected": [1000.0, 500.0]})
    with_ = pl.DataFrame({"pref_code": ["13", "31"], "projected": [1090.0, 510.0]})
    population = pl.DataFrame({"pref_code": ["13", "31"], "base": [600.0, 400.0]})
    text = excess_allocation(without, with_, population)
    assert text.startswith("100 persons; ")
    assert "13 90% of them (60% of the 2020 population), 31 10% of them (40% of the 2020 population)" in text
