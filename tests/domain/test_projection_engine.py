"""Invariants of the cohort-component engine on synthetic arrays (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sousei.domain.projection import ProjectionParams, project
from sousei.domain.projection.engine import advance, as_rates, group_adjustment
from sousei.domain.projection.impact import NATURAL_EDGES, SOCIAL_EDGES, impact_level
from sousei.domain.projection.methods import residual_migration_rates, survival_from_qx
from sousei.domain.projection.scenarios import tfr_path
from sousei.domain.projection.sustainability import classify

A = 19


@st.composite
def cases(draw, zero_migration: bool = False):
    units = draw(st.integers(1, 6))
    steps = draw(st.integers(1, 4))
    base = draw(arrays(np.float64, (units, 2, A), elements=st.floats(0, 5e4)))
    surv = draw(arrays(np.float64, (units, steps, 2, A), elements=st.floats(0, 1)))
    mig = (
        np.zeros((units, steps, 2, A))
        if zero_migration
        else draw(arrays(np.float64, (units, steps, 2, A), elements=st.floats(-1, 3)))
    )
    cwr = draw(arrays(np.float64, (units, steps), elements=st.floats(0, 0.6)))
    boys = draw(arrays(np.float64, (units, steps), elements=st.floats(0.4, 0.6)))
    return base, ProjectionParams(2020, surv, mig, cwr, boys)


@settings(max_examples=60, deadline=None)
@given(cases())
def test_no_negative_cohorts(case):
    base, params = case
    result = project(base, params)
    assert result.shape == (base.shape[0], params.steps + 1, 2, A)
    assert np.all(result >= 0)
    assert np.array_equal(result[:, 0], base)


@settings(max_examples=60, deadline=None)
@given(cases(zero_migration=True))
def test_zero_migration_change_is_births_minus_deaths(case):
    base, params = case
    pop = base
    for k in range(params.steps):
        new, deaths, children = advance(pop, params, k)
        np.testing.assert_allclose(new.sum(axis=(1, 2)) - pop.sum(axis=(1, 2)), children - deaths, atol=1e-6)
        assert np.all(deaths >= 0)
        pop = new


@settings(max_examples=60, deadline=None)
@given(cases())
def test_sexes_and_ages_sum_to_totals(case):
    base, params = case
    result = project(base, params)
    totals = result.sum(axis=(2, 3))
    np.testing.assert_allclose(result[:, :, 0].sum(-1) + result[:, :, 1].sum(-1), totals, rtol=1e-12)
    # the new 0-4 split exactly into boys and girls by the share of boys
    kids = result[:, 1:, :, 0].sum(axis=-1)
    np.testing.assert_allclose(result[:, 1:, 0, 0], kids * params.male_share_0_4, rtol=1e-9, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(cases(), st.data())
def test_unit_alone_equals_its_row(case, data):
    base, params = case
    # national consistency factors are computed once for all units and travel with the parameters
    targets = project(base, params)[:, 1:].sum(axis=0) * data.draw(st.floats(0.8, 1.2)) + 1.0
    adjusted = group_adjustment(base, params, targets[None])
    full = project(base, adjusted)
    i = data.draw(st.integers(0, base.shape[0] - 1))
    alone = project(base[[i]], adjusted.select([i]))
    np.testing.assert_allclose(alone[0], full[i], rtol=1e-12, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_a_path_with_factors_is_the_same_path_as_rates(seed):
    """as_rates: the path made with consistency factors, re-expressed as one net migration rate per cell (and the
    child–woman ratios and shares of boys of the path), projects to the same path; × 0 on those rates is the
    closed population with the path's fertility."""
    rng = np.random.default_rng(seed)
    units, steps = int(rng.integers(1, 8)), int(rng.integers(1, 5))
    base = rng.uniform(0, 5000, (units, 2, A))
    base[rng.random((units, 2, A)) < 0.05] = 0.0  # empty cohorts, as in the smallest villages
    params = ProjectionParams(
        2020,
        rng.uniform(0.5, 1.0, (units, steps, 2, A)),
        rng.uniform(-0.5, 0.8, (units, steps, 2, A)),
        rng.uniform(0.05, 0.4, (units, steps)),
        rng.uniform(0.48, 0.53, (units, steps)),
    )
    targets = project(base, params)[:, 1:].sum(axis=0) * rng.uniform(0.8, 1.2)
    factored = group_adjustment(base, params, targets[None], balance_ages=4, allocation="pool")
    rates = as_rates(base, factored)
    assert rates.adjustment is None
    np.testing.assert_allclose(project(base, rates), project(base, factored), rtol=1e-9, atol=1e-6)
    # × 0: survival and the path's births only, nothing of the factors left
    zero = np.zeros_like(rates.migration)
    closed = params.with_(migration=zero, cwr=rates.cwr, male_share_0_4=rates.male_share_0_4)
    np.testing.assert_allclose(project(base, rates.with_(migration=zero)), project(base, closed), rtol=1e-12)


