"""Property tests of 偏差値 and ranks."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sousei.domain.scores import deviation_scores, oriented, ranks, standardised_scores

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
vectors = arrays(np.float64, st.integers(2, 60), elements=finite).filter(lambda a: np.ptp(a) > 1e-3)


def representable(x: np.ndarray, a: float, b: float) -> bool:
    """Whether a·x + b still carries x's differences in float64: adding b rounds each value to about |b|·1e-16, so
    a spread a·ptp(x) below |b|·1e-8 leaves differences that rounding alone moves by more than the 1e-6 asked."""
    return bool(a * np.ptp(x) > 1e-8 * max(1.0, abs(b)))


@given(vectors)
def test_scores_have_mean_50_and_sd_10(x: np.ndarray) -> None:
    s = deviation_scores(x)
    assert np.isclose(s.mean(), 50.0, atol=1e-6)
    assert np.isclose(s.std(), 10.0, atol=1e-6)


@given(vectors, st.floats(0.001, 1000), st.floats(-1e6, 1e6))
def test_a_positive_affine_change_leaves_scores_unchanged(x: np.ndarray, a: float, b: float) -> None:
    assume(representable(x, a, b))
    assert np.allclose(deviation_scores(x), deviation_scores(a * x + b), atol=1e-6)


@given(vectors)
def test_within_group_scores_are_scores_of_the_group_alone(x: np.ndarray) -> None:
    groups = np.arange(len(x)) % 3
    s = deviation_scores(x, groups)
    for g in range(3):
        part = x[groups == g]
        if part.size and np.ptp(part) > 1e-3:
            assert np.allclose(s[groups == g], deviation_scores(part))


def test_missing_values_stay_missing_and_do_not_count() -> None:
    s = deviation_scores([1.0, np.nan, 3.0])
    assert np.isnan(s[1])
    assert np.allclose(s[[0, 2]], [40.0, 60.0])


def test_a_constant_set_scores_50() -> None:
    assert list(deviation_scores([2.0, 2.0])) == [50.0, 50.0]


def test_orientation_and_ranks_follow_the_direction() -> None:
    x = np.array([10.0, 30.0, 20.0, 30.0])
    assert list(ranks(x, "higher_better")) == [4, 1, 3, 1]
    assert list(ranks(x, "lower_better")) == [1, 3, 2, 3]
    s = deviation_scores(x)
    assert np.allclose(oriented(s, "lower_better"), 100 - s)


@given(vectors)
def test_robust_scores_lie_in_0_100_and_keep_the_order(x: np.ndarray) -> None:
    for method in ("winsorised", "log_winsorised"):
        s = standardised_scores(x, method)  # type: ignore[arg-type]
        assert ((s >= 0) & (s <= 100)).all()
        order = np.argsort(x, kind="stable")
        assert (np.diff(s[order]) >= -1e-9).all()


@given(vectors, st.floats(0.001, 1000), st.floats(-1e6, 1e6))
def test_winsorised_scores_are_affine_invariant(x: np.ndarray, a: float, b: float) -> None:
    assume(representable(x, a, b))
    assert np.allclose(standardised_scores(x), standardised_scores(a * x + b), atol=1e-6)


@given(arrays(np.float64, st.integers(5, 60), elements=st.floats(0.01, 1e6)).filter(lambda a: np.ptp(a) > 1e-2),
       st.floats(0.001, 1000))  # fmt: skip
def test_log_scores_do_not_depend_on_the_unit(x: np.ndarray, a: float) -> None:
    # per-capita amounts: yen or thousand yen, per 1,000 or per 10,000 people give the same 偏差値
    assert np.allclose(
        standardised_scores(x, "log_winsorised"), standardised_scores(a * x, "log_winsorised"), atol=1e-6
    )


def test_the_winsorised_centre_ignores_one_extreme_value() -> None:
    x = np.append(np.linspace(-10.0, 10.0, 199), 20_000.0)
    s = standardised_scores(x)
    assert s[-1] == 100.0
    assert np.isclose(s[99], 50.0, atol=0.5)  # the median municipality stays near 50
    assert s[:-1].max() - s[:-1].min() > 30  # the others keep their spread


def _reference_scores(x: np.ndarray, method: str) -> np.ndarray:
    """The rule written plainly with np.percentile, one set at a time (docs/methods/deviation.md)."""
    y = x.copy()
    if method == "log_winsorised" and (x > 0).any():
        y = np.log(np.maximum(x, np.percentile(x[x > 0], 1)))
    w = np.clip(y, *np.percentile(y, [1, 99]))
    flat = w.std() <= 1e-12 * abs(w.mean())  # all equal, up to float noise
    return np.full(y.shape, 50.0) if flat else np.clip(50 + 10 * (y - w.mean()) / w.std(), 0, 100)


@given(vectors, st.sampled_from(["winsorised", "log_winsorised"]))
def test_vectorised_group_scores_equal_the_plain_rule_per_group(x: np.ndarray, method: str) -> None:
    groups = np.arange(len(x)) % 3
    s = standardised_scores(x, method, groups)  # type: ignore[arg-type]
    for g in range(3):
        part = x[groups == g]
        if part.size:
            assert np.allclose(s[groups == g], _reference_scores(part, method), atol=1e-6)
    assert np.allclose(standardised_scores(x, method), _reference_scores(x, method), atol=1e-6)  # type: ignore[arg-type]
