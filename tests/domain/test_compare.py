"""Property and unit tests of compare.py: 偏差値 mean 50 / sd 10 over the comparison set, affine invariance, national /
prefecture / peer values, ranks and the change since the previous data year."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sousei.domain.indicators.compare import compare, compute_values

finite = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)
# every comparison set (Japan, and each of the two peer groups: even and odd positions) has a spread, so that its sd
# is not 0 (a set of equal values scores 50, and an affine change could make float noise of them)
vectors = arrays(np.float64, st.integers(4, 40), elements=finite).filter(
    lambda a: (
        np.ptp(a[::2]) > 1e-2 * (1 + np.abs(a).max() * 1e-6) and np.ptp(a[1::2]) > 1e-2 * (1 + np.abs(a).max() * 1e-6)
    )
)


def _areas(n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "muni_code": [f"{i:05d}" for i in range(n)],
            "pref_code": [f"{1 + i % 3:02d}" for i in range(n)],
            "peer_group": [f"g{i % 2}" for i in range(n)],
        }
    )


def _values(x: np.ndarray, ind: str = "a", year: int = 2020, den: np.ndarray | None = None) -> pl.DataFrame:
    n = len(x)
    d = np.ones(n) if den is None else den
    return pl.DataFrame(
        {
            "indicator_id": [ind] * n,
            "muni_code": [f"{i:05d}" for i in range(n)],
            "year": [year] * n,
            "numerator": x * d,
            "denominator": d,
        },
        schema_overrides={"year": pl.Int32},
    )


def _meta(
    direction: str = "higher_better", ind: str = "a", scale: float = 1.0, aggregate: str = "ratio_of_sums"
) -> pl.DataFrame:
    return pl.DataFrame({"indicator_id": [ind], "direction": [direction], "aggregate": [aggregate], "scale": [scale]})


def _run(x: np.ndarray, direction: str = "higher_better", den: np.ndarray | None = None) -> pl.DataFrame:
    vals = compute_values(_values(x, den=den), {"a": 1.0})
    return compare(vals, _areas(len(x)), _meta(direction)).sort("muni_code")


@settings(max_examples=60, deadline=None)
@given(vectors)
def test_deviation_follows_the_values_and_stays_within_0_100_over_japan_and_within_each_peer_group(
    x: np.ndarray,
) -> None:
    out = _run(x)
    for part, col in [(out, "deviation_japan"), *((p, "deviation_peer") for _g, p in out.group_by("peer_group"))]:
        d, v = part[col].to_numpy(), part["value"].to_numpy()
        assert ((d >= 0) & (d <= 100)).all()
        order = np.argsort(v, kind="stable")
        assert (np.diff(d[order]) >= -1e-9).all()  # a larger value never scores lower


@settings(max_examples=60, deadline=None)
@given(vectors, st.floats(0.001, 1000), st.floats(-1e5, 1e5))
def test_a_positive_affine_change_leaves_deviation_and_ranks_unchanged(x: np.ndarray, a: float, b: float) -> None:
    before, after = _run(x), _run(a * x + b)
    for col in ("deviation_japan", "deviation_peer", "oriented_japan"):
        assert np.allclose(before[col].to_numpy(), after[col].to_numpy(), atol=1e-6)
    gaps = np.diff(np.unique(x))
    if gaps.size and gaps.min() > 1e-3:  # ranks of near-ties may flip with float rounding; distinct values may not
        assert before["rank_japan"].to_list() == after["rank_japan"].to_list()


@settings(max_examples=40, deadline=None)
@given(vectors)
def test_lower_is_better_mirrors_the_oriented_score_and_reverses_ranks(x: np.ndarray) -> None:
    hi, lo = _run(x, "higher_better"), _run(x, "lower_better")
    assert np.allclose(hi["oriented_japan"].to_numpy(), 100 - lo["oriented_japan"].to_numpy())
    best_hi = hi.filter(pl.col("rank_japan") == 1)["value"].to_list()
    best_lo = lo.filter(pl.col("rank_japan") == 1)["value"].to_list()
    assert set(best_hi) == {x.max()} and set(best_lo) == {x.min()}


def test_national_and_prefecture_values_are_ratios_of_sums_and_peer_value_the_group_mean() -> None:
    num = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    den = np.array([10.0, 10.0, 20.0, 20.0, 40.0, 40.0])
    raw = _values(num / den, den=den)
    out = compare(compute_values(raw, {"a": 100.0}), _areas(6), _meta(scale=100.0)).sort("muni_code")
    assert out["value"].to_list() == [10.0, 20.0, 15.0, 20.0, 12.5, 15.0]
    assert set(out["national_value"].to_list()) == {21.0 / 140.0 * 100}
    pref = dict(zip(out["muni_code"], out["prefecture_value"], strict=True))
    assert pref["00000"] == (1 + 4) / (10 + 20) * 100  # 00000 and 00003 are prefecture 01
    peer = dict(zip(out["muni_code"], out["peer_mean"], strict=True))
    assert peer["00000"] == np.mean([10.0, 15.0, 12.5])  # g0: 00000, 00002, 00004


def test_published_national_and_prefecture_values_override_the_ratio_of_sums() -> None:
    published = pl.DataFrame(
        {
            "indicator_id": ["a", "a"],
            "level": ["national", "prefecture"],
            "pref_code": [None, "01"],
            "year": [2020, 2020],
            "value": [1.0, 2.0],
        },  # fmt: skip
        schema_overrides={"year": pl.Int32, "pref_code": pl.Utf8},
    )
    out = compare(compute_values(_values(np.array([5.0, 6.0, 7.0])), {"a": 1.0}), _areas(3), _meta(), published)
    assert set(out["national_value"].to_list()) == {1.0}
    assert out.filter(pl.col("muni_code") == "00000")["prefecture_value"].item() == 2.0
    assert out.filter(pl.col("muni_code") == "00001")["prefecture_value"].item() is None


def test_ranks_in_prefecture_and_change_since_the_previous_year() -> None:
    v1 = _values(np.array([1.0, 2.0, 3.0, 4.0]), year=2015)
    v2 = _values(np.array([2.0, 2.0, 1.0, 8.0]), year=2020)
    out = compare(compute_values(pl.concat([v1, v2]), {"a": 1.0}), _areas(4), _meta()).sort("muni_code", "year")
    last = out.filter(pl.col("year") == 2020)
    assert last["previous_year"].to_list() == [2015] * 4
    assert last["change"].to_list() == [1.0, 0.0, -2.0, 4.0]
    assert last["rank_japan"].to_list() == [2, 2, 4, 1]  # ties share the best rank
    assert last["rank_prefecture"].to_list() == [2, 1, 1, 1]  # prefs 01: 00000, 00003; 02: 00001; 03: 00002
    assert last["n_prefecture"].to_list() == [2, 1, 1, 2]
    first = out.filter(pl.col("year") == 2015)
    assert first["previous_year"].null_count() == 4
    # the trend score: the largest rise gets the best oriented change score
    assert last.sort("oriented_change_score")["muni_code"].to_list()[-1] == "00003"


def test_zero_denominators_and_missing_values_are_left_out() -> None:
    raw = _values(np.array([1.0, 2.0, 3.0]), den=np.array([1.0, 0.0, 1.0]))
    vals = compute_values(raw, {"a": 1.0})
    assert vals["value"].null_count() == 1
    out = compare(vals, _areas(3), _meta())
    assert out.height == 2 and out["n_japan"].to_list() == [2, 2]


def test_one_extreme_value_cannot_collapse_the_others_scores() -> None:
    # 楢葉町's case: one municipality at 20,000% among ordinary values of about −10..10%
    rng = np.random.default_rng(7)
    x = np.append(rng.normal(0.0, 5.0, 999), 20_000.0)
    d = _run(x)["deviation_japan"].to_numpy()
    p10, p90 = np.percentile(d[:-1], [10, 90])
    assert p90 - p10 > 20  # plain 偏差値 put everyone but the outlier within half a point of 50
    assert d[-1] == 100.0 and d.min() >= 0.0


def test_a_reference_value_is_shown_but_not_compared() -> None:
    vals = compute_values(_values(np.array([1.0, 2.0, 3.0, 400.0])), {"a": 1.0}).with_columns(
        (pl.col("muni_code") == "00003").alias("is_reference"),
        pl.when(pl.col("muni_code") == "00003").then(pl.lit("分母が少ない")).alias("reference_reason"),
        pl.lit(True).alias("in_totals"),
    )
    out = compare(vals, _areas(4), _meta()).sort("muni_code")
    ref = out.filter(pl.col("is_reference"))
    assert ref["value"].to_list() == [400.0] and ref["reference_reason"].to_list() == ["分母が少ない"]
    assert ref["deviation_japan"].item() is None and ref["rank_japan"].item() is None
    rest = out.filter(~pl.col("is_reference"))
    assert rest["n_japan"].to_list() == [3, 3, 3] and rest["rank_japan"].to_list() == [3, 2, 1]
    assert out.filter(pl.col("muni_code") == "00001")["peer_mean"].item() == 2.0  # g1 = 00001, 00003: 400 left out
    assert set(out["national_value"].to_list()) == {np.mean([1.0, 2.0, 3.0, 400.0])}  # still in the total


def test_a_count_is_totalled_and_never_scored() -> None:
    out = compare(
        compute_values(_values(np.array([10.0, 20.0, 70.0])), {"a": 1.0}), _areas(3), _meta("neutral", aggregate="sum")
    )
    assert set(out["national_value"].to_list()) == {100.0}
    assert out["deviation_japan"].null_count() == 3 and out["oriented_change_score"].null_count() == 3
    assert sorted(out["rank_japan"].to_list()) == [1, 2, 3]