def test_one_group_adjustment_meets_the_national_targets():
    rng = np.random.default_rng(1)
    base = rng.uniform(100, 5000, (30, 2, A))
    params = ProjectionParams(
        2015,
        np.full((1, 3, 2, A), 0.98),
        rng.uniform(-0.3, 0.6, (30, 3, 2, A)),
        np.full((30, 3), 0.2),
        np.full((1, 3), 0.512),
    )
    targets = project(base, params.with_(migration=np.zeros((1, 3, 2, A))))[:, 1:].sum(axis=0)
    result = project(base, group_adjustment(base, params, targets[None]))
    np.testing.assert_allclose(result[:, 1:].sum(axis=0), targets, rtol=1e-9)


def test_invalid_parameters_are_refused():
    ok = dict(
        base_year=2020,
        survival=np.full((1, 2, 2, A), 0.9),
        migration=np.zeros((1, 2, 2, A)),
        cwr=np.full((1, 2), 0.2),
        male_share_0_4=np.full((1, 2), 0.51),
    )
    ProjectionParams(**ok)
    with pytest.raises(ValueError, match="≥ −1"):
        ProjectionParams(**(ok | {"migration": np.full((1, 2, 2, A), -1.5)}))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        ProjectionParams(**(ok | {"survival": np.full((1, 2, 2, A), 1.2)}))
    params = ProjectionParams(**ok)
    with pytest.raises(ValueError):
        params.survival[0, 0, 0, 0] = 0.5  # frozen arrays


def test_survival_from_a_flat_life_table():
    # constant q: l(x) = (1-q)^x, so the five-year ratio of two full groups is (1-q)^5
    q = 0.01
    qx = np.full((2, 106), q)
    s = survival_from_qx(qx)
    np.testing.assert_allclose(s[:, :17], (1 - q) ** 5, rtol=1e-12)


def test_residual_rates_recover_known_migration():
    rng = np.random.default_rng(2)
    prev = rng.uniform(100, 1000, (4, 2, A))
    surv = np.full((2, A), 0.95)
    true = rng.uniform(-0.4, 0.4, (4, 2, A))
    true[..., -1] = true[..., -2]  # 85-89 and 90+ share a rate
    params = ProjectionParams(2010, surv[None, None], true[:, None], np.zeros((4, 1)), np.full((1, 1), 0.5))
    now = project(prev, params)[:, 1]
    np.testing.assert_allclose(residual_migration_rates([(prev, now, surv)])[..., :-1], true[..., :-1], rtol=1e-9)


def test_tfr_path_and_levels():
    path = tfr_path(2020, [2025, 2030, 2035, 2040, 2045], np.array([1.2, 2.5]), {2030: 1.8, 2040: 2.07})
    np.testing.assert_allclose(path[0], [1.5, 1.8, 1.935, 2.07, 2.07])
    assert list(impact_level(np.array([99.0, 100.0, 109.9, 130.0]), SOCIAL_EDGES)) == [1, 2, 2, 5]
    assert list(impact_level(np.array([104.99, 105.0, 114.9, 115.0]), NATURAL_EDGES)) == [2, 3, 4, 5]


def test_classification_bands():
    subs, groups = classify(np.array([-10, -30, -55, -10, -60, np.nan]), np.array([-5, -10, -10, -55, -55, -1]))
    assert subs == ["A", "B", "C", "G", "I", ""]
    assert groups == [
        "自立持続可能性自治体",
        "その他",
        "消滅可能性自治体",
        "ブラックホール型自治体",
        "消滅可能性自治体",
        "",
    ]


