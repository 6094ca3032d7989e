"""Net migration rules of the IPSS method: which periods a unit's rates come from, their shrinkage and smoothing
(docs/methods/projection.md, "Net migration"). No I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sousei.domain.projection.inputs import aggregate
from sousei.domain.projection.methods import (
    cohort_sums,
    crude_net_migration,
    expected_survivors,
    residual_migration_rates,
    shrink_rates,
    smooth_age_profile,
    trend_migration_rates,
)


@dataclass(frozen=True)
class MigrationRule:
    """How the net migration rates of the IPSS method are set (docs/methods/projection.md, "Net migration").

    path           factor on the rates for each step (empty: 1 every step; IPSS 2018 holds the 2010→2015 rates);
    trend_periods  intercensal periods pooled for the trend rates (IPSS: five periods of net migrants);
    small_persons  units smaller than this use the trend rates (their single-period rates are unstable);
    deviation      units whose crude net migration of the last period differs from their trend by more than this
                   (share of the expected survivors) use the trend rates: the last period was a one-off
                   (IPSS: 直近の人口移動傾向が趨勢から乖離している場合は過去の趨勢から仮定値を設定);
    cap            net migration rates are clipped to [−cap, +cap] per five years (None: no cap);
    balance_ages   cohorts aged under 5 × this at the start whose gains are scaled so that net migrants add up to the
                   control (0: proportional adjustment only; see engine.group_adjustment);
    disrupted      (end year of a period, prefecture codes): periods not to be carried forward for the units of
                   these prefectures, which use the period before instead (2010→2015 in 岩手・宮城・福島: the
                   東日本大震災 and the nuclear accident; IPSS sets these areas' assumptions apart as well);
    shrink         empirical-Bayes shrinkage of each unit's rates by the Poisson sampling variance of the cohort
                   (methods.shrink_rates) toward 'profile': the unit's own age profile smoothed by
                   methods.smooth_age_profile, or 'prefecture': its prefecture's rate of the same sex × age and
                   basis; None: no shrinkage (the validation of each: docs/validation/projection.md);
    smooth         [1, 2, 1] filter over adjacent age groups outside the cohorts reaching 15–29
                   (methods.smooth_age_profile);
    allocation     how the balanced gains of the young are shared among a group's gaining units
                   (engine.group_adjustment): 'pool' (IPSS 2023's 転出率・配分率 pool model: shares of the group's
                   gains held from the first step, default), 'scale' (one factor on every positive rate, as before
                   issue 9's engine work) or 'pool-closed' (the pool is the group's own losses: internal migration
                   zero-sum, the rest of the control prorated); the validation of each: docs/validation/projection.md;
    prefecture_allocation  the same for the prefectures within the nation (None: as `allocation`);
    pooled_periods the rates of every unit pooled over this many last periods (1: the last period, IPSS 2018);
    long_term      (base year, periods): `pooled_periods` for a base year, following that vintage's published
                   method (IPSS 2023, 2020 base: 移動率は3期間の平均的な傾向を長期的な仮定として採用);
    national_excess  what becomes of the persons a national control adds to the national projection of the base's
                   own vintage (2020 base: IPSS 2023's nation over the 2017 projection, mostly its larger foreign
                   inflow): 'prorated' (default: the young's gains are balanced to the own-vintage path at every
                   level and the excess is prorated by sex × age, IPSS's 一律補正) or 'balanced' (balanced into the
                   young's gains with the rest, as before: the gaining units, 東京都 first, received it).
    """

    path: tuple[float, ...] = ()
    trend_periods: int = 5
    small_persons: float = 5000.0
    deviation: float = 0.10
    cap: float | None = None
    disrupted: tuple[tuple[int, tuple[str, ...]], ...] = ((2015, ("03", "04", "07")),)
    balance_ages: int = 10
    allocation: str = "pool"
    prefecture_allocation: str | None = None
    shrink: str | None = "profile"
    smooth: bool = True
    pooled_periods: int = 1
    long_term: tuple[tuple[int, int], ...] = ((2020, 3),)
    national_excess: str = "prorated"


DEFAULT_RULE = MigrationRule()


def migration_rates(
    periods: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]],
    rule: MigrationRule,
    group: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Net migration rates (units, 2, 19) under `rule` and the basis of each unit's rates: 'last' (the last
    intercensal period, IPSS's default), 'trend:small' or 'trend:deviation' (pooled periods). `periods` are
    (population at t−5, at t, period survival), the last period first.

    `rule.shrink`: each rate is shrunk (empirical Bayes, `methods.shrink_rates`) toward the unit's own smoothed
    age profile ('profile') or, given `group` (the prefecture index of each unit), toward its prefecture's rate
    of the same basis ('prefecture'); with `rule.smooth` the age profile is then smoothed
    (`methods.smooth_age_profile`)."""
    if rule.pooled_periods > 1:
        last = trend_migration_rates(periods[: rule.pooled_periods])[0]
        last_obs, last_exp = cohort_sums(periods[: rule.pooled_periods], max_change=0.5)
    else:
        last_obs, last_exp = cohort_sums(periods[:1])
        last = residual_migration_rates(periods[:1])
    obs, exp = last_obs, last_exp
    basis = np.full(last.shape[0], "last", dtype=object)
    use = np.zeros(last.shape[0], dtype=bool)
    if len(periods) > 1 and rule.trend_periods > 1:
        trend, used = trend_migration_rates(periods[: rule.trend_periods])
        trend_obs, trend_exp = cohort_sums(periods[: rule.trend_periods], max_change=0.5)
        prev, now, surv = periods[0]
        crude_last = crude_net_migration(prev, now, surv)
        pooled = periods[: rule.trend_periods]
        obs_crude = sum(np.asarray(n)[..., 1:].sum(axis=(-2, -1)) for _, n, _ in pooled)
        exp_crude = sum(expected_survivors(np.asarray(p), sv)[..., 1:].sum(axis=(-2, -1)) for p, _, sv in pooled)
        crude_trend = crude_net_migration_from(obs_crude, exp_crude)
        small = np.asarray(periods[0][1]).sum(axis=(-2, -1)) < rule.small_persons
        deviating = np.abs(crude_last - crude_trend) > rule.deviation
        use = (small | deviating) & (used >= 2)
        basis[use & small] = "trend:small"
        basis[use & ~small] = "trend:deviation"
        last = np.where(use[:, None, None], trend, last)
        obs = np.where(use[:, None, None], trend_obs, last_obs)
        exp = np.where(use[:, None, None], trend_exp, last_exp)
    if rule.shrink not in (None, "profile", "prefecture"):
        raise ValueError(f"unknown shrinkage target {rule.shrink!r}: 'profile', 'prefecture' or None")
    if rule.shrink == "profile" and last.shape[0]:
        last = shrink_rates(last, exp, smooth_age_profile(last))[0]
    if rule.shrink == "prefecture" and group is not None and last.shape[0]:
        group = np.asarray(group, dtype=np.intp)
        n = int(group.max()) + 1
        # the prefecture's rate on the same basis as each unit: its units' sums of that basis
        prior = np.empty_like(last)
        for chosen in (False, True):
            pick = use == chosen
            o = aggregate(np.where(pick[:, None, None], obs, 0.0), group, n)
            e = aggregate(np.where(pick[:, None, None], exp, 0.0), group, n)
            rate = np.divide(o, e, out=np.ones_like(e), where=e > 0) - 1.0
            prior[pick] = rate[group[pick]]
        last = shrink_rates(last, exp, prior)[0]
    if rule.smooth:
        last = smooth_age_profile(last)
    if rule.cap is not None:
        last = np.clip(last, -rule.cap, rule.cap)
    return np.maximum(last, -1.0), basis


def crude_net_migration_from(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    return np.divide(observed, expected, out=np.ones_like(expected), where=expected > 0) - 1.0
