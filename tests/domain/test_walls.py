"""The walls decomposition: the factors add up to the gap, flags follow the stated thresholds, edge cases are NaN."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sousei.domain.walls import (
    MARRIAGE_WALL_THRESHOLD,
    SECOND_CHILD_WALL_THRESHOLD,
    correlate_with_gap,
    decompose_births_gap,
    married_share_from_unmarried,
)

pos = st.floats(1.0, 1e5)
share = st.floats(0.01, 1.0)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(pos, pos, share), min_size=1, max_size=30), pos, pos, share)
def test_factors_add_up_to_the_gap(rows: list[tuple[float, float, float]], nb: float, nw: float, nm: float) -> None:
    b, w, m = (np.array(c) for c in zip(*rows, strict=True))
    p = decompose_births_gap(b, w, m, national=(nb, nw, nm))
    assert np.allclose(p["marriage_factor"] + p["marital_fertility_factor"], p["births_gap"], atol=1e-9)
    assert np.allclose(p["fertility"], p["marital_fertility"] * m)
    assert np.array_equal(p["is_marriage_wall"], p["marriage_factor"] <= MARRIAGE_WALL_THRESHOLD)
    assert np.array_equal(p["is_second_child_wall"], p["marital_fertility_factor"] <= SECOND_CHILD_WALL_THRESHOLD)


def test_a_municipality_like_japan_has_no_gap_and_no_wall() -> None:
    p = decompose_births_gap([100.0], [2000.0], [0.6], national=(1000.0, 20000.0, 0.6))
    assert p["births_gap"][0] == pytest.approx(0.0) and not p["is_marriage_wall"][0]


def test_fewer_marriages_alone_is_the_marriage_wall() -> None:
    # same births per married woman as Japan, 20% fewer married women
    p = decompose_births_gap([80.0], [2000.0], [0.48], national=(1000.0, 20000.0, 0.6))
    assert p["marriage_factor"][0] == pytest.approx(np.log(0.8))
    assert p["marital_fertility_factor"][0] == pytest.approx(0.0, abs=1e-12)
    assert p["is_marriage_wall"][0] and not p["is_second_child_wall"][0]


def test_no_women_or_no_births_gives_no_factors() -> None:
    p = decompose_births_gap([0.0, 5.0, 5.0], [100.0, 0.0, 100.0], [0.5, 0.5, np.nan], national=(10.0, 100.0, 0.5))
    assert np.isnan(p["births_gap"]).all() and not p["is_marriage_wall"].any()


def test_bad_national_figures_fail() -> None:
    with pytest.raises(ValueError):
        decompose_births_gap([1.0], [1.0], [0.5], national=(1.0, 0.0, 0.5))
    with pytest.raises(ValueError):
        decompose_births_gap([1.0], [1.0], [1.5], national=(1.0, 1.0, 0.5))


def test_married_share_weights_the_groups_by_women_and_needs_every_group() -> None:
    rates = pl.DataFrame(
        {"muni_code": ["A", "A", "B"], "age_group": ["25-29", "30-34", "25-29"], "unmarried_pct": [60.0, 30.0, 50.0]}
    )
    women = pl.DataFrame(
        {"muni_code": ["A", "A", "B", "B"], "age_group": ["25-29", "30-34", "25-29", "30-34"],
         "women": [100.0, 300.0, 10.0, 10.0]}
    )  # fmt: skip
    got = dict(married_share_from_unmarried(rates, women).select("muni_code", "married_share").iter_rows())
    assert got["A"] == pytest.approx(1 - (0.6 * 100 + 0.3 * 300) / 400)
    assert got["B"] is None  # 30-34 has no rate


def test_correlation_uses_the_deviation_scores() -> None:
    gap = np.array([0.1, 0.2, np.nan, 0.4, 0.5])
    r, n = correlate_with_gap(gap, np.array([1.0, 2.0, 3.0, 4.0, 5.0]) * 7 + 3)
    assert n == 4 and r == pytest.approx(np.corrcoef([0.1, 0.2, 0.4, 0.5], [1, 2, 4, 5])[0, 1])
    assert np.isnan(correlate_with_gap(gap, np.ones(5))[0])