def _random_units(rng: np.random.Generator, n: int, steps: int) -> tuple[np.ndarray, ProjectionParams]:
    """A base population and parameters of `n` units gaining and losing by migration (shared survival)."""
    base = rng.uniform(100, 5000, (n, 2, A))
    params = ProjectionParams(
        2015,
        rng.uniform(0.6, 1.0, (1, steps, 2, A)),
        rng.uniform(-0.4, 0.6, (n, steps, 2, A)),
        rng.uniform(0.1, 0.3, (n, steps)),
        np.full((1, steps), 0.512),
    )
    return base, params


@settings(max_examples=30, deadline=None)
@given(
    st.integers(0, 10_000), st.integers(0, 10), st.floats(0.8, 1.2), st.sampled_from(["scale", "pool", "pool-closed"])
)
def test_group_adjustment_meets_group_targets_and_keeps_rows(seed, balance_ages, level, allocation):
    from sousei.domain.projection.engine import group_adjustment

    rng = np.random.default_rng(seed)
    n, steps = 8, 3
    base, params = _random_units(rng, n, steps)
    group = rng.integers(0, 3, n)
    group[:3] = [0, 1, 2]
    free = project(base, params)[:, 1:]
    targets = np.zeros((3,) + free.shape[1:])
    np.add.at(targets, group, free)
    targets *= level
    adjusted = group_adjustment(base, params, targets, group, balance_ages, allocation)
    full = project(base, adjusted)
    sums = np.zeros_like(targets)
    np.add.at(sums, group, full[:, 1:])
    np.testing.assert_allclose(sums, targets, rtol=1e-9)
    assert np.all(np.asarray(adjusted.migration) >= -1)
    i = int(rng.integers(0, n))
    alone = project(base[[i]], adjusted.select([i]))
    np.testing.assert_allclose(alone[0], full[i], rtol=1e-12, atol=1e-9)


def _gains_by_step(base, params, adjusted, ages):
    path = project(base, adjusted)
    surv = path[:, :-1, :, ages] * np.asarray(params.survival)[:, :, :, ages]
    return np.maximum(surv * np.asarray(adjusted.migration)[:, :, :, ages], 0.0)


def test_pool_allocation_holds_the_shares_of_the_gains():
    """'pool' (IPSS 2023's 配分率): each gaining unit keeps its first-step share of the group's gains, so a unit
    whose own cohorts grow does not draw a growing share; 'scale' lets the share follow the unit's growth."""
    from sousei.domain.projection.engine import group_adjustment

    steps, ages = 4, slice(0, 4)
    base = np.full((3, 2, A), 1000.0)
    base[0] *= 3.0
    mig = np.zeros((3, steps, 2, A))
    mig[0], mig[1], mig[2] = 0.4, 0.1, -0.3  # unit 0 gains fast and grows, unit 1 gains slowly, unit 2 loses
    params = ProjectionParams(
        2020, np.full((1, steps, 2, A), 0.99), mig, np.full((3, steps), 0.2), np.full((1, steps), 0.512)
    )
    free = project(base, params)[:, 1:]
    targets = free.sum(axis=0)[None] * 0.97
    group = np.zeros(3, dtype=np.intp)
    shares = {}
    for allocation in ("scale", "pool"):
        adjusted = group_adjustment(base, params, targets, group, 4, allocation)
        g = _gains_by_step(base, params, adjusted, ages)
        shares[allocation] = g[0] / (g[0] + g[1])
        np.testing.assert_allclose(project(base, adjusted)[:, 1:].sum(axis=0), targets[0], rtol=1e-9)
    np.testing.assert_allclose(shares["pool"], np.broadcast_to(shares["pool"][:1], shares["pool"].shape), rtol=1e-9)
    assert np.all(np.diff(shares["scale"], axis=0) > 0)  # the fast gainer's share grows under 'scale'


def test_group_adjustment_rejects_an_unknown_allocation():
    from sousei.domain.projection.engine import group_adjustment

    params = ProjectionParams(
        2020, np.full((1, 1, 2, A), 0.99), np.zeros((1, 1, 2, A)), np.full((1, 1), 0.2), np.full((1, 1), 0.512)
    )
    with pytest.raises(ValueError, match="allocation"):
        group_adjustment(np.ones((1, 2, A)), params, np.ones((1, 1, 2, A)), None, 2, "proportional")


