"""The cohort-component step, vectorised over units: (units, sex, age) arrays → (units, year, sex, age)."""

from __future__ import annotations

import numpy as np

from sousei.domain.projection.params import N_AGES, ProjectionParams

AGE_GROUPS: tuple[str, ...] = tuple(f"{a}-{a + 4}" for a in range(0, 90, 5)) + ("90+",)
SEXES: tuple[str, ...] = ("male", "female")
MALE, FEMALE = 0, 1
WOMEN_15_49 = slice(3, 10)  # age groups 15-19 … 45-49
WOMEN_20_39 = slice(4, 8)  # age groups 20-24 … 35-39
assert len(AGE_GROUPS) == N_AGES
# Consistency factors are capped: a target that needs more means the inputs disagree, not a real adjustment.
MAX_FACTOR = 10.0


def advance(pop: np.ndarray, params: ProjectionParams, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One five-year step k from `pop` (units, 2, 19): returns (population at the end, deaths, children 0–4).

    Survivors of the cohort aged a move to a+1 with their net migration; 85-89 and 90+ both end in 90+.
    The new 0–4 are the child–woman ratio times the women 15–49 at the end of the step, split by sex.
    Deaths are reported per unit so that, without migration, end − start = children − deaths exactly.
    """
    s = params.survival[:, k]
    survivors = pop * s
    moved = survivors * (1.0 + params.migration[:, k])
    new = np.empty(np.broadcast_shapes(pop.shape, moved.shape))
    new[:, :, 1:] = moved[:, :, :-1]
    new[:, :, -1] += moved[:, :, -1]
    women = new[:, 1, WOMEN_15_49].sum(axis=-1)
    children = params.cwr[:, k] * women
    boys = params.male_share_0_4[:, k]
    new[:, 0, 0] = children * boys
    new[:, 1, 0] = children * (1.0 - boys)
    if params.adjustment is not None:
        new *= params.adjustment[:, k]
    deaths = (pop - survivors).sum(axis=(1, 2))
    return new, deaths, children


def project(base: np.ndarray, params: ProjectionParams) -> np.ndarray:
    """Project `base` (units, 2, 19) over every step of `params`: returns (units, steps + 1, 2, 19).

    No Python loop over units: each step is a handful of array operations over all of them.
    """
    base = np.asarray(base, dtype=np.float64)
    if base.ndim != 3 or base.shape[1:] != (2, N_AGES):
        raise ValueError(f"base population must be (units, 2, {N_AGES}), got {base.shape}")
    if params.units not in (1, base.shape[0]):
        raise ValueError(f"parameters are for {params.units} units, the base population has {base.shape[0]}")
    out = np.empty((base.shape[0], params.steps + 1, 2, N_AGES))
    out[:, 0] = base
    for k in range(params.steps):
        out[:, k + 1] = advance(out[:, k], params, k)[0]
    return out


def group_adjustment(
    base: np.ndarray,
    params: ProjectionParams,
    targets: np.ndarray,
    group: np.ndarray | None = None,
    balance_ages: int = 0,
    allocation: str = "scale",
) -> ProjectionParams:
    """`params` with the factors that make the units of each group add up to that group's `targets` after every
    step, by sex × age (IPSS: 市区町村の合計を都道府県に、都道府県の合計を全国に男女・年齢別に一致させる補正).

    targets (groups, steps, 2, 19); group (units,) the index of each unit's group (None: one group, all units).
    Step by step: project one step from the adjusted population, then each cell of a unit is multiplied by its
    group's target ÷ the group's sum (capped at `MAX_FACTOR`; a cell whose group sum is 0 keeps factor 1). The
    factors (units, steps, 2, 19) are stored in the parameters, so a unit projected alone keeps its row.
    Steps whose target is NaN keep the factors of the step before (a control projection that ends earlier).

    `balance_ages` > 0: first, for the cohorts aged 0-4 … (balance_ages − 1) at the start of a step, the positive
    net migration rates of the group's units are scaled (in [0, MAX_FACTOR]) so that the group's net migrants
    equal the target's (target − survivors − losses): rates held constant make gains outgrow losses (a growing
    unit's inflow grows with it, a shrinking unit's outflow shrinks), and the surplus belongs to the units that
    gain, not to all. Only ages where migration, not mortality, drives the difference; the scaled rates are stored
    in `migration`, the rest is prorated.

    `allocation` says how those gains are shared among the group's gaining units: 'scale' (one factor on every
    positive rate, so a unit's gain grows with its own population) or 'pool' (IPSS 2023's pool model, 転出率 and
    配分率: in-migrants are a pool shared among the receiving units; here the group's gains are shared in fixed
    proportions, each unit's share of the group's gains in the first step, 配分率 held, so a gaining unit's inflow
    follows the pool and not its own growth; losses stay rates on the unit's own population, 転出率), or
    'pool-closed' (as 'pool', but the pool is the group's own losses, so internal migration adds up to zero, as in
    a closed pool model, and what the control still differs by is prorated).
    """
    if allocation not in ("scale", "pool", "pool-closed"):
        raise ValueError(f"unknown allocation {allocation!r}: 'scale' or 'pool'")
    base = np.asarray(base, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    n_units, steps = base.shape[0], params.steps
    group = np.zeros(n_units, dtype=np.intp) if group is None else np.asarray(group, dtype=np.intp)
    n_groups = int(group.max()) + 1 if n_units else 0
    if targets.ndim == 3:
        targets = targets[None]
    if targets.shape != (n_groups, steps, 2, N_AGES) or group.shape != (n_units,):
        raise ValueError(f"targets must be ({n_groups}, {steps}, 2, {N_AGES}) and group ({n_units},)")
    mig = np.array(np.broadcast_to(params.migration, (n_units,) + params.migration.shape[1:]))
    factors = np.ones((n_units, steps, 2, N_AGES))
    last = np.ones((n_groups, 2, N_AGES))
    last_scale = np.ones((n_groups, 2, balance_ages))
    shares: np.ndarray | None = None  # (units, 2, balance_ages) each unit's share of its group's gains (配分率)
    pop = base
    for k in range(steps):
        if balance_ages > 0:
            b = slice(0, balance_ages)
            surv = pop[:, :, b] * np.broadcast_to(params.survival[:, k], pop.shape)[:, :, b]
            net = surv * mig[:, k, :, b]
            gains, losses, sv = (np.zeros((n_groups, 2, balance_ages)) for _ in range(3))
            np.add.at(gains, group, np.maximum(net, 0))
            np.add.at(losses, group, np.minimum(net, 0))
            np.add.at(sv, group, surv)
            wanted = targets[:, k, :, 1 : balance_ages + 1] - sv - losses
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                scale = np.where(gains > 1e-9, np.clip(wanted / gains, 0.0, MAX_FACTOR), 1.0)
            scale = np.where(np.isfinite(scale), scale, last_scale)
            last_scale = scale
            m = mig[:, k, :, b]
            if allocation in ("pool", "pool-closed"):
                if shares is None:
                    with np.errstate(divide="ignore", invalid="ignore"):
                        shares = np.where(gains[group] > 1e-9, np.maximum(net, 0) / gains[group], 0.0)
                pool = -losses if allocation == "pool-closed" else np.where(np.isfinite(wanted), wanted, gains)
                pooled = shares * np.maximum(pool, 0.0)[group]
                with np.errstate(divide="ignore", invalid="ignore"):
                    rate = np.where(surv > 1e-9, pooled / surv, 0.0)
                mig[:, k, :, b] = np.where(m > 0, np.minimum(rate, m * MAX_FACTOR), m)
            else:
                mig[:, k, :, b] = np.where(m > 0, m * scale[group], m)
        plain = params.with_(adjustment=None, migration=mig)
        new = advance(pop, plain, k)[0]
        total = np.zeros((n_groups, 2, N_AGES))
        np.add.at(total, group, new)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            f = np.where(total > 1e-9, np.minimum(targets[:, k] / total, MAX_FACTOR), 1.0)
        ok = np.all(np.isfinite(targets[:, k]), axis=(1, 2))
        last = np.where(ok[:, None, None], f, last)
        factors[:, k] = last[group]
        pop = new * factors[:, k]
    return params.with_(adjustment=factors, migration=mig)


def as_rates(base: np.ndarray, params: ProjectionParams) -> ProjectionParams:
    """The same path as `project(base, params)` expressed without factors: for every unit, step, sex and age the net
    migration rate, and for every step the child–woman ratio and share of boys, that reproduce it exactly (to
    rounding). Where the path was made with consistency or anchoring factors (パターン1), the factors' persons become
    migration: net migration is then all the path has beyond survival and births, so a scale on it (a scenario's
    migration × 0.5, × 0) acts on the whole of it, and × 0 is the closed population.

    The two oldest groups both end in 90+ and get one rate; a cohort with no survivors keeps rate 0 (the path has
    none there either), a step with no women 15–49 or no children keeps `params`' ratio."""
    base = np.asarray(base, dtype=np.float64)
    path = project(base, params)
    n, steps = base.shape[0], params.steps
    survival = np.broadcast_to(params.survival, (n, steps, 2, N_AGES))
    migration = np.zeros((n, steps, 2, N_AGES))
    cwr = np.array(np.broadcast_to(params.cwr, (n, steps)))
    boys = np.array(np.broadcast_to(params.male_share_0_4, (n, steps)))
    for k in range(steps):
        survivors, end = path[:, k] * survival[:, k], path[:, k + 1]
        arriving = survivors.copy()
        arriving[:, :, -2] += arriving[:, :, -1]
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(arriving[:, :, :-1] > 0, end[:, :, 1:] / arriving[:, :, :-1] - 1.0, 0.0)
            women = end[:, FEMALE, WOMEN_15_49].sum(axis=-1)
            children = end[:, :, 0].sum(axis=-1)
            cwr[:, k] = np.where(women > 0, children / women, cwr[:, k])
            boys[:, k] = np.where(children > 0, end[:, MALE, 0] / children, boys[:, k])
        migration[:, k, :, :-1] = rate
        migration[:, k, :, -1] = rate[:, :, -1]
    return params.with_(migration=np.maximum(migration, -1.0), cwr=cwr, male_share_0_4=boys, adjustment=None)
