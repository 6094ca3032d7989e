"""Anchoring パターン1 to published age groups (sousei.domain.projection.anchor) on synthetic arrays."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sousei.domain.projection import ProjectionParams, project
from sousei.domain.projection.anchor import anchor_base, anchor_params, broad_sums
from sousei.domain.projection.engine import advance
from sousei.domain.projection.methods import closed_params

A = 19


@st.composite
def anchored_cases(draw):
    units = draw(st.integers(1, 5))
    steps = draw(st.integers(2, 5))
    base = draw(arrays(np.float64, (units, 2, A), elements=st.floats(1, 5e4)))
    surv = draw(arrays(np.float64, (units, steps, 2, A), elements=st.floats(0.3, 1)))
    mig = draw(arrays(np.float64, (units, steps, 2, A), elements=st.floats(-0.5, 1)))
    cwr = draw(arrays(np.float64, (units, steps), elements=st.floats(0.05, 0.5)))
    boys = draw(arrays(np.float64, (units, steps), elements=st.floats(0.45, 0.55)))
    params = ProjectionParams(2020, surv, mig, cwr, boys)
    engine = project(base, params)
    # targets: the engine's groups times factors in [0.5, 2], for the first `anchored` steps
    anchored = draw(st.integers(1, steps))
    factors = draw(arrays(np.float64, (units, anchored, 3), elements=st.floats(0.5, 2)))
    targets = np.full((units, steps, 3), np.nan)
    targets[:, :anchored] = broad_sums(engine[:, 1 : anchored + 1]) * factors
    return base, params, targets, anchored


def max_deviation(path: np.ndarray, targets: np.ndarray) -> tuple[float, float]:
    """Largest deviation of `path` (units, years, 2, 19) from `targets` (units, years, 3) over units, years and the
    four figures (total and the three groups): (persons, percent of the target); NaN targets are skipped."""
    have = broad_sums(path)
    have4 = np.concatenate([have.sum(axis=-1, keepdims=True), have], axis=-1)
    want4 = np.concatenate([targets.sum(axis=-1, keepdims=True), targets], axis=-1)
    ok = np.isfinite(want4)
    diff = np.abs(have4 - want4)[ok]
    pct = np.divide(diff, want4[ok], out=np.zeros_like(diff), where=want4[ok] > 0) * 100.0
    return (float(diff.max()) if diff.size else 0.0, float(pct.max()) if pct.size else 0.0)


@settings(max_examples=60, deadline=None)
@given(anchored_cases())
def test_anchored_parameters_reproduce_the_targets_and_continue_with_the_engine(case):
    base, params, targets, anchored = case
    p = anchor_params(base, params, targets)
    path = project(base, p)
    _, pct = max_deviation(path[:, 1:], targets)
    assert pct < 1e-9
    # after the last anchored step: the engine's survival and migration from the anchored state, and the engine's
    # child–woman ratio times the unit's anchored level
    for k in range(anchored, params.steps):
        level = p.cwr[:, anchored - 1] / params.cwr[:, anchored - 1]
        expected = advance(path[:, k], params.with_(cwr=params.cwr * level[:, None]), k)[0]
        np.testing.assert_allclose(path[:, k + 1], expected, rtol=1e-9)
    # survival and migration are the engine's: anchoring only adds factors and sets the 0–4 of anchored steps
    assert np.array_equal(p.survival, params.survival) and np.array_equal(p.migration, params.migration)
    assert np.all(p.adjustment[:, :anchored, :, 0] == 1.0)


@settings(max_examples=40, deadline=None)
@given(anchored_cases())
def test_cohorts_carry_from_one_anchored_step_to_the_next(case):
    """Each anchored step starts from the anchored population of the step before: within an age group every
    cell of a cohort is the engine's step of its anchored cell times one factor of the group."""
    base, params, targets, anchored = case
    p = anchor_params(base, params, targets)
    path = project(base, p)
    for k in range(anchored):
        step = advance(path[:, k], params, k)[0]
        ratio = path[:, k + 1, :, 1:] / step[:, :, 1:]
        for g in (slice(0, 2), slice(2, 12), slice(12, 18)):  # 5-9…10-14, 15-19…60-64, 65-69…90+ (minus the 0–4)
            r = ratio[:, :, g].reshape(ratio.shape[0], -1)
            np.testing.assert_allclose(r, r[:, :1] * np.ones_like(r), rtol=1e-9)


def test_the_closed_population_keeps_the_anchored_fertility():
    rng = np.random.default_rng(1)
    base = rng.uniform(100, 1000, (2, 2, A))
    params = ProjectionParams(2020, np.full((1, 2, 2, A), 0.95), np.zeros((1, 2, 2, A)), np.full((1, 2), 0.2),
                              np.full((1, 2), 0.51))  # fmt: skip
    targets = broad_sums(project(base, params)[:, 1:]) * np.array([1.3, 1.0, 1.0])
    p = anchor_params(base, params, targets)
    closed = closed_params(p)
    assert closed.adjustment is None and np.array_equal(closed.cwr, p.cwr)
    assert np.all(p.cwr > params.cwr)  # more children than the engine projects: a higher child–woman ratio


def test_anchor_base_scales_each_group_and_refuses_an_empty_one():
    base = np.ones((1, 2, A))
    want = np.array([[12.0, 40.0, 6.0]])
    np.testing.assert_allclose(broad_sums(anchor_base(base, want)), want)
    empty = base.copy()
    empty[:, :, :3] = 0.0
    with pytest.raises(ValueError, match="no persons aged 0–14"):
        anchor_base(empty, want)
    # NaN: not published, left as it is
    np.testing.assert_array_equal(anchor_base(base, np.full((1, 3), np.nan)), base)


def test_wrong_target_shape_is_refused():
    params = ProjectionParams(2020, np.full((1, 2, 2, A), 0.9), np.zeros((1, 2, 2, A)), np.full((1, 2), 0.2),
                              np.full((1, 2), 0.5))  # fmt: skip
    with pytest.raises(ValueError, match="targets must be"):
        anchor_params(np.ones((3, 2, A)), params, np.ones((3, 3, 3)))