def test_shrinkage_moves_small_cohorts_more_than_large_ones():
    from sousei.domain.projection.methods import shrink_rates

    rng = np.random.default_rng(3)
    units = 400
    expected = np.where(np.arange(units)[:, None, None] % 2 == 0, 20.0, 20_000.0) * np.ones((units, 2, A))
    true = rng.normal(0.0, 0.05, (units, 2, A))
    observed = rng.poisson(expected * (1.0 + true))
    rates = observed / expected - 1.0
    shrunk, keep, tau2 = shrink_rates(rates, expected, np.zeros_like(rates))
    assert np.all((keep >= 0) & (keep <= 1))
    # large cohorts keep nearly all of their deviation, small ones (Poisson sd ≈ 0.22 ≫ 0.05) little of it
    assert keep[1::2].min() > 0.9 and keep[::2].max() < 0.2
    np.testing.assert_allclose(np.sqrt(tau2), 0.05, rtol=0.35)
    # shrinkage brings the small units' rates closer to the truth
    err_raw = np.abs(rates[::2] - true[::2]).mean()
    err_shrunk = np.abs(shrunk[::2] - true[::2]).mean()
    assert err_shrunk < 0.5 * err_raw
    # nobody expected: the prior
    expected[0] = 0.0
    assert np.all(shrink_rates(rates, expected, np.full_like(rates, 0.1))[0][0] == 0.1)


def test_age_smoothing_keeps_young_adult_rates_and_flat_profiles():
    from sousei.domain.projection.methods import SHARP_AGES, smooth_age_profile

    r = np.zeros((1, 2, A))
    r[..., 3] = -0.4  # 15-19 → 20-24 outflow stays as it is
    r[..., 10] = 0.3  # a single spike at 50-54 is spread [1, 2, 1]
    s = smooth_age_profile(r)
    assert s[0, 0, 3] == -0.4 and all(s[0, 0, a] == r[0, 0, a] for a in SHARP_AGES)
    np.testing.assert_allclose(s[0, 0, 9:12], [0.075, 0.15, 0.075])
    assert s[0, 0, 17] == s[0, 0, 18]
    flat = np.full((2, 2, A), 0.02)
    flat[..., 2:5] = -0.3
    np.testing.assert_allclose(smooth_age_profile(flat), flat)


def test_impact_levels_at_the_guidance_thresholds():
    from sousei.domain.projection.impact import natural_impact, social_impact

    nat = natural_impact(np.array([99.9, 100.0, 104.99, 105.0, 110.0, 114.99, 115.0, 130.0]), np.full(8, 100.0))[1]
    assert nat.tolist() == [1, 2, 2, 3, 4, 4, 5, 5]
    soc = social_impact(np.array([99.0, 100.0, 109.9, 110.0, 120.0, 129.9, 130.0]), np.full(7, 100.0))[1]
    assert soc.tolist() == [1, 2, 2, 3, 4, 4, 5]


def test_tfr_path_with_one_target_per_scenario():
    # points given per row (one scenario per row) equal the rows computed one at a time
    start = np.array([1.2, 1.2, 2.5])
    t2030, t2040 = np.array([1.0, 1.8, 1.5]), np.array([1.0, 2.07, 2.2])
    years = [2025, 2030, 2035, 2040, 2045]
    many = tfr_path(2020, years, start, {2030: t2030, 2040: t2040})
    for r in range(3):
        one = tfr_path(2020, years, start[[r]], {2030: float(t2030[r]), 2040: float(t2040[r])})
        np.testing.assert_allclose(many[r], one[0], rtol=0, atol=0)
    # one start shared by every scenario
    assert tfr_path(2020, years, start[:1], {2030: t2030, 2040: t2040}).shape == (3, 5)


def _params_with_cwr(cwr: np.ndarray) -> ProjectionParams:
    n, steps = cwr.shape
    return ProjectionParams(
        2020, np.full((1, steps, 2, A), 0.95), np.full((n, steps, 2, A), 0.1), cwr, np.full((1, steps), 0.51)
    )


