"""The 参考値 rules of reference.mark_reference on small frames: small denominator, registration ≠ census, a census
that counted almost nobody (docs/methods/deviation.md)."""

from __future__ import annotations

import polars as pl

from sousei.domain.indicators.reference import mark_reference


def _values(ind: str, rows: list[tuple[str, int, float, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "indicator_id": [ind] * len(rows),
            "muni_code": [r[0] for r in rows],
            "year": [r[1] for r in rows],
            "numerator": [r[2] for r in rows],
            "denominator": [r[3] for r in rows],
            "value": [r[2] / r[3] for r in rows],
        },
        schema_overrides={"year": pl.Int32},
    )


META = pl.DataFrame(
    {
        "indicator_id": ["rate", "gfr"],
        "min_denominator": [20.0, 0.0],
        "min_denominator_ja": ["女性人口", ""],
        "reference_as": ["", ""],
        "registered_over_census": [False, True],
    }
)
# 07545 大熊町: 10,265 registered, 847 counted by the census 2020; 07548 葛尾村: 18 counted in 2015
REGISTRATION = pl.DataFrame(
    {
        "muni_code": ["07545", "01100", "07548", "07548"],
        "census_year": [2020, 2020, 2015, 2020],
        "census": [847.0, 1_973_395.0, 18.0, 420.0],
        "ratio": [12.12, 1.00, 82.2, 3.27],
    }
)


def test_a_small_denominator_is_a_reference_value_with_its_reason() -> None:
    out = mark_reference(_values("rate", [("01100", 2020, 5.0, 10.0), ("01100", 2021, 50.0, 100.0)]), META, None)
    assert out["is_reference"].to_list() == [True, False]
    assert out["reference_reason"][0] == "女性人口が10（20未満）と少なく、少数の増減で値が大きく振れる"
    assert out["in_totals"].to_list() == [True, True]  # still counted in Japan's ratio of sums


def test_registered_over_census_outside_0_7_1_3_is_a_reference_value_left_out_of_totals() -> None:
    vals = _values("gfr", [("07545", 2023, 52.0, 36.0), ("01100", 2023, 10_000.0, 400_000.0)])
    out = mark_reference(vals, META, REGISTRATION).sort("muni_code")
    assert out["is_reference"].to_list() == [False, True]
    assert "12.12倍" in out["reference_reason"][1]
    assert out["in_totals"].to_list() == [True, False]
    # the same town is compared as usual on an indicator whose numerator and denominator are both census counts
    same = mark_reference(_values("rate", [("07545", 2020, 300.0, 847.0)]), META, REGISTRATION)
    assert same["is_reference"].to_list() == [False]


def test_a_census_that_counted_almost_nobody_makes_every_rate_a_reference_value() -> None:
    out = mark_reference(
        _values("rate", [("07548", 2015, 9.0, 18.0), ("07548", 2020, 210.0, 420.0)]), META, REGISTRATION
    )
    assert out.sort("year")["is_reference"].to_list() == [True, False]
    assert out.sort("year")["reference_reason"][0].startswith("2015年国勢調査の人口が18人")
