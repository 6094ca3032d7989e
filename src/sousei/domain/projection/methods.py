"""Parameters for the three methods: IPSS (社人研準拠), cohort change ratios (コーホート変化率法), closed population.

Formulas and the sources they follow: docs/methods/projection.md.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sousei.domain.projection.engine import FEMALE, WOMEN_15_49
from sousei.domain.projection.params import N_AGES, ProjectionParams

OPEN = N_AGES - 1  # 90+
# Ages from which the national projection's cohort ratios measure mortality alone (international migration is
# negligible there): 50-54 and older.
IMPROVEMENT_FROM_AGE_INDEX = 10


def survival_from_qx(qx: np.ndarray) -> np.ndarray:
    """Five-year survival ratios (2, 19) from single-age death probabilities qx (2, ages 0 … ω, last one open).

    l(0) = 1, l(x+1) = l(x)(1 − q(x)), L(x) = (l(x) + l(x+1)) / 2, L(ω) = l(ω); 5L(x) = Σ L over the group.
    S(a → a+5) = 5L(a+5) / 5L(a) for 0-4 … 80-84; 85-89 → 90-94: 5L(90)/5L(85); 90+ → 95+: T(95)/T(90).
    """
    qx = np.asarray(qx, dtype=np.float64)
    if qx.ndim != 2 or qx.shape[0] != 2 or qx.shape[1] < 101:
        raise ValueError(f"qx must be (2, ages 0…100+), got {qx.shape}")
    if np.any(~np.isfinite(qx)) or qx.min() < 0 or qx.max() > 1:
        raise ValueError("qx must lie in [0, 1]")
    n = qx.shape[1]
    lx = np.ones((2, n + 1))
    lx[:, 1:] = np.cumprod(1.0 - qx, axis=1)
    big_l = (lx[:, :-1] + lx[:, 1:]) / 2.0
    big_l[:, -1] = lx[:, n - 1]  # open age: about one year lived on average at these ages
    five = np.stack([big_l[:, a : a + 5].sum(axis=1) for a in range(0, 100, 5)], axis=1)  # 0-4 … 95-99
    t90 = big_l[:, 90:].sum(axis=1)
    t95 = big_l[:, 95:].sum(axis=1)
    s = np.empty((2, N_AGES))
    s[:, :17] = five[:, 1:18] / five[:, :17]
    s[:, 17] = five[:, 18] / five[:, 17]
    s[:, 18] = t95 / t90
    return s


def child_woman_ratio(pop: np.ndarray) -> np.ndarray:
    """Persons 0–4 ÷ women 15–49 per unit (0 where there are no women 15–49)."""
    pop = np.asarray(pop, dtype=np.float64)
    children = pop[:, :, 0].sum(axis=1)
    women = pop[:, FEMALE, WOMEN_15_49].sum(axis=1)
    return np.divide(children, women, out=np.zeros_like(children), where=women > 0)


def expected_survivors(prev: np.ndarray, survival: np.ndarray) -> np.ndarray:
    """Survivors five years later by the age group they reach (units, 2, 19); index 0 (the newborn) is 0."""
    surv = prev * survival
    out = np.zeros_like(surv)
    out[..., 1:] = surv[..., :-1]
    out[..., -1] += surv[..., -1]
    return out


def residual_migration_rates(
    periods: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> np.ndarray:
    """Net migration rates (units, 2, 19) by the residual method, pooled over one or more intercensal periods.

    Each period is (population at t−5, population at t, survival ratios of the period (2, 19)). For the cohort
    aged a at t−5: rate = Σ observed at a+1 ÷ Σ expected survivors − 1 (sums over the periods). 85-89 and 90+
    share one rate (both end in 90+). A cohort with nobody to survive gets rate 0.
    """
    observed: np.ndarray | float = 0.0
    expected: np.ndarray | float = 0.0
    for prev, now, surv in periods:
        observed = observed + np.asarray(now, dtype=np.float64)
        expected = expected + expected_survivors(np.asarray(prev, dtype=np.float64), surv)
    observed = np.asarray(observed)
    expected = np.asarray(expected)
    ratio = np.divide(observed, expected, out=np.ones_like(expected), where=expected > 0)
    rates = np.empty_like(ratio)
    # rate of the cohort aged a at the start = ratio at the age group it reaches (a+1); open group shared
    rates[..., :-1] = ratio[..., 1:] - 1.0
    rates[..., -1] = ratio[..., -1] - 1.0
    return np.maximum(rates, -1.0)


def _per_step(a: np.ndarray, steps: int) -> np.ndarray:
    """(units, 2, 19) → (units, steps, 2, 19) constant over the steps (a broadcast view)."""
    return np.broadcast_to(a[:, None], (a.shape[0], steps) + a.shape[1:])


def ipss_params(
    base: np.ndarray,
    base_year: int,
    periods: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]],
    survival_path: np.ndarray,
    cwr_index: np.ndarray,
    male_share_0_4: np.ndarray,
    migration_path: np.ndarray | None = None,
    rates: np.ndarray | None = None,
) -> ProjectionParams:
    """The IPSS method (日本の地域別将来推計人口): national survival path; the unit's net migration rates of the
    last intercensal period(s) held (times `migration_path`, default 1 every step); the unit's child–woman ratio
    held at its base-year level relative to the national path `cwr_index` (national CWR at the end of each step
    ÷ national CWR in the base year).

    survival_path (steps, 2, 19), or (units, steps, 2, 19) at each unit's mortality level; cwr_index,
    male_share_0_4, migration_path (steps,). `rates` (units, 2, 19), when
    given, replaces the residual rates of `periods` (the caller chose trend rates for some units).
    """
    survival_path = np.asarray(survival_path, dtype=np.float64)
    if survival_path.ndim == 3:
        survival_path = survival_path[None]
    steps = survival_path.shape[1]
    if rates is None:
        rates = residual_migration_rates(periods)
    mig = _per_step(np.asarray(rates, dtype=np.float64), steps)
    if migration_path is not None:
        mig = mig * np.asarray(migration_path, dtype=np.float64)[None, :, None, None]
    cwr = child_woman_ratio(base)[:, None] * np.asarray(cwr_index, dtype=np.float64)[None, :]
    return ProjectionParams(
        base_year=base_year,
        survival=np.clip(survival_path, 0.0, 1.0),
        migration=np.maximum(mig, -1.0),
        cwr=cwr,
        male_share_0_4=np.asarray(male_share_0_4, dtype=np.float64).reshape(1, steps),
        method="ipss",
    )


def ccr_params(
    base: np.ndarray,
    prev: np.ndarray,
    base_year: int,
    steps: int,
    survival_period: np.ndarray,
) -> ProjectionParams:
    """コーホート変化率法: each cohort's change ratio of the last intercensal period, R(a → a+1) = P(t, a+1) /
    P(t−5, a) (85+ → 90+ pooled), held constant; the unit's base-year child–woman ratio and share of boys held.

    Stored as survival × (1 + migration) with the period's national survival so that the product is R exactly.
    """
    rates = residual_migration_rates([(prev, base, survival_period)])
    boys = np.asarray(base, dtype=np.float64)[:, 0, 0]
    kids = np.asarray(base, dtype=np.float64)[:, :, 0].sum(axis=1)
    share = np.divide(boys, kids, out=np.full_like(kids, 0.5122), where=kids > 0)
    return ProjectionParams(
        base_year=base_year,
        survival=np.broadcast_to(survival_period[None, None], (1, steps, 2, N_AGES)),
        migration=_per_step(rates, steps),
        cwr=np.broadcast_to(child_woman_ratio(base)[:, None], (base.shape[0], steps)),
        male_share_0_4=np.broadcast_to(share[:, None], (base.shape[0], steps)),
        method="ccr",
    )


def closed_params(params: ProjectionParams) -> ProjectionParams:
    """Closed population (封鎖人口): the same parameters with net migration zero and no national adjustment."""
    return params.with_(
        migration=np.zeros((1,) + params.migration.shape[1:]), adjustment=None, method=params.method + "+closed"
    )


def national_cohort_ratios(national: np.ndarray) -> np.ndarray:
    """Cohort ratios (years − 1, 2, 18) of a national series (years, 2, 19) five years apart, by the age group
    reached (5-9 … 90+; the last pools 85-89 and 90+ at the start)."""
    national = np.asarray(national, dtype=np.float64)
    aged = expected_survivors(national[:-1], np.ones((2, N_AGES)))[..., 1:]
    return np.divide(national[1:, :, 1:], aged, out=np.ones_like(aged), where=aged > 0)


def survival_path_from_national(survival_base: np.ndarray, national: np.ndarray, first: int, steps: int) -> np.ndarray:
    """Survival ratios (steps, 2, 19): the base life table's, improved as the national projection improves.

    `national` (years, 2, 19) is the national projection every five years; `first` is the index of the base
    year in it. For ages 50-54 and over, the factor of step k is the national cohort ratio of the step ÷ that of
    the first projected step (international migration is negligible there, so the ratio tracks mortality);
    beyond the national horizon the last factor is held. Younger ages keep the base life table (S ≈ 1).
    """
    ratios = national_cohort_ratios(national)  # (years-1, 2, 18) ending at ages 5-9 … 90+
    cohort = np.ones((ratios.shape[0], 2, N_AGES))
    cohort[:, :, : N_AGES - 1] = ratios  # index = age at the start (…, 85-89 → 90+ shared by 85-89 and 90+)
    cohort[:, :, N_AGES - 1] = ratios[:, :, -1]
    ref = cohort[min(first, cohort.shape[0] - 1)]
    out = np.empty((steps, 2, N_AGES))
    for k in range(steps):
        idx = min(first + k, cohort.shape[0] - 1)
        factor = np.ones((2, N_AGES))
        factor[:, IMPROVEMENT_FROM_AGE_INDEX:] = (
            cohort[idx, :, IMPROVEMENT_FROM_AGE_INDEX:] / ref[:, IMPROVEMENT_FROM_AGE_INDEX:]
        )
        out[k] = np.clip(survival_base * factor, 0.0, 1.0)
    return out


def crude_net_migration(prev: np.ndarray, now: np.ndarray, survival: np.ndarray) -> np.ndarray:
    """Net migration of a period as a share of the expected survivors aged 5+ (units,): Σ observed 5+ ÷ Σ expected
    survivors − 1 (residual method, both sexes). 0 where nobody was expected."""
    expected = expected_survivors(np.asarray(prev, dtype=np.float64), survival)[..., 1:].sum(axis=(-2, -1))
    observed = np.asarray(now, dtype=np.float64)[..., 1:].sum(axis=(-2, -1))
    return np.divide(observed, expected, out=np.ones_like(expected), where=expected > 0) - 1.0


def trend_migration_rates(
    periods: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]], max_change: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """Net migration rates pooled over several intercensal periods (Σ observed ÷ Σ expected − 1, as IPSS does for
    small municipalities: net migrants of five periods), leaving out for each unit the periods in which its
    population rose or fell by more than `max_change` (evacuation and return: 三宅村 2000, 福島県 2015).

    Returns (rates (units, 2, 19), number of periods used per unit)."""
    observed: np.ndarray | float = 0.0
    expected: np.ndarray | float = 0.0
    used: np.ndarray | int = 0
    for prev, now, surv in periods:
        prev = np.asarray(prev, dtype=np.float64)
        now = np.asarray(now, dtype=np.float64)
        p0, p1 = prev.sum(axis=(-2, -1)), now.sum(axis=(-2, -1))
        ok = (p0 > 0) & (p1 > 0) & (np.abs(p1 - p0) <= max_change * np.maximum(p0, 1.0))
        w = ok.astype(np.float64)[:, None, None]
        observed = observed + now * w
        expected = expected + expected_survivors(prev, surv) * w
        used = used + ok.astype(np.int64)
    observed, expected = np.asarray(observed), np.asarray(expected)
    ratio = np.divide(observed, expected, out=np.ones_like(expected), where=expected > 0)
    rates = np.empty_like(ratio)
    rates[..., :-1] = ratio[..., 1:] - 1.0
    rates[..., -1] = ratio[..., -1] - 1.0
    return np.maximum(rates, -1.0), np.asarray(used)


def cohort_sums(
    periods: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]], max_change: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Observed and expected survivors (units, 2, 19) summed over `periods`, indexed by the cohort's age at the
    start of the period (85-89 and 90+ both carry the 90+ reached): rate = observed ÷ expected − 1.

    `max_change` as in `trend_migration_rates` (periods of evacuation and return left out per unit); None: all."""
    observed: np.ndarray | float = 0.0
    expected: np.ndarray | float = 0.0
    for prev, now, surv in periods:
        prev = np.asarray(prev, dtype=np.float64)
        now = np.asarray(now, dtype=np.float64)
        w: np.ndarray | float = 1.0
        if max_change is not None:
            p0, p1 = prev.sum(axis=(-2, -1)), now.sum(axis=(-2, -1))
            ok = (p0 > 0) & (p1 > 0) & (np.abs(p1 - p0) <= max_change * np.maximum(p0, 1.0))
            w = ok.astype(np.float64)[:, None, None]
        observed = observed + now * w
        expected = expected + expected_survivors(prev, surv) * w
    observed, expected = np.asarray(observed), np.asarray(expected)
    obs = np.empty_like(observed)
    exp = np.empty_like(expected)
    obs[..., :-1], exp[..., :-1] = observed[..., 1:], expected[..., 1:]
    obs[..., -1], exp[..., -1] = observed[..., -1], expected[..., -1]
    return obs, exp