def test_tfr_path_floor_raises_only_and_plain_path_also_lowers():
    from sousei.domain.projection.scenarios import tfr_path_cwr

    per_tfr = 0.2
    # unit 0 at TFR 1.0 (below the path), unit 1 at TFR 2.5 (above it), flat baselines over 4 steps
    cwr = np.array([[1.0] * 4, [2.5] * 4]) * per_tfr
    p = _params_with_cwr(cwr)
    points = {2030: 1.8, 2040: 2.07}
    floored = np.asarray(tfr_path_cwr(p, per_tfr, points, floor=True).cwr)
    plain = np.asarray(tfr_path_cwr(p, per_tfr, points, floor=False).cwr)
    path = tfr_path(2020, p.years[1:], cwr[:, 0] / per_tfr, points) * per_tfr
    np.testing.assert_allclose(floored[0], path[0])  # raised to the path
    np.testing.assert_allclose(floored[1], cwr[1])  # above the path: keeps its own
    np.testing.assert_allclose(plain, path)  # as given: unit 1 lowered toward 2.07
    assert (plain[1] < cwr[1]).all()
    # per-unit floor
    mixed = np.asarray(tfr_path_cwr(p, per_tfr, points, floor=np.array([True, False])).cwr)
    np.testing.assert_allclose(mixed, np.vstack([floored[0], plain[1]]))


def test_migration_scale_per_row_and_refusals():
    from sousei.domain.projection.scenarios import with_migration_scale

    p = _params_with_cwr(np.full((3, 2), 0.3))
    scaled = with_migration_scale(p, np.array([0.0, 1.0, 2.0]))
    np.testing.assert_allclose(np.asarray(scaled.migration)[:, 0, 0, 0], [0.0, 0.1, 0.2])
    assert np.array_equal(with_migration_scale(p, 1.0).migration, p.migration)
    for bad in (-0.1, np.array([1.0, -1.0, 0.0]), float("nan")):
        with pytest.raises(ValueError):
            with_migration_scale(p, bad)


# --- mortality level (SMR): survival adjustment and empirical-Bayes shrinkage ---------------------------------


@settings(max_examples=80, deadline=None)
@given(
    arrays(np.float64, (3, 2, A), elements=st.floats(0, 1)),
    st.floats(0.5, 2.0),
    st.floats(0.01, 0.5),
)
def test_adjust_survival_smr1_identity_monotone_and_bounded(surv, smr, step):
    from sousei.domain.projection.methods import SMR_MAX, SMR_MIN, adjust_survival

    # SMR 1 → the national survival exactly
    assert np.array_equal(adjust_survival(surv, 1.0), surv)
    lo, hi = adjust_survival(surv, smr), adjust_survival(surv, min(smr + step, SMR_MAX))
    # bounds: S stays in [0, 1]; a positive S stays positive, 1 stays 1, 0 stays 0
    assert lo.min() >= 0 and lo.max() <= 1
    assert (lo[surv > 0] > 0).all() and (lo[surv == 1] == 1).all() and (lo[surv == 0] == 0).all()
    # higher SMR → lower survival (strictly inside (0, 1), where it is not lost in rounding)
    assert (hi <= lo).all()
    inner = (surv > 1e-3) & (surv < 1 - 1e-3)
    if smr + step <= SMR_MAX:
        assert (hi[inner] < lo[inner]).all()
    # the level is clipped: beyond the bounds nothing changes any more
    assert np.array_equal(adjust_survival(surv, 50.0), adjust_survival(surv, SMR_MAX))
    assert np.array_equal(adjust_survival(surv, 0.0), adjust_survival(surv, SMR_MIN))
    # per unit: (units, 1, 1) levels broadcast over sex × age
    per_unit = adjust_survival(surv, np.array([1.0, smr, 1.0])[:, None, None])
    assert np.array_equal(per_unit[0], surv[0])
    np.testing.assert_allclose(per_unit[1], lo[1], rtol=1e-14)


def test_adjust_survival_refuses_bad_input():
    from sousei.domain.projection.methods import adjust_survival

    for bad_s, bad_m in ((np.array([1.2]), 1.0), (np.array([-0.1]), 1.0), (np.array([0.5]), float("nan"))):
        with pytest.raises(ValueError):
            adjust_survival(bad_s, bad_m)


