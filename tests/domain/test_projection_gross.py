"""The pool-model variant (IPSS 2023's 転出率・配分率) on synthetic arrays: gross rates that add up to the net
rates, a first step equal to the held net rates, and a closed pool that stays closed."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sousei.domain.projection import ProjectionParams, project
from sousei.domain.projection.gross import dispersion_profile, gross_rates, pool_params, unit_out_migrants

A = 19


def _params(units: int, steps: int, rates: np.ndarray, survival: float = 0.97) -> ProjectionParams:
    return ProjectionParams(
        2020,
        np.full((units, steps, 2, A), survival),
        np.broadcast_to(rates[:, None], (units, steps, 2, A)).copy(),
        np.full((units, steps), 0.2),
        np.full((units, steps), 0.51),
    )


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_gross_rates_add_up_to_the_net_rates_and_are_never_negative(seed):
    rng = np.random.default_rng(seed)
    units = int(rng.integers(1, 8))
    net = rng.uniform(-0.6, 0.6, (units, 2, A))
    survivors = rng.uniform(0, 5e4, (units, 2, A))
    out_migrants = rng.uniform(0, 2e4, units)
    out_rate, in_rate = gross_rates(net, survivors, out_migrants)
    np.testing.assert_allclose(in_rate - out_rate, net, atol=1e-12)
    assert (out_rate >= 0).all() and (in_rate >= -1e-12).all()


def test_the_out_migrants_are_spread_by_the_profile_and_keep_their_total():
    net = np.zeros((2, 2, A))
    survivors = np.full((2, 2, A), 1000.0)
    profile = np.linspace(1.0, 2.0, 2 * A).reshape(2, A)
    out_rate, in_rate = gross_rates(net, survivors, np.array([3800.0, 0.0]), profile)
    assert (out_rate[0] * survivors[0]).sum() == pytest.approx(3800.0)
    np.testing.assert_allclose(out_rate[0] / out_rate[0, 0, 0], profile / profile[0, 0])
    np.testing.assert_array_equal(out_rate[1], 0.0)
    np.testing.assert_array_equal(in_rate, out_rate)  # net 0: as many come as go


def test_a_unit_without_a_figure_keeps_its_net_rate():
    net = np.full((1, 2, A), -0.1)
    out_rate, in_rate = gross_rates(net, np.full((1, 2, A), 100.0), np.array([np.nan]))
    np.testing.assert_allclose(out_rate, 0.1)
    np.testing.assert_allclose(in_rate, 0.0)


def test_joint_units_sum_their_members_and_unknown_codes_are_nan():
    out = unit_out_migrants(
        ["01100", "07999", "99999"], {"01100": 10.0, "07202": 2.0, "07203": 3.0}, {"07999": ["07202", "07203", "07204"]}
    )
    assert out[:2].tolist() == [10.0, 5.0] and np.isnan(out[2])


def test_the_profile_is_larger_where_units_differ_more():
    net = np.zeros((3, 2, A))
    net[:, :, 4] = [[-0.3], [0.0], [0.3]]
    net[:, :, 10] = [[-0.01], [0.0], [0.01]]
    profile = dispersion_profile(net, np.ones((3, 2, A)))
    assert profile[0, 4] > profile[0, 10] > profile[0, 12] == 0.0


def test_the_first_step_is_the_held_net_rates_and_a_shrinking_unit_keeps_its_in_migrants():
    base = np.full((3, 2, A), 1000.0) * np.array([1.0, 2.0, 3.0])[:, None, None]
    rates = np.zeros((3, 2, A))
    rates[0] = -0.15  # a unit losing people at every age
    params = _params(3, 4, rates)
    # out-migrants: 30% of the losing unit's people (so 15% come in), 10% of the others'
    pooled = pool_params(base, params, base.sum(axis=(1, 2)) * np.array([0.3, 0.1, 0.1]))
    np.testing.assert_allclose(pooled.migration[:, 0], params.migration[:, 0], atol=1e-12)
    # the losing unit's in-migrants are a share of a pool that shrinks more slowly than it does
    assert (pooled.migration[0, 1:, :, :-1] > params.migration[0, 1:, :, :-1]).all()
    assert (np.diff(pooled.migration[0, :, 0, 5]) > 0).all()


def test_a_closed_pool_stays_closed():
    """Net migrants that add up to zero in the first step add up to zero at every step (in-migrants are shares of
    the out-migrants of the same sex × age)."""
    rng = np.random.default_rng(11)
    base = rng.uniform(500, 5000, (4, 2, A))
    base[0] *= 4
    survivors = base * 0.97
    gains = rng.uniform(0, 0.05, (4, 2, A))
    gains[0] = 0.0
    # the first unit loses exactly what the others gain
    rates = gains.copy()
    rates[0] = -(gains[1:] * survivors[1:]).sum(axis=0) / survivors[0]
    params = _params(4, 5, rates)
    pooled = pool_params(base, params, np.full(4, 3000.0))
    path = project(base, pooled)
    for k in range(5):
        surv = path[:, k] * 0.97
        net = (surv * pooled.migration[:, k]).sum(axis=0)
        np.testing.assert_allclose(net, 0.0, atol=1e-6)