def shrink_rates(
    rates: np.ndarray, expected: np.ndarray, prior: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Empirical-Bayes shrinkage of net migration rates (units, 2, 19) toward `prior` (same shape).

    Model: the observed survivors O of a cohort are Poisson with mean E(1 + θ), E the expected survivors, θ the
    unit's true rate; so the observed rate r = O/E − 1 has sampling variance v = (1 + μ)/E (μ the prior, which
    avoids the small-count bias of using r itself). True rates vary around the prior with variance τ² per
    sex × age, estimated across all units by the DerSimonian–Laird method of moments with weights w = 1/v:
    τ² = max(0, (Σ w (r − μ)² − k) / Σ w), k the number of units with E > 0 (the prior is given, not estimated).
    The posterior mean is μ + τ²/(τ² + v) · (r − μ): a cohort of 10,000 keeps its rate, a cohort of 20 in a
    village moves most of the way to the prior. A cohort with nobody expected gets the prior.

    Returns (shrunk rates, weight τ²/(τ² + v) kept of each unit's own deviation, τ² (2, 19)).
    """
    rates = np.asarray(rates, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    prior = np.broadcast_to(np.asarray(prior, dtype=np.float64), rates.shape)
    has = expected > 0
    w = np.where(has, expected / np.maximum(1.0 + prior, 1e-9), 0.0)  # 1 / v
    q = (w * np.where(has, rates - prior, 0.0) ** 2).sum(axis=0)
    k = has.sum(axis=0)
    sw = w.sum(axis=0)
    tau2 = np.divide(np.maximum(q - k, 0.0), sw, out=np.zeros_like(sw), where=sw > 0)
    keep = np.divide(tau2 * w, tau2 * w + 1.0, out=np.zeros_like(w), where=has)  # τ²/(τ² + v)
    return prior + keep * (rates - prior), keep, tau2


# Cohorts aged 10-14, 15-19 and 20-24 at the start (reaching 15-29): leaving home, university, first job. Their
# rates change sharply from one age group to the next, so they are neither smoothed nor used to smooth others.
SHARP_AGES = (2, 3, 4)


def smooth_age_profile(rates: np.ndarray, sharp: Sequence[int] = SHARP_AGES) -> np.ndarray:
    """[1, 2, 1] filter over adjacent age groups of net migration rates (…, 19) by the cohort's age at the
    start, within the runs of ages outside `sharp`; at the end of a run the missing neighbour's weight is
    dropped (2, 1)/3. 85-89 and 90+ share one rate (both end in 90+) and are smoothed as one age."""
    rates = np.asarray(rates, dtype=np.float64)
    out = rates.copy()
    last = N_AGES - 2  # 85-89; 90+ carries the same rate
    ok = [a for a in range(last + 1) if a not in set(sharp)]
    for a in ok:
        num = 2.0 * rates[..., a]
        den = 2.0
        for b in (a - 1, a + 1):
            if b in ok:
                num = num + rates[..., b]
                den += 1.0
        out[..., a] = num / den
    out[..., last + 1] = out[..., last]
    return np.maximum(out, -1.0)


# Mortality level (SMR) of a unit: bounds on the factor applied to the national mortality hazard. A level outside
# means that deaths and population disagree (evacuation, registration), not a real difference in mortality.
SMR_MIN, SMR_MAX = 0.5, 2.0


def death_rates_from_qx(qx: np.ndarray) -> np.ndarray:
    """Central death rates (2, 19) of the five-year age groups 0-4 … 85-89 and 90+ from single-age death
    probabilities qx (2, ages 0 … ω, last one open), on the life table of `survival_from_qx`:
    m(a) = (l(a) − l(a+5)) ÷ 5L(a); 90+: l(90) ÷ T(90)."""
    qx = np.asarray(qx, dtype=np.float64)
    if qx.ndim != 2 or qx.shape[0] != 2 or qx.shape[1] < 101:
        raise ValueError(f"qx must be (2, ages 0…100+), got {qx.shape}")
    if np.any(~np.isfinite(qx)) or qx.min() < 0 or qx.max() > 1:
        raise ValueError("qx must lie in [0, 1]")
    n = qx.shape[1]
    lx = np.ones((2, n + 1))
    lx[:, 1:] = np.cumprod(1.0 - qx, axis=1)
    big_l = (lx[:, :-1] + lx[:, 1:]) / 2.0
    big_l[:, -1] = lx[:, n - 1]
    m = np.empty((2, N_AGES))
    for i in range(N_AGES - 1):
        a = 5 * i
        m[:, i] = (lx[:, a] - lx[:, a + 5]) / big_l[:, a : a + 5].sum(axis=1)
    m[:, -1] = lx[:, 90] / big_l[:, 90:].sum(axis=1)
    return m


def expected_deaths(pop: np.ndarray, rates: np.ndarray, years: float = 1.0) -> np.ndarray:
    """Deaths (units,) expected over `years` years in populations (units, 2, 19) at the rates (2, 19)."""
    return (np.asarray(pop, dtype=np.float64) * np.asarray(rates, dtype=np.float64)).sum(axis=(-2, -1)) * years


def shrink_smr(observed: np.ndarray, expected: np.ndarray, prior: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Empirical-Bayes shrinkage of standardized mortality ratios SMR = O ÷ E (units,) toward `prior` (units,:
    the SMR of each unit's prefecture).

    Model: O is Poisson with mean E·θ, θ the unit's true level, so the SMR has sampling variance v = μ/E (μ the
    prior: the Poisson variance at the prior level, free of the small-count bias of using the SMR itself). The
    true levels vary around the prior with variance τ², estimated across all units by the method of moments
    (DerSimonian–Laird, weights w = 1/v): τ² = max(0, (Σ w (SMR − μ)² − k) ÷ Σ w), k the units with E > 0.
    Posterior mean: μ + τ²/(τ² + v) · (SMR − μ) (Marshall 1991; Clayton & Kaldor 1987 with a gamma prior):
    a city keeps its own SMR, a village of 500 moves most of the way to its prefecture's. A unit with nothing
    expected gets the prior.

    Returns (shrunk SMR, weight τ²/(τ² + v) kept of each unit's own deviation, τ²)."""
    observed = np.asarray(observed, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    prior = np.broadcast_to(np.asarray(prior, dtype=np.float64), observed.shape)
    if observed.shape != expected.shape or observed.ndim != 1:
        raise ValueError("observed and expected deaths must be two arrays (units,) of the same length")
    if np.any(~np.isfinite(observed)) or np.any(~np.isfinite(expected)) or observed.min(initial=0) < 0:
        raise ValueError("deaths must be finite and ≥ 0")
    if expected.min(initial=0) < 0 or np.any(~np.isfinite(prior)) or prior.min(initial=1) <= 0:
        raise ValueError("expected deaths must be ≥ 0 and the prior SMR > 0")
    has = expected > 0
    smr = np.divide(observed, expected, out=prior.copy(), where=has)
    w = np.where(has, expected / prior, 0.0)  # 1 / v
    q = float((w * (smr - prior) ** 2).sum())
    k = int(has.sum())
    sw = float(w.sum())
    tau2 = max(q - k, 0.0) / sw if sw > 0 else 0.0
    keep = np.where(has, tau2 * w / (tau2 * w + 1.0), 0.0)
    return prior + keep * (smr - prior), keep, tau2


def adjust_survival(survival: np.ndarray, smr: np.ndarray | float) -> np.ndarray:
    """Survival ratios at a mortality level: the national mortality hazard of every age scaled by the SMR
    (proportional hazards), S' = S ** SMR, the SMR clipped to [SMR_MIN, SMR_MAX].

    `smr` broadcasts against `survival` (e.g. (units, 1, 1, 1) against (1, steps, 2, 19)). SMR 1 leaves S
    unchanged (exactly); a higher SMR lowers every S in (0, 1); S stays in (0, 1] where it was, 0 stays 0."""
    s = np.asarray(survival, dtype=np.float64)
    if np.any(~np.isfinite(s)) or s.min(initial=0) < 0 or s.max(initial=0) > 1:
        raise ValueError("survival ratios must lie in [0, 1]")
    level = np.asarray(smr, dtype=np.float64)
    if np.any(~np.isfinite(level)):
        raise ValueError("the mortality level must be finite")
    out = np.power(s, np.clip(level, SMR_MIN, SMR_MAX))
    # a positive S stays positive even where the power underflows (far below any life table's ratios)
    return np.where((s > 0) & (out == 0), np.nextafter(0.0, 1.0), out)