def test_adjusted_survival_matches_scaled_life_table_hazard():
    """S ** SMR is what scaling every single-age hazard of a constant-hazard life table by the SMR gives."""
    from sousei.domain.projection.methods import adjust_survival

    mu = 0.02
    qx = np.full((2, 101), 1 - np.exp(-mu))
    qx_scaled = np.full((2, 101), 1 - np.exp(-1.3 * mu))
    np.testing.assert_allclose(
        adjust_survival(survival_from_qx(qx), 1.3)[:, :17], survival_from_qx(qx_scaled)[:, :17], rtol=1e-3
    )


def test_death_rates_from_qx_constant_hazard():
    from sousei.domain.projection.methods import death_rates_from_qx, expected_deaths

    q = 0.01
    m = death_rates_from_qx(np.full((2, 106), q))
    # constant q: deaths ÷ person-years with linear L = q / (1 − q/2) at every age group (open group: 1/1 year)
    np.testing.assert_allclose(m[:, :18], q / (1 - q / 2), rtol=1e-12)
    assert expected_deaths(np.ones((4, 2, A)), m, 5).shape == (4,)


@settings(max_examples=80, deadline=None)
@given(
    arrays(np.float64, 12, elements=st.floats(0, 5e4)),
    arrays(np.float64, 12, elements=st.floats(0.5, 1.6)),
    st.floats(0.7, 1.4),
)
def test_shrink_smr_between_own_and_prior(expected, level, prior):
    from sousei.domain.projection.methods import shrink_smr

    observed = np.round(expected * level)
    shrunk, keep, tau2 = shrink_smr(observed, expected, prior)
    smr = np.divide(observed, expected, out=np.full_like(expected, prior), where=expected > 0)
    assert tau2 >= 0 and ((keep >= 0) & (keep < 1)).all()
    assert (shrunk >= np.minimum(smr, prior) - 1e-12).all() and (shrunk <= np.maximum(smr, prior) + 1e-12).all()
    assert (shrunk[expected == 0] == prior).all()


def test_shrink_smr_small_units_move_more():
    from sousei.domain.projection.methods import shrink_smr

    # true levels spread around 1; a big unit and a small one at the same observed SMR 1.5
    expected = np.array([20_000.0, 20_000.0, 20_000.0, 20_000.0, 10_000.0, 30.0])
    observed = np.array([16_000.0, 24_000.0, 18_000.0, 22_000.0, 15_000.0, 45.0])
    shrunk, keep, tau2 = shrink_smr(observed, expected, np.ones(6))
    assert tau2 > 0
    assert shrunk[4] > 1.49 and 1.0 < shrunk[5] < 1.4  # the city keeps its SMR, the village moves toward the prior
    assert keep[5] < keep[4]
    # no spread beyond Poisson noise → everyone gets the prior
    flat = np.array([10_000.0, 10_010.0, 9_990.0])
    s2, _, t2 = shrink_smr(flat, np.full(3, 10_000.0), 1.0)
    assert t2 == 0 and np.array_equal(s2, np.ones(3))


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.floats(1.02, 1.3))
def test_a_national_excess_is_prorated_not_balanced_into_the_gains(seed, excess):
    """`baseline.held_to` with parameters already balanced to the own-vintage control: the sum meets the larger
    control, the young's gains stay those balanced to the smaller one (the excess is prorated, IPSS's 一律補正);
    balanced to the larger control directly, the gaining units' rates absorb the excess instead."""
    from sousei.domain.projection.baseline import Controls, held_to

    rng = np.random.default_rng(seed)
    n, steps = 8, 3
    base, params = _random_units(rng, n, steps)
    own = project(base, params)[:, 1:].sum(axis=0) * rng.uniform(0.95, 1.05, (steps, 2, A))
    larger = own * excess
    controls = Controls(params, params, np.zeros(n, dtype=np.intp), larger, 10, "pool", "pool")
    balanced = held_to(base, params, own[None], None, controls)
    prorated = held_to(base, params, larger[None], None, controls, balanced)
    np.testing.assert_allclose(project(base, prorated)[:, 1:].sum(axis=0), larger, rtol=1e-9)
    np.testing.assert_array_equal(np.asarray(prorated.migration), np.asarray(balanced.migration))
    absorbed = held_to(base, params, larger[None], None, controls)
    gained, kept = np.asarray(absorbed.migration)[..., :10], np.asarray(balanced.migration)[..., :10]
    assert gained[gained > 0].sum() > kept[kept > 0].sum()
