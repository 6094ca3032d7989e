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
    mig = params.migration[:, k]
    if params.inflow_scale is not None:
        mig = np.where(mig > 0, mig * params.inflow_scale[k], mig)
    moved = survivors * (1.0 + mig)
    new = np.empty(np.broadcast_shapes(pop.shape, moved.shape))
    new[:, :, 1:] = moved[:, :, :-1]
    new[:, :, -1] += moved[:, :, -1]
    women = new[:, 1, WOMEN_15_49].sum(axis=-1)
    children = params.cwr[:, k] * women
    boys = params.male_share_0_4[:, k]
    new[:, 0, 0] = children * boys
    new[:, 1, 0] = children * (1.0 - boys)
    if params.adjustment is not None:
        new *= params.adjustment[k]
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


def national_adjustment(base: np.ndarray, params: ProjectionParams, targets: np.ndarray) -> ProjectionParams:
    """`params` with the factors that make the units add up to `targets` (steps, 2, 19) after every step.

    Two factors per step, sex and age, computed once for all units (so a unit projected alone keeps its row):
    1. `inflow_scale`: the net migrants of all units must add up to the national net migration (target minus
       the nation's survivors); gains and losses do not balance when rates are held, so the positive rates are
       scaled until they do (losses are kept: a shrinking unit's outflow shrinks with it);
    2. `adjustment`: what is left (births, mortality level, a scale that could not be met) is prorated.
    Steps whose target is NaN keep the factors of the step before (the national projection ends earlier).
    """
    targets = np.asarray(targets, dtype=np.float64)
    steps = params.steps
    if targets.shape != (steps, 2, N_AGES):
        raise ValueError(f"targets must be ({steps}, 2, {N_AGES}), got {targets.shape}")
    inflow = np.ones((steps, 2, N_AGES))
    factors = np.ones((steps, 2, N_AGES))
    pop = np.asarray(base, dtype=np.float64)
    last_in, last_f = np.ones((2, N_AGES)), np.ones((2, N_AGES))
    for k in range(steps):
        if np.all(np.isfinite(targets[k])):
            surv = pop * params.survival[:, k]
            net = surv * params.migration[:, k]
            # by the age group reached: a+1 for a cohort aged a; 85-89 and 90+ both reach 90+
            gains = np.zeros((2, N_AGES))
            losses = np.zeros((2, N_AGES))
            reached_surv = np.zeros((2, N_AGES))
            pos, neg, sv = np.maximum(net, 0).sum(axis=0), np.minimum(net, 0).sum(axis=0), surv.sum(axis=0)
            gains[:, 1:], losses[:, 1:], reached_surv[:, 1:] = pos[:, :-1], neg[:, :-1], sv[:, :-1]
            gains[:, -1] += pos[:, -1]
            losses[:, -1] += neg[:, -1]
            reached_surv[:, -1] += sv[:, -1]
            wanted = targets[k] - reached_surv - losses
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                scale = np.where(gains > 1e-9, np.minimum(np.maximum(wanted, 0) / gains, MAX_FACTOR), 1.0)
            start_scale = np.ones((2, N_AGES))
            start_scale[:, :-1] = scale[:, 1:]
            start_scale[:, -1] = scale[:, -1]
            last_in = start_scale
        inflow[k] = last_in
        step_params = params.with_(inflow_scale=inflow, adjustment=None)
        new = advance(pop, step_params, k)[0]
        if np.all(np.isfinite(targets[k])):
            total = new.sum(axis=0)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                last_f = np.where(total > 1e-9, np.minimum(targets[k] / total, MAX_FACTOR), 1.0)
        factors[k] = last_f
        pop = new * factors[k]
    return params.with_(inflow_scale=inflow, adjustment=factors)
